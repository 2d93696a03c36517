"""Objectives against hand-computed examples (the arithmetic is in the comments)."""

import math

import pytest
import torch

from wearclip.objectives import contrastive_loss, language_loss, nt_xent_loss


def clip_loss(logits, sentence_ids=None):
    """Plain CLIP, or with ``sentence_ids`` the identical-sentence variant (clip-dedup)."""
    ids = torch.arange(len(logits)) if sentence_ids is None else sentence_ids
    return language_loss("clip" if sentence_ids is None else "clip-dedup", logits, ids, ids)


def unicl_loss(logits, labels):
    return language_loss("unicl", logits, torch.arange(len(labels)), labels)

E = math.e


def test_clip_loss_of_a_2x2_matrix():
    # logits [[2, 1], [0, 3]], targets on the diagonal.
    # rows:    -log softmax([2,1])[0] = log(1 + e^-1) = 0.313262; -log softmax([0,3])[1] = log(1 + e^-3) = 0.048587
    # columns: [2,0] -> log(1 + e^-2) = 0.126928;                  [1,3] -> log(1 + e^-2) = 0.126928
    # loss = ((0.313262 + 0.048587) / 2 + 0.126928) / 2 = 0.153926
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0]])
    expected = ((math.log(1 + E**-1) + math.log(1 + E**-3)) / 2 + math.log(1 + E**-2)) / 2
    assert expected == pytest.approx(0.153926, abs=1e-6)
    assert clip_loss(logits).item() == pytest.approx(expected, abs=1e-6)


def test_clip_loss_with_repeated_sentence_shares_the_target():
    # Rows 0 and 1 carry the same sentence: each row's target mass is split between columns 0 and 1.
    logits = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert clip_loss(logits, torch.tensor([7, 7, 3])).item() == pytest.approx(
        unicl_loss(logits, torch.tensor([0, 0, 1])).item(), abs=1e-7)
    assert clip_loss(logits, torch.tensor([1, 2, 3])).item() == pytest.approx(clip_loss(logits).item(), abs=1e-7)


def test_language_loss_picks_the_positives_by_objective():
    logits = torch.tensor([[2.0, 1.0, 0.5], [0.0, 3.0, 1.0], [1.0, 0.0, 2.0]])
    ids, labels = torch.tensor([4, 5, 6]), torch.tensor([0, 0, 1])
    assert torch.equal(language_loss("clip", logits, ids, labels), contrastive_loss(logits, torch.eye(3, dtype=torch.bool)))
    assert torch.equal(language_loss("clip-dedup", logits, ids, labels), language_loss("clip", logits, ids, labels))
    assert torch.equal(language_loss("unicl", logits, ids, labels), unicl_loss(logits, labels))
    assert language_loss("clip", logits, ids, labels) != language_loss("unicl", logits, ids, labels)


def test_unicl_loss_of_a_3x3_matrix():
    # logits = identity, labels [0, 0, 1]; every row's log-sum-exp is lse = log(e + 2) = 1.551445.
    # rows 0, 1: targets (1/2, 1/2, 0) -> -(1/2 (1 - lse) + 1/2 (0 - lse)) = lse - 1/2 = 1.051445
    # row 2:     target (0, 0, 1)      -> lse - 1 = 0.551445;  mean 0.884778, the same by columns (symmetric)
    logits = torch.eye(3)
    lse = math.log(E + 2)
    expected = (2 * (lse - 0.5) + (lse - 1)) / 3
    assert expected == pytest.approx(0.884778, abs=1e-6)
    assert unicl_loss(logits, torch.tensor([0, 0, 1])).item() == pytest.approx(expected, abs=1e-6)


def test_unicl_normalises_columns_separately_from_rows():
    # A non-symmetric matrix: the text->sensor half uses the transposed logits with column targets.
    logits = torch.tensor([[3.0, 0.0], [1.0, 2.0]])
    labels = torch.tensor([0, 0])  # all positives: uniform targets over both columns/rows
    rows = sum(math.log(sum(math.exp(v) for v in r)) - sum(r) / 2 for r in ([3, 0], [1, 2])) / 2
    cols = sum(math.log(sum(math.exp(v) for v in c)) - sum(c) / 2 for c in ([3, 1], [0, 2])) / 2
    assert unicl_loss(logits, labels).item() == pytest.approx((rows + cols) / 2, abs=1e-6)


def test_nt_xent_of_two_orthogonal_pairs():
    # z1 = z2 = [e1, e2]; each embedding's partner has similarity 1, the two others 0.
    # T = 1:   -log(e / (e + 2)) = log(1 + 2/e) = 0.551445;  T = 0.5: log(1 + 2 e^-2) = 0.239545
    z = torch.eye(2)
    assert nt_xent_loss(z, z.clone(), temperature=1.0).item() == pytest.approx(0.551445, abs=1e-6)
    assert nt_xent_loss(z, z.clone(), temperature=0.5).item() == pytest.approx(0.239545, abs=1e-6)
    # Scale does not matter (embeddings are normalised), the self-similarity is excluded.
    assert nt_xent_loss(3 * z, z.clone(), temperature=1.0).item() == pytest.approx(0.551445, abs=1e-6)


def test_nt_xent_rewards_matching_views():
    torch.manual_seed(0)
    z1 = torch.randn(16, 8)
    assert nt_xent_loss(z1, z1 + 0.01 * torch.randn(16, 8)) < nt_xent_loss(z1, torch.randn(16, 8))


def test_contrastive_loss_gradient_pushes_positives_up():
    logits = torch.zeros(3, 3, requires_grad=True)
    contrastive_loss(logits, torch.eye(3, dtype=torch.bool)).backward()
    assert (logits.grad.diagonal() < 0).all() and (logits.grad.sum() - logits.grad.trace()) > 0


def test_positive_pairs_pin_each_objectives_target_matrix():
    # A batch of 4 windows: rows 0 and 1 drew the identical sentence 5 of activity 0, row 2 sentence 6
    # of activity 0, row 3 sentence 9 of activity 1.
    from wearclip.objectives import positive_pairs

    sentence_ids, labels = torch.tensor([5, 5, 6, 9]), torch.tensor([0, 0, 0, 1])
    plain = positive_pairs("clip", sentence_ids, labels)
    dedup = positive_pairs("clip-dedup", sentence_ids, labels)
    unicl = positive_pairs("unicl", sentence_ids, labels)
    assert plain.tolist() == torch.eye(4, dtype=torch.bool).tolist()
    assert dedup.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert unicl.tolist() == [[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 1]]
    with pytest.raises(ValueError, match="clip, clip-dedup or unicl"):
        positive_pairs("clop", sentence_ids, labels)


def test_plain_clip_keeps_identical_sentences_apart():
    # Two windows drew the identical sentence, so their text columns (and logits) are equal.
    # clip-dedup: each row's target is (1/2, 1/2), exactly its softmax, so the gradient is zero.
    # clip: each row's target is its own column; softmax (1/2, 1/2) gives loss log 2 and a gradient
    # that raises the diagonal (pushes the twins apart), a target no model can reach.
    from wearclip.objectives import positive_pairs

    logits = torch.tensor([[2.0, 2.0], [2.0, 2.0]], requires_grad=True)
    ids = torch.tensor([3, 3])
    contrastive_loss(logits, positive_pairs("clip-dedup", ids, ids)).backward()
    assert logits.grad.abs().max().item() == pytest.approx(0.0, abs=1e-7)
    logits.grad = None
    loss = contrastive_loss(logits, positive_pairs("clip", ids, ids))
    assert loss.item() == pytest.approx(math.log(2), abs=1e-6)
    loss.backward()
    assert (logits.grad.diagonal() < 0).all()


def test_objective_config_keeps_the_old_meaning_by_default():
    from wearclip.config.objective import ObjectiveConfig
    from wearclip.config.presets import load_config

    assert ObjectiveConfig().name == "clip-dedup"
    assert ObjectiveConfig(name="clip").name == "clip"
    assert load_config("nls-base").objective.name == "clip-dedup"
