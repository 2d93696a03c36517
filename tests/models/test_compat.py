"""Checkpoints written by wearclip 0.1 before the restructure still load and give the same embeddings.

`tests/support/checkpoints/v0.1-conv/` was written by `WearClip.save_pretrained` at the commit before the
package was split into layers (a small conv encoder with ``imu_kwargs``, provenance fields filled in);
`v0.1-conv-expected.npz` holds four random windows and the sensor and text embeddings that code computed.
"""

from pathlib import Path

import numpy as np
import pytest

import wearclip

CHECKPOINTS = Path(__file__).resolve().parents[1] / "support" / "checkpoints"
FLOAT32_EPS = float(np.finfo(np.float32).eps)


@pytest.fixture(scope="module")
def old():
    return wearclip.load(CHECKPOINTS / "v0.1-conv"), np.load(CHECKPOINTS / "v0.1-conv-expected.npz")


def test_old_checkpoint_gives_the_same_sensor_embeddings(old):
    model, expected = old
    # Only summation order may differ on another CPU: 4 layers of at most 24 x 24 = 576 products each,
    # each sum off by at most n * eps relative to the magnitude of its (order-1, normalised) terms.
    atol = 4 * 576 * FLOAT32_EPS
    np.testing.assert_allclose(model.encode_windows(expected["x"]), expected["sensor"], atol=atol, rtol=0)


def test_old_checkpoint_gives_the_same_text_embeddings(old):
    model, expected = old
    # MiniLM: 6 layers whose widest sums run over 1,536 terms, plus 2 head layers of 384 terms.
    atol = (6 * 1536 + 2 * 384) * FLOAT32_EPS
    got = model.encode_text(["someone walking", "someone lying down"])
    np.testing.assert_allclose(got, expected["text"], atol=atol, rtol=0)


def test_old_checkpoint_keeps_its_provenance_and_architecture(old):
    model, _ = old
    assert model.config.pretrained_on == ["uci-hapt"]
    assert model.config.vocabulary_version == "v-test"
    assert model.config.embed_dim == 16
    assert model.imu.out_dim == 24
