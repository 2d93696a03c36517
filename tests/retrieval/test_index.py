"""The on-disk window index: exact top-k against brute force, FAISS agreement, files, provenance, real UCI HAPT."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from wearclip.data import datasets
from wearclip.data.windows import make_windows
from wearclip.errors import DataFormatError
from wearclip.models.saving import WEIGHTS_NAME
from wearclip.models.wearclip import WearClip
from wearclip.retrieval.index import (
    EMBEDDINGS_NAME,
    INFO_NAME,
    EmbeddingIndex,
    IndexInfo,
    Int8Queries,
    exact_top_k,
    index_dataset,
    index_window_config,
    int8_blocks,
    int8_error_bound,
    write_index,
)


def unit(rng, n, d):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute_force(embeddings16, queries, k):
    """float32 scores of the stored float16 vectors, sorted by score then id."""
    scores = embeddings16.astype(np.float32) @ queries.T
    order = [np.lexsort((np.arange(len(scores)), -scores[:, q]))[:k] for q in range(queries.shape[0])]
    return np.stack([scores[o, q] for q, o in enumerate(order)]), np.stack(order)


def float32_tolerance(embeddings16, queries):
    """Two float32 evaluations of one dot product, in any summation order, differ by at most
    2 gamma_d sum|q_i e_i| (gamma_d = du / (1 - du), u = 2^-24): the largest such bound over the data."""
    du = embeddings16.shape[1] * 2.0**-24
    return 2 * du / (1 - du) * float((np.abs(embeddings16.astype(np.float64)) @ np.abs(queries.T)).max())


def rows(n, offset=0):
    return pd.DataFrame({"subject": ["s1"] * n, "recording": ["r1"] * n, "start": np.arange(offset, offset + n, dtype=float),
                         "end": np.arange(offset, offset + n, dtype=float) + 2, "label": ["walking"] * n})


@pytest.mark.parametrize("chunk_rows", [997, 1 << 18])
@pytest.mark.parametrize("queries", [1, 7, 20])  # float16 scan + rescoring below 8 queries, int8 from 8
def test_exact_top_k_equals_float32_brute_force(chunk_rows, queries):
    rng = np.random.default_rng(0)
    e = unit(rng, 20_000, 32).astype(np.float16)
    q = unit(rng, queries, 32)
    scores, ids = exact_top_k(e, q, 10, chunk_rows=chunk_rows)
    want_scores, want_ids = brute_force(e, q, 10)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-6)
    assert (np.diff(scores, axis=1) <= 0).all()


def test_near_ties_finer_than_float16_are_ranked_exactly():
    # 3,000 vectors whose scores against the query lie within 1e-3 (gaps ~3e-7), far below float16
    # resolution (~5e-4 near 0.9): the float16 pass cannot order them, the float32 rescoring must, and
    # the candidate set must grow past its first k + 32 rows to be sure (it fails with no error margin).
    rng = np.random.default_rng(1)
    d = 64
    q = unit(rng, 1, d)
    noise = unit(rng, 3_000, d)
    noise -= (noise @ q.T) * q  # orthogonal to the query
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    angle = np.arccos(0.9 + np.linspace(0, 1e-3, 3_000))[:, None]
    near = np.cos(angle) * q + np.sin(angle) * noise
    e = np.concatenate([unit(rng, 50_000, d), near]).astype(np.float16)
    scores, ids = exact_top_k(e, q, 25, chunk_rows=4096)
    want_scores, _ = brute_force(e, q, 25)
    # compare scores, not ids: neighbours 1e-7 apart may swap under another float32 summation order
    np.testing.assert_allclose(e[ids[0]].astype(np.float32) @ q[0], want_scores[0], atol=1e-6)
    np.testing.assert_allclose(scores, want_scores, atol=1e-6)
    assert len(set(ids[0].tolist())) == 25


def test_exact_ties_go_to_the_lower_id_and_k_caps_at_the_index_size():
    rng = np.random.default_rng(2)
    e = unit(rng, 50, 16).astype(np.float16)
    e[40] = e[7]
    scores, ids = exact_top_k(e, e[7:8].astype(np.float32), 100)
    assert ids.shape == (1, 50)
    assert ids[0, :2].tolist() == [7, 40]
    assert sorted(ids[0].tolist()) == list(range(50))


@pytest.mark.parametrize("chunk_rows", [997, 1 << 15])
def test_batched_search_equals_per_query_search_ties_included(chunk_rows):
    # Small-integer vectors: every score is an integer in [-64, 64], exact in float16 and float32 in any
    # summation order, so thousands of rows tie exactly and only the id can order them.
    rng = np.random.default_rng(3)
    e = rng.integers(-2, 3, (30_000, 16)).astype(np.float16)
    q = rng.integers(-2, 3, (20, 16)).astype(np.float32)
    batched = exact_top_k(e, q, 50, chunk_rows=chunk_rows)  # 20 queries: one int8 product per block
    single = [exact_top_k(e, q[i : i + 1], 50, chunk_rows=chunk_rows) for i in range(len(q))]  # float16 scans
    np.testing.assert_array_equal(batched[1], np.concatenate([ids for _, ids in single]))
    np.testing.assert_array_equal(batched[0], np.concatenate([scores for scores, _ in single]))
    want_scores, want_ids = brute_force(e, q, 50)
    np.testing.assert_array_equal(batched[1], want_ids)
    np.testing.assert_array_equal(batched[0], want_scores)


def adversarial(case, rng):
    """(float16 rows, float32 unit queries, k, rows per block) that stress the int8 pass of a batch."""
    if case == "near duplicates and exact copies":  # rows a float16 step apart, and rows repeated exactly
        base = unit(rng, 40, 32)
        e = (np.repeat(base, 250, axis=0) + rng.standard_normal((10_000, 32)) * 2e-3).astype(np.float16)
        e[5_000:5_500] = e[:500]
        return e, unit(rng, 12, 32) * 0.5 + base[:12] * 0.5, 30, 1 << 12
    if case == "one large component per block":  # the block's scale is set by a single value near 1
        e = unit(rng, 20_000, 64)
        e[::997] = np.eye(64)[rng.integers(0, 64, len(e[::997]))] * 0.999 + 1e-3
        return e.astype(np.float16), unit(rng, 9, 64), 10, 4096
    if case == "k larger than a block":
        return unit(rng, 3_000, 16).astype(np.float16), unit(rng, 10, 16), 300, 256
    if case == "fewer rows than k":
        return unit(rng, 50, 8).astype(np.float16), unit(rng, 16, 8), 100, 32
    # odd sizes everywhere: width 13, 9 queries (codes padded to 16), rows not a multiple of a block or group
    return unit(rng, 10_001, 13).astype(np.float16), unit(rng, 9, 13), 7, 997


@pytest.mark.parametrize("case", ["near duplicates and exact copies", "one large component per block",
                                  "k larger than a block", "fewer rows than k", "odd sizes"])
def test_int8_batches_equal_per_query_search_and_brute_force(case):
    e, q, k, block = adversarial(case, np.random.default_rng(5))
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    scores, ids = exact_top_k(e, q, k, chunk_rows=block)
    single = [exact_top_k(e, q[i : i + 1], k) for i in range(len(q))]  # float16 scans, one query at a time
    want_scores, want_ids = brute_force(e, q, k)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_array_equal(ids, np.concatenate([i for _, i in single]))
    np.testing.assert_allclose(scores, want_scores, rtol=0, atol=float32_tolerance(e, q))
    few = exact_top_k(e, q[:3], k, blocks=list(int8_blocks(e, block)))  # a cached copy: int8 for 3 queries too
    np.testing.assert_array_equal(few[1], want_ids[:3])
    assert ids.shape == (len(q), min(k, len(e)))


def test_int8_error_bound_holds_and_is_tight_enough():
    rng = np.random.default_rng(6)
    d = 128
    e = unit(rng, 30_000, d)
    e[::1000] *= rng.uniform(0, 1, (30, 1))  # shorter rows too: the bound uses each block's own L1 norm
    e = e.astype(np.float16)
    q = torch.from_numpy(unit(rng, 40, d))
    queries = Int8Queries.of(q)
    worst = 0.0
    for lo, block in zip(range(0, len(e), 4096), int8_blocks(e, 4096)):
        exact = e[lo : lo + block.count].astype(np.float64) @ q.double().numpy().T
        approx = (block.codes[: block.count].double() @ queries.codes[: len(q)].double().T) * block.scale * queries.scales
        bound = int8_error_bound(block, queries, d).numpy()
        assert (np.abs(approx.numpy() - exact) <= bound).all()
        worst = max(worst, float(bound.max()))
    # for unit vectors, |x|_1 <= sqrt(d) |x|_2 and the scale <= |x|_2 / 127, with |x|_2 <= 1 + 2^-11 after
    # float16 rounding: bound <= h (2 sqrt(d) N / 127) + d h^2 N^2 / 127^2, about 0.091 at d = 128
    h, norm = 0.5 + 2.0**-17, 1 + 2.0**-11
    assert worst <= h * 2 * np.sqrt(d) * norm / 127 + d * h * h * norm**2 / 127**2 < 0.1

    # the worst case, nearly reached: every value lies 7/16 of a step (1/128) above its code, all signs
    # alike (exact in float16: code + 7/16 needs 11 bits), one value 127/128 fixing the scales at 1/128,
    # rows permutations of one another (each has the block's largest L1 norm): the error q.delta + gamma.e
    # - gamma.delta is then 7/8 of the bound's first two terms (less the one exact value), less the third
    codes = rng.permuted(np.broadcast_to(rng.integers(0, 127, d - 1), (2, 64, d - 1)), axis=2)
    x = np.concatenate([np.full((2, 64, 1), 127 / 128), (codes + 7 / 16) / 128], axis=2)
    e, q = x[0].astype(np.float16), torch.from_numpy(x[1].astype(np.float32))
    queries = Int8Queries.of(q)
    block = next(int8_blocks(e, 64))
    approx = (block.codes.double() @ queries.codes.double().T) * block.scale * queries.scales
    error = np.abs(e.astype(np.float64) @ q.double().numpy().T - approx.numpy())
    bound = int8_error_bound(block, queries, d).numpy()
    assert (error <= bound).all() and (error >= 0.8 * bound).all()


def test_the_int8_copy_of_an_index_is_built_once(tmp_path, monkeypatch):
    import wearclip.retrieval.index as module

    rng = np.random.default_rng(7)
    e = unit(rng, 5_000, 16)
    index = write_index(tmp_path / "idx", iter([(e, rows(len(e)))]))
    built = []
    monkeypatch.setattr(module, "int8_blocks", lambda *args: built.append(args) or int8_blocks(*args))
    q = unit(rng, 20, 16)
    one = index.search(q[:1], 5)
    assert built == []  # one query: a float16 scan, no int8 copy
    first, second = index.search(q, 5), index.search(q, 5)
    assert len(built) == 1 and index.int8_blocks() is index.int8_blocks()
    np.testing.assert_array_equal(one[1], first[1][:1])
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[1], brute_force(index.embeddings, q, 5)[1])


def test_write_index_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    e = rng.standard_normal((1000, 24)).astype(np.float32) * 5
    info = IndexInfo(dataset="toy", classes=["walking"])
    index = write_index(tmp_path / "idx", ((e[i : i + 300], rows(len(e[i : i + 300]), i)) for i in range(0, 1000, 300)), info)
    assert len(index) == 1000 and index.dim == 24
    stored = np.load(tmp_path / "idx" / EMBEDDINGS_NAME)  # a plain .npy anyone can open
    assert stored.dtype == np.float16 and stored.shape == (1000, 24)
    np.testing.assert_allclose(stored.astype(np.float32), e / np.linalg.norm(e, axis=1, keepdims=True), atol=1e-3)
    assert index.manifest.start.tolist() == list(range(1000))
    meta = json.loads((tmp_path / "idx" / INFO_NAME).read_text())
    assert meta["count"] == 1000 and meta["dim"] == 24 and meta["dataset"] == "toy"
    scores, ids = index.search(e[123] * 3, k=3)
    assert ids[0, 0] == 123 and scores[0, 0] == pytest.approx(1.0, abs=2e-3)
    hits = index.hits(scores, ids, ["q"])
    assert list(hits.columns[:4]) == ["query", "rank", "id", "similarity"]
    assert hits["rank"].tolist() == [1, 2, 3] and hits.start.iloc[0] == 123.0


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    def batches():
        yield np.ones((4, 8)), rows(4)
        yield np.full((4, 8), np.nan), rows(4)

    with pytest.raises(ValueError, match="NaN"):
        write_index(tmp_path / "idx", batches())
    assert not (tmp_path / "idx").exists() and not any(tmp_path.iterdir())
    with pytest.raises(ValueError, match="3 manifest rows for 4"):
        write_index(tmp_path / "idx", iter([(np.ones((4, 8)), rows(3))]))
    with pytest.raises(ValueError, match="nothing to index"):
        write_index(tmp_path / "idx", iter([]))


def test_corrupt_index_files_are_named(tmp_path):
    index = write_index(tmp_path / "idx", iter([(np.eye(8), rows(8))]))
    meta = json.loads((index.path / INFO_NAME).read_text())
    (index.path / INFO_NAME).write_text(json.dumps(meta | {"count": 9}))
    with pytest.raises(DataFormatError, match=r"embeddings\.npy.*expected float16 \(9, 8\)"):
        EmbeddingIndex(index.path)
    (index.path / INFO_NAME).write_text("{not json")
    with pytest.raises(DataFormatError, match=r"index\.json"):
        EmbeddingIndex(index.path)
    with pytest.raises(FileNotFoundError, match="not a wearclip index"):
        EmbeddingIndex(tmp_path)


def test_search_rejects_bad_queries(tmp_path):
    index = write_index(tmp_path / "idx", iter([(np.eye(8), rows(8))]))
    with pytest.raises(ValueError, match=r"\(q, 8\)"):
        index.search(np.ones((2, 5)))
    with pytest.raises(ValueError, match="unknown search backend"):
        index.search(np.ones(8), backend="annoy")


def test_faiss_backend_returns_the_same_results(tmp_path):
    pytest.importorskip("faiss")
    rng = np.random.default_rng(4)
    e = unit(rng, 30_000, 48)
    index = write_index(tmp_path / "idx", iter([(e, rows(len(e)))]))
    q = unit(rng, 30, 48)  # > 20 queries: FAISS switches to its BLAS path
    for queries in (q[:1], q):
        exact_scores, exact_ids = index.search(queries, 10, "exact")
        faiss_scores, faiss_ids = index.search(queries, 10, "faiss")
        np.testing.assert_array_equal(faiss_ids, exact_ids)
        np.testing.assert_allclose(faiss_scores, exact_scores, atol=1e-5)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = WearClip()
    model.set_normalization([0.8, -0.1, 0.1], [0.4, 0.3, 0.3])
    return model.save_pretrained(tmp_path_factory.mktemp("ckpt") / "model")


def test_index_real_hapt_subjects(tmp_path, hapt_root, checkpoint):
    model = WearClip.from_pretrained(checkpoint)
    dataset = datasets.load("uci-hapt", hapt_root)
    index = index_dataset(model, dataset, tmp_path / "idx", checkpoint=checkpoint, subjects=["3", "7"], batch_size=500)
    recordings = [r for r in dataset.recordings() if r.subject in ("3", "7")]
    windows = make_windows(recordings, dataset.classes, index_window_config(model))
    assert len(index) == len(windows) > 1000
    assert set(index.manifest.subject) == {"3", "7"}
    assert index.manifest.label.isna().sum() == (windows.labels == -1).sum() > 0  # transitions kept, unlabelled
    np.testing.assert_allclose(index.manifest.end - index.manifest.start, 2.0)
    with torch.no_grad():
        want = model.encode_sensor(torch.from_numpy(windows.x)).numpy()
    np.testing.assert_allclose(index.vectors(np.arange(len(index))), want, atol=2e-3)
    assert index.info.checkpoint == str(checkpoint.resolve()) and index.info.root == str(hapt_root.resolve())
    assert index.info.classes == dataset.classes and index.info.window.keep_unlabelled
    # the signals of any hit are read back from the official files, identical to the windows indexed
    ids = np.array([0, 17, len(index) - 1])
    np.testing.assert_array_equal(index.windows(ids), windows.x[ids])


def test_search_text_reloads_the_checkpoint_and_ranks_by_cosine(tmp_path, checkpoint):
    dataset = datasets.load("uci-hapt")
    model = WearClip.from_pretrained(checkpoint)
    index = index_dataset(model, dataset, tmp_path / "idx", checkpoint=checkpoint, recordings=["exp01"])
    reloaded = index.load_model()
    hits = index.search_text(reloaded, ["someone climbing stairs", "a person lying down"], k=5)
    assert len(hits) == 10 and hits["rank"].tolist() == [1, 2, 3, 4, 5] * 2
    with torch.no_grad():
        text = reloaded.encode_text(["someone climbing stairs"])
    scores = index.vectors(np.arange(len(index))) @ text[0]
    assert hits.id.iloc[0] == scores.argmax()
    assert hits.similarity.iloc[0] == pytest.approx(scores.max(), abs=1e-5)


def test_a_retrained_checkpoint_is_refused(tmp_path, checkpoint):
    model = WearClip.from_pretrained(checkpoint)
    index = index_dataset(model, datasets.load("uci-hapt"), tmp_path / "idx", checkpoint=checkpoint, recordings=["exp02"])
    with torch.no_grad():
        model.sensor_head.net[0].bias.add_(1.0)
    other = model.save_pretrained(tmp_path / "other")
    with pytest.raises(ValueError, match="not the weights this index was built with"):
        index.load_model(other)
    assert (other / WEIGHTS_NAME).is_file()
    with pytest.raises(ValueError, match="no windows match"):
        index_dataset(model, datasets.load("uci-hapt"), tmp_path / "none", recordings=["exp999"])
