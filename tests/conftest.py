"""Shared test set-up: offline Hugging Face, paths to the real datasets in ../shared/data."""

import os
from pathlib import Path

import pytest

from tests.support.shared import shared_dataset

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Window stores, text embeddings and LLM replies of the test session go to a temporary folder,
    never into the user's ``~/.cache/wearclip`` (tests that need their own cache set it themselves)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("WEARCLIP_CACHE", str(tmp_path_factory.mktemp("wearclip-cache")))
    yield
    patch.undo()

@pytest.fixture(scope="session")
def hapt_root() -> Path:
    return shared_dataset("uci-hapt")


@pytest.fixture(scope="session")
def untrained_checkpoint(tmp_path_factory) -> Path:
    """An untrained WearClip (random conv encoder, the real MiniLM text tower), saved like any checkpoint."""
    import numpy as np
    import torch

    from wearclip.models import WearClip

    torch.manual_seed(0)
    model = WearClip()
    model.set_normalization(np.zeros(3), np.full(3, 0.5))
    return model.save_pretrained(tmp_path_factory.mktemp("model") / "checkpoint")
