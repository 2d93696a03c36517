"""A small real model for the app's tests: a few epochs of NLS pre-training on the embedded UCI HAPT copy,
an index of two test subjects, and one official HAPT recording written as the generic CSV of docs/data.md."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from wearclip.config.model import WearClipConfig
from wearclip.config.train import TrainConfig
from wearclip.data import datasets
from wearclip.data.splits import subject_split
from wearclip.data.windows import make_windows
from wearclip.io import write_json
from wearclip.metrics import evaluate_predictions
from wearclip.models import WearClip
from wearclip.retrieval.index import index_dataset
from wearclip.runtime import seed_everything
from wearclip.text import base_sentence
from wearclip.train import fit_pretraining

EXPERIMENT, USER = "01", "01"


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """(checkpoint folder, test subjects): 3 epochs on 8 train subjects (about half a minute on 2 cores), saved
    in a run folder beside a metrics.json of its zero-shot macro-F1 on the split's test subjects."""
    classes = datasets.get("uci-hapt").classes
    windows = make_windows(datasets.load("uci-hapt").recordings(), classes)
    split = subject_split(windows.subjects, 0)
    train, val, test = (windows.of_subjects(s) for s in (split.train[:8], split.val[:2], split.test))
    sentences = [[base_sentence(c)] for c in classes]
    seed_everything(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model = WearClip(WearClipConfig(pretrained_on=["uci-hapt"]))
        result = fit_pretraining(model, train, val, TrainConfig(epochs=3, patience=3, seed=0), class_sentences=sentences)
    finally:
        torch.set_num_threads(threads)
    run = tmp_path_factory.mktemp("run")
    checkpoint = result.model.save_pretrained(run / "checkpoint")
    model = WearClip.from_pretrained(checkpoint)
    zeroshot = model.classify(test.x, classes)
    predicted = np.array([classes.index(a) for a in zeroshot.labels])
    write_json(run / "metrics.json", {"zeroshot": evaluate_predictions(test.labels, predicted, classes).to_dict()})
    return checkpoint, list(split.test)


@pytest.fixture(scope="session")
def model(trained):
    return WearClip.from_pretrained(trained[0])


@pytest.fixture(scope="session")
def index(model, trained, tmp_path_factory):
    """The windows of two test subjects of the official HAPT files, embedded by the trained model."""
    from tests.support.shared import shared_dataset

    root = shared_dataset("uci-hapt")
    return index_dataset(model, datasets.load("uci-hapt", root), tmp_path_factory.mktemp("index") / "hapt",
                         trained[0], subjects=trained[1][:2])


def hapt_as_generic_csv(root: Path, out: Path) -> Path:
    """RawData/acc_expEE_userUU.txt (three space-separated columns x y z in g at 50 Hz, per the dataset's
    README) with its labels.txt segments (exp user activity start end; start/end read as 0-based inclusive
    sample indices, as the uci-hapt loader documents) as a generic CSV: x, y, z and the activity phrase."""
    signal = np.loadtxt(root / "RawData" / f"acc_exp{EXPERIMENT}_user{USER}.txt")
    labels = np.full(len(signal), "", dtype=object)
    classes = datasets.get("uci-hapt").classes
    for exp, _, activity, start, end in np.loadtxt(root / "RawData" / "labels.txt", dtype=int):
        if exp == int(EXPERIMENT):
            labels[start : end + 1] = classes[activity - 1]
    frame = pd.DataFrame({"x": signal[:, 0], "y": signal[:, 1], "z": signal[:, 2], "label": labels})
    frame.to_csv(out, index=False, float_format="%.7g")
    return out


@pytest.fixture(scope="session")
def hapt_csv(hapt_root, tmp_path_factory):
    return hapt_as_generic_csv(hapt_root, tmp_path_factory.mktemp("upload") / f"hapt-exp{EXPERIMENT}.csv")
