"""WindowStore: memory-mapped, reused, rebuilt when sources or settings change, read by a torch Dataset."""

import os

import numpy as np
import pytest
import torch

from tests.support import formats
from wearclip.config.window import WindowConfig
from wearclip.data import datasets
from wearclip.data.store import WindowDataset, WindowStore, default_cache_dir, read_manifest
from wearclip.data.windows import channel_stats, make_windows


@pytest.fixture
def mhealth_root(tmp_path):
    return formats.mhealth(tmp_path / "mhealth")


def counting(store, dataset, config=None):
    """Open through the store and report how many recordings had to be read."""
    seen = []
    windows = store.open(dataset, config, progress=seen.append)
    return windows, len(seen)


def test_store_equals_in_memory_windows_and_is_a_read_only_memmap(mhealth_root, tmp_path):
    dataset = datasets.load("mhealth", mhealth_root)
    windows = WindowStore(tmp_path / "cache").open(dataset)
    reference = make_windows(dataset.recordings(), dataset.classes)
    (memmap,) = windows.x.bases
    assert isinstance(memmap, np.memmap) and not memmap.flags.writeable
    with pytest.raises(ValueError):
        memmap[0, 0, 0] = 1.0
    np.testing.assert_array_equal(windows.x, reference.x)
    np.testing.assert_array_equal(windows.labels, reference.labels)
    np.testing.assert_array_equal(windows.subjects, reference.subjects)
    np.testing.assert_array_equal(windows.recordings, reference.recordings)
    np.testing.assert_allclose(windows.starts, reference.starts)
    assert windows.classes == dataset.classes
    columns = windows.manifest  # memory-mapped too, and shared (not copied) by a subject view
    assert all(isinstance(c, np.memmap) and not c.flags.writeable
               for c in (columns.labels, columns.subject_codes, columns.recording_codes, columns.starts))
    part = windows.of_subjects(["2"])
    assert part.manifest is columns and part.x.index is part.index
    np.testing.assert_array_equal(part.labels, reference.labels[reference.subjects == "2"])
    manifest = read_manifest(WindowStore(tmp_path / "cache").path(dataset))
    assert manifest["windows"] == len(reference) and manifest["recordings"] == 2
    assert manifest["hours"] == pytest.approx(2 * 900 / 50 / 3600)
    assert manifest["subjects"]["1"]["windows"] == int((reference.subjects == "1").sum())


def test_second_open_reuses_the_store_without_reading_the_dataset(mhealth_root, tmp_path):
    store = WindowStore(tmp_path / "cache")
    dataset = datasets.load("mhealth", mhealth_root)
    first, read_first = counting(store, dataset)
    second, read_second = counting(store, dataset)
    assert (read_first, read_second) == (2, 0)
    np.testing.assert_array_equal(first.x, second.x)
    assert len(list(store.cache_dir.iterdir())) == 1


def test_changed_source_file_or_settings_build_a_new_store(mhealth_root, tmp_path):
    store = WindowStore(tmp_path / "cache")
    dataset = datasets.load("mhealth", mhealth_root)
    before = store.path(dataset)
    counting(store, dataset)
    assert store.path(dataset, WindowConfig(overlap=0.0)) != before
    assert store.path(datasets.load("mhealth", mhealth_root, placement="wrist")) != before
    log = mhealth_root / "MHEALTHDATASET" / "mHealth_subject1.log"
    log.write_text(log.read_text())
    os.utime(log, ns=(1, 1))  # same content, new modification time: a different download
    assert store.path(dataset) != before
    _, read = counting(store, dataset)
    assert read == 2


def test_rebuild_replaces_the_store(mhealth_root, tmp_path):
    store = WindowStore(tmp_path / "cache")
    dataset = datasets.load("mhealth", mhealth_root)
    counting(store, dataset)
    seen = []
    store.open(dataset, rebuild=True, progress=seen.append)
    assert len(seen) == 2 and len(list(store.cache_dir.iterdir())) == 1


def test_cache_folder_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WEARCLIP_CACHE", str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache" / "windows"
    assert WindowStore().cache_dir == tmp_path / "env-cache" / "windows"
    assert WindowStore(tmp_path / "explicit").cache_dir == tmp_path / "explicit"
    monkeypatch.delenv("WEARCLIP_CACHE")
    assert default_cache_dir() == default_cache_dir().home() / ".cache" / "wearclip" / "windows"


def test_embedded_dataset_store_and_keep_unlabelled(tmp_path):
    store = WindowStore(tmp_path)
    dataset = datasets.load("uci-hapt")
    pure = store.open(dataset)
    everything = store.open(dataset, WindowConfig(keep_unlabelled=True))
    assert len(everything) > len(pure) and (everything.labels == -1).any() and (pure.labels >= 0).all()


def test_window_dataset_reads_normalised_batches_without_loading_everything(mhealth_root, tmp_path):
    windows = WindowStore(tmp_path / "cache").open(datasets.load("mhealth", mhealth_root))
    train = np.flatnonzero(windows.subjects == "1")
    mean, std = channel_stats(windows.x[train])
    data = WindowDataset(windows, indices=train[::-1], mean=mean, std=std)
    assert len(data) == len(train)
    x, y = data[0]
    assert x.shape == (3, 100) and x.dtype == torch.float32 and y.dtype == torch.int64
    expected = (windows.x[train[-1]] - mean[:, None]) / std[:, None]
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-5, atol=1e-6)
    loader = torch.utils.data.DataLoader(data, batch_size=8, shuffle=False)
    batches = list(loader)
    stacked = torch.cat([b[0] for b in batches]).numpy()
    np.testing.assert_allclose(stacked.mean(axis=(0, 2)), 0.0, atol=1e-4)
    assert stacked[:, 0].std() == pytest.approx(1.0, rel=1e-3)  # y and z are constant in the fixture
    np.testing.assert_array_equal(torch.cat([b[1] for b in batches]).numpy(), windows.labels[train[::-1]])


def test_a_dataset_both_zipped_and_extracted_is_refused_not_counted_twice(tmp_path):
    import shutil

    root = formats.motionsense(tmp_path / "ms")
    shutil.unpack_archive(root / "B_Accelerometer_data.zip", root)
    with pytest.raises(ValueError, match="recording 'dws_1' of subject '1' was read twice"):
        WindowStore(tmp_path / "cache").open(datasets.load("motionsense", root))
    assert list((tmp_path / "cache").iterdir()) == []
