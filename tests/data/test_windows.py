"""Window sets are views: selections and pools of a store keep reading its memmap, never copy it;
statistics stream in chunks and equal the in-memory ones; a store built in 2 processes is the same bytes."""

import numpy as np
import pytest

from tests.support import formats
from wearclip.data import datasets
from wearclip.data.splits import k_shot
from wearclip.data.store import WindowStore
from wearclip.data.windows import Rows, Windows, channel_stats, pool


@pytest.fixture
def store_windows(tmp_path):
    dataset = datasets.load("mhealth", formats.mhealth(tmp_path / "mhealth"))
    return WindowStore(tmp_path / "cache").open(dataset)


def in_memory(windows: Windows) -> np.ndarray:
    """Every row of a view, read the plain way (reference)."""
    (base,) = windows.x.bases
    return np.asarray(base)[windows.x.rows()]


def test_selections_and_pools_are_views_of_the_store_memmap(store_windows):
    w = store_windows
    (memmap,) = w.x.bases
    assert isinstance(memmap, np.memmap)
    subject = w.of_subjects([w.subjects[0]])
    shots = subject.subset(k_shot(subject.labels, 2, seed=0))
    pooled = pool({"a": shots, "b": w.of_subjects([w.subjects[-1]])})
    for view in (subject, shots, pooled):
        assert isinstance(view.x, Rows)
        assert view.x.bases == (memmap,) and view.x.bases[0] is memmap  # one base, the store's, not a copy
        assert np.shares_memory(view.x.bases[0], memmap)
    assert len(shots) == 2 * len(set(subject.labels.tolist()))
    np.testing.assert_array_equal(shots.x[:], in_memory(w)[np.flatnonzero(w.subjects == w.subjects[0])][
        k_shot(subject.labels, 2, seed=0)])
    np.testing.assert_array_equal(pooled.x[:], np.concatenate([in_memory(shots), in_memory(pooled.subset(
        np.arange(len(shots), len(pooled))))]))


def test_rows_read_in_any_order_return_the_requested_order(store_windows):
    w = store_windows
    reference = np.asarray(w.x.bases[0])
    for positions in (np.array([7, 2, 5, 2, 0]), np.array([6, 4, 4])):  # repeats, as span-long as a slice
        np.testing.assert_array_equal(w.x[positions], reference[positions])
    np.testing.assert_array_equal(w.x[3], reference[3])
    np.testing.assert_array_equal(w.x[4:9], reference[4:9])
    mask = w.labels == w.labels[0]
    np.testing.assert_array_equal(w.x[mask], reference[mask])
    assert w.x[positions].dtype == np.float32 and w.x.shape == reference.shape


def test_memmaps_at_an_offset_or_sliced_are_read_from_the_right_bytes(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 3, 5)).astype(np.float32)
    path = tmp_path / "x.f32"
    path.write_bytes(b"h" * 60 + x.tobytes())  # a 60-byte header: not a multiple of a row or a page
    mapped = np.memmap(path, dtype="<f4", mode="r", offset=60, shape=x.shape)
    rows = np.array([3, 4, 5, 17, 39, 0, 0])
    for base, reference in ((mapped, x), (mapped[7:], x[7:])):
        np.testing.assert_array_equal(Rows([base])[rows[rows < len(base)]], reference[rows[rows < len(base)]])
    truncated = np.memmap(path, dtype="<f4", mode="r", offset=60, shape=x.shape)
    path.write_bytes(b"h" * 60 + x[:10].tobytes())  # the file shrinks under an open store
    with pytest.raises(OSError, match="truncated"):
        Rows([truncated])[np.array([2, 30])]


def test_views_of_windows_in_memory_share_their_array():
    x = np.random.default_rng(0).normal(size=(10, 3, 4)).astype(np.float32)
    w = Windows(x, np.arange(10) % 2, np.array(["a"] * 5 + ["b"] * 5), np.array(["r"] * 10), np.arange(10.0), ["u", "v"])
    part = w.of_subjects(["b"]).subset(np.array([True, False, True, False, True]))
    assert part.x.bases[0] is x
    np.testing.assert_array_equal(part.x[:], x[[5, 7, 9]])


def test_pool_merges_phrases_prefixes_subjects_and_keeps_bases_once():
    rng = np.random.default_rng(1)
    xa, xb = (rng.normal(size=(n, 3, 4)).astype(np.float32) for n in (6, 4))
    a = Windows(xa, np.array([0, 1, 0, 1, -1, 0]), np.array(["1"] * 6), np.array(["r"] * 6), np.zeros(6), ["walking", "sitting"])
    b = Windows(xb, np.array([0, 1, 1, 0]), np.array(["1", "1", "2", "2"]), np.array(["q"] * 4), np.ones(4),
                ["cycling", "walking"])
    u = pool({"a": a.subset(np.arange(1, 6)), "b": b, "a2": a.subset(np.array([0]))})
    assert u.classes == ["walking", "sitting", "cycling"]
    assert u.labels.tolist() == [1, 0, 1, -1, 0, 2, 0, 0, 2, 0]
    assert u.subjects.tolist() == ["a/1"] * 5 + ["b/1", "b/1", "b/2", "b/2", "a2/1"]
    assert len(u.x.bases) == 2 and u.x.bases[0] is xa and u.x.bases[1] is xb
    np.testing.assert_array_equal(u.x[:], np.concatenate([xa[1:], xb, xa[:1]]))
    with pytest.raises(ValueError, match="sitting"):
        pool({"a": a}, classes=["walking"])


def test_views_and_pools_share_one_manifest_and_read_its_rows():
    x = np.random.default_rng(3).normal(size=(8, 3, 4)).astype(np.float32)
    labels, subjects = np.array([0, 1, 1, 0, -1, 1, 0, 0]), np.array(["s1", "s1", "s2", "s2", "s3", "s3", "s3", "s1"])
    w = Windows(x, labels, subjects, np.array(["r"] * 8), np.arange(8.0), ["u", "v"])
    part = w.of_subjects(["s3", "s1"]).subset(np.array([3, 0, 4]))  # rows 5, 0, 6
    assert part.manifest is w.manifest and part.x.index is part.index  # one index for signals and columns
    assert part.labels.tolist() == [1, 0, 0] and part.subjects.tolist() == ["s3", "s1", "s3"]
    assert part.starts.tolist() == [5.0, 0.0, 6.0] and len(part) == 3
    np.testing.assert_array_equal(part.x[:], x[[5, 0, 6]])
    pooled = pool({"a": part, "b": w.subset(np.array([4]))}, classes=["v", "u"])
    assert pooled.manifest.parts[0][0] is part  # the pool keeps its parts, not copies of their columns
    assert pooled.labels.tolist() == [0, 1, 1, -1] and pooled.subjects.tolist() == ["a/s3", "a/s1", "a/s3", "b/s3"]
    again = pooled.subset(np.array([3, 0]))
    assert again.labels.tolist() == [-1, 0] and again.recordings.tolist() == ["b/r", "a/r"]
    np.testing.assert_array_equal(again.x[:], x[[4, 5]])
    relabelled = part.relabelled(np.array([2, 2, 0]), ["u", "v", "w"])
    assert relabelled.labels.tolist() == [2, 2, 0] and relabelled.classes == ["u", "v", "w"]
    assert relabelled.subjects.tolist() == part.subjects.tolist() and part.labels.tolist() == [1, 0, 0]


def test_chunked_channel_stats_equal_in_memory_ones(tmp_path):
    rng = np.random.default_rng(2)
    n, t = 5000, 50
    x = np.memmap(tmp_path / "x.f32", dtype="<f4", mode="w+", shape=(n, 3, t))
    x[:] = rng.normal([[1.0], [0.0], [-0.5]], [[0.5], [0.2], [1.0]], size=(n, 3, t))
    x.flush()
    view = Rows([np.memmap(tmp_path / "x.f32", dtype="<f4", mode="r", shape=(n, 3, t))]).take(np.arange(0, n, 3))
    mean, std = channel_stats(view, chunk=97)  # many uneven chunks
    whole = np.asarray(x, dtype=np.float64)[::3]
    ref_mean, ref_std = whole.mean(axis=(0, 2)), whole.std(axis=(0, 2))
    # Both sum the same float32 values in float64 (relative error <= count * 2^-53 each way), and the
    # variance is E[x^2] - mean^2: its error is that of E[x^2], amplified by E[x^2] / var; the results
    # are rounded to float32 (2^-24 relative).
    count = whole.shape[0] * t
    sum_error = count * 2.0**-53
    second = (whole**2).mean(axis=(0, 2))
    assert np.all(np.abs(mean - ref_mean) <= 2.0**-24 * np.abs(ref_mean) + 2 * sum_error * np.abs(whole).mean(axis=(0, 2)))
    var_error = 2 * sum_error * second / ref_std**2
    assert np.all(np.abs(std / ref_std - 1) <= 2.0**-24 + var_error)


@pytest.mark.slow
def test_store_built_in_two_processes_has_the_same_bytes(tmp_path):
    dataset = datasets.load("mhealth", formats.mhealth(tmp_path / "mhealth"))
    one, two = WindowStore(tmp_path / "one"), WindowStore(tmp_path / "two")
    one.open(dataset)
    two.open(dataset, processes=2)
    for name in ("x.f32", "labels.i32", "subjects.i32", "recordings.i32", "starts.f64", "manifest.json"):
        assert (one.path(dataset) / name).read_bytes() == (two.path(dataset) / name).read_bytes(), name
