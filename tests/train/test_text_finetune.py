"""Fine-tuning the text encoder in pre-training: its own learning rate, one forward pass over the
batch's distinct sentences per step, its weights in the checkpoint, frozen again for head adaptation.

A tiny randomly initialised BERT (2 layers, 32-d) with the offline MiniLM tokenizer stands in for a
real text encoder, so these tests need no download and run in seconds."""

import json

import numpy as np
import pytest
import torch
from safetensors import safe_open
from transformers import AutoConfig, AutoModel, AutoTokenizer

from wearclip.config.model import DEFAULT_TEXT_ENCODER, WearClipConfig
from wearclip.config.train import TrainConfig
from wearclip.data.windows import Windows
from wearclip.models import WearClip
from wearclip.text import class_sentences
from wearclip.text.encoders import resolve
from wearclip.train import ContrastiveObjective, fit_heads, fit_pretraining
from wearclip.train.pretrain import PretrainBatch

CLASSES = ["walking", "lying down"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(resolve(DEFAULT_TEXT_ENCODER))
    torch.manual_seed(0)
    config = AutoConfig.for_model("bert", vocab_size=tokenizer.vocab_size, hidden_size=32, intermediate_size=37,
                                  num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=80)
    AutoModel.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def model_config(folder: str, trainable: bool = True) -> WearClipConfig:
    return WearClipConfig(text_encoder=folder, text_dim=32, text_trainable=trainable, imu_kwargs={"dropout": 0.0})


def separable_windows(n: int, seed: int) -> Windows:
    """Class 0 oscillates on x, class 1 is still with gravity on z: easy to tell apart."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    t = np.linspace(0, 2 * np.pi * 4, 100)
    x = rng.normal(0, 0.05, size=(n, 3, 100)).astype(np.float32)
    x[labels == 0, 0] += np.sin(t)
    x[labels == 1, 2] += 1.0
    return Windows(x, labels.astype(np.int32), np.array(["1"] * n), np.array(["r"] * n), np.zeros(n), CLASSES)


def text_weights(model: WearClip) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.text_encoder.state_dict().items()}


def test_finetuning_trains_the_text_encoder_at_its_own_rate_and_saves_it(tiny_bert, tmp_path):
    torch.manual_seed(0)
    model = WearClip(model_config(tiny_bert))
    assert model.text_encoder is not None and "pooler" not in "".join(model.text_encoder.state_dict())
    before = text_weights(model)
    sentences = class_sentences(CLASSES, "random-template")
    calls = []
    model.text_encoder.model.register_forward_pre_hook(
        lambda m, args, kwargs: calls.append((kwargs["input_ids"].shape[0], torch.is_grad_enabled())), with_kwargs=True)
    config = TrainConfig(epochs=3, batch_size=32, lr=3e-3, text_lr=1e-4, patience=3)
    result = fit_pretraining(model, separable_windows(128, 0), separable_windows(32, 1), config, class_sentences=sentences)
    trained = result.model

    changed = [k for k, v in text_weights(trained).items() if not torch.equal(v, before[k])]
    assert len(changed) == len(before)  # every text-encoder weight was trained (no unused pooler)
    steps = [n for n, grad in calls if grad]
    assert len(steps) == 3 * 4  # one text-encoder pass per step (128 windows / 32 per batch, 3 epochs)
    assert all(0 < n <= 32 for n in steps) and any(n < 32 for n in steps)  # over the batch's distinct sentences

    checkpoint = trained.save_pretrained(tmp_path / "ckpt")
    with safe_open(str(checkpoint / "model.safetensors"), "pt") as f:
        assert any(k.startswith("text_encoder.model.") for k in f.keys())
    assert json.loads((checkpoint / "config.json").read_text())["text_trainable"] is True
    restored = WearClip.from_pretrained(checkpoint)
    probe = [s[0] for s in sentences]
    with torch.no_grad():
        torch.testing.assert_close(restored.embed_text(probe), trained.eval().embed_text(probe), atol=1e-6, rtol=1e-6)
        fresh = WearClip(model_config(tiny_bert)).eval()
        fresh.load_state_dict({k: v for k, v in restored.state_dict().items() if not k.startswith("text_encoder.")},
                              strict=False)
        assert not torch.allclose(fresh.embed_text(probe), restored.embed_text(probe), atol=1e-4)


def test_optimizer_gives_the_text_encoder_its_own_learning_rate(tiny_bert):
    from wearclip.train.loop import param_groups

    model = WearClip(model_config(tiny_bert))
    named = list(model.named_parameters())
    groups = param_groups(named, TrainConfig(lr=1e-3, text_lr=2e-5, weight_decay=0.1))
    assert [(g["lr"], g["weight_decay"]) for g in groups] == [(1e-3, 0.1), (1e-3, 0.0), (2e-5, 0.1), (2e-5, 0.0)]
    text_ids = {id(p) for p in model.text_encoder.parameters()}
    for group in groups:
        assert {id(p) in text_ids for p in group["params"]} == {group["lr"] == 2e-5}
        assert {p.ndim >= 2 for p in group["params"]} == {group["weight_decay"] == 0.1}
    assert sum(len(g["params"]) for g in groups) == len(named)
    assert len(param_groups(named, TrainConfig(lr=1e-3))) == 2  # without text_lr: decay / no decay


def test_objective_wants_sentences_for_a_trainable_encoder_and_features_otherwise(tiny_bert):
    trainable = WearClip(model_config(tiny_bert))
    with pytest.raises(TypeError, match="unique sentences"):
        ContrastiveObjective(trainable, torch.randn(2, 32))
    with pytest.raises(TypeError, match="frozen text features"):
        ContrastiveObjective(WearClip(model_config(tiny_bert, trainable=False)), ["a", "b"])
    objective = ContrastiveObjective(trainable, ["walking fast", "lying in bed", "walking"])
    out = objective(PretrainBatch(torch.randn(4, 3, 100), torch.tensor([0, 2, 1, 0]), torch.tensor([0, 0, 1, 0])))
    out["loss"].backward()
    assert all(p.grad is not None for p in trainable.text_encoder.parameters())


def test_head_adaptation_keeps_the_finetuned_text_encoder_frozen(tiny_bert):
    torch.manual_seed(0)
    model = WearClip(model_config(tiny_bert))
    model.set_normalization(np.zeros(3), np.ones(3))
    before = text_weights(model)
    sentences = [["walking"], ["lying down"]]
    result = fit_heads(model, separable_windows(64, 2), separable_windows(32, 3), TrainConfig(epochs=2, batch_size=16),
                       class_sentences=sentences)
    after = text_weights(result.model)
    assert all(torch.equal(after[k], before[k]) for k in before)
    assert any(not torch.equal(a, b) for a, b in zip(result.model.text_head.parameters(), model.text_head.parameters()))


def test_switched_off_extensions_leave_saved_configs_and_cache_keys_as_before():
    """Checkpoints, run identities and pre-training cache keys hash these dumps: an option that is off
    must not appear in them, or every cached model of an earlier version would be recomputed."""
    assert "text_trainable" not in WearClipConfig().model_dump() and "text_lr" not in TrainConfig().model_dump()
    on = WearClipConfig(text_trainable=True)
    assert WearClipConfig.model_validate_json(on.model_dump_json()).text_trainable
    assert TrainConfig.model_validate(TrainConfig(text_lr=1e-5).model_dump()).text_lr == 1e-5
