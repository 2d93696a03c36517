"""The common band: a zero-phase low-pass that keeps activity, removes what slow devices never record,
and is recorded in the model config so that inference filters as training did."""

import math

import pytest
import torch
from pydantic import ValidationError

from wearclip.config.model import WearClipConfig
from wearclip.data.band import TAPS, lowpass
from wearclip.data.gravity import to_frame
from wearclip.data.windows import channel_stats
from wearclip.models.wearclip import WearClip

EPS = torch.finfo(torch.float32).eps
RATE = 50.0
# A Hamming-windowed FIR's passband ripple and stopband gain are both below about 0.2 % (its first
# side lobe is 53 dB down): 1 % bounds them with room for float32 rounding of 51 products.
RIPPLE = 0.01


def tones(*hz: float) -> torch.Tensor:
    """One 4-s window per channel: a unit sine at each frequency."""
    t = torch.arange(200) / RATE
    return torch.stack([torch.sin(2 * math.pi * f * t) for f in hz])[None]


def test_the_band_below_the_cut_off_passes_and_the_band_above_ten_hz_does_not():
    filtered = lowpass(tones(1.0, 3.0, 12.0, 20.0), 8.0, RATE)
    middle = filtered[0, :, TAPS:-TAPS]  # away from the held ends
    unfiltered = tones(1.0, 3.0, 12.0, 20.0)[0, :, TAPS:-TAPS]
    # zero phase: the passband comes out in place, not delayed
    assert torch.allclose(middle[:2], unfiltered[:2], atol=RIPPLE)
    assert middle[2:].abs().max() < RIPPLE


def test_gravity_is_kept_exactly():
    # the taps sum to one, so a constant (gravity at rest) comes out unchanged, ends included
    x = torch.tensor([0.3, -0.5, 0.8])[None, :, None].expand(2, 3, 100)
    assert torch.allclose(lowpass(x, 8.0, RATE), x, atol=TAPS * EPS)


def test_a_cut_off_at_or_above_nyquist_is_refused():
    with pytest.raises(ValueError, match="Nyquist"):
        lowpass(tones(1.0), 25.0, RATE)
    with pytest.raises(ValidationError, match="Nyquist"):
        WearClipConfig(lowpass_hz=30.0)


def test_the_band_is_recorded_in_the_checkpoint_and_applied_before_the_frame(tmp_path):
    assert "lowpass_hz" not in WearClipConfig().model_dump()
    model = WearClip(WearClipConfig(lowpass_hz=8.0, frame="gravity"))
    loaded = WearClip.from_pretrained(model.save_pretrained(tmp_path / "m"))
    assert loaded.config.lowpass_hz == 8.0
    x = tones(2.0, 15.0, 0.0) + torch.tensor([0.0, 0.0, 1.0])[None, :, None]
    expected = to_frame(lowpass(x, 8.0, RATE), "gravity")
    torch.testing.assert_close(loaded.preprocess(x), expected)
    loaded.fit_normalization(x.numpy())
    mean, std = channel_stats(expected.numpy())
    torch.testing.assert_close(loaded.sensor_mean, torch.from_numpy(mean))
    torch.testing.assert_close(loaded.sensor_std, torch.from_numpy(std))
