"""A common frequency band, so that devices sampled at different rates look alike to the encoder.

Datasets are resampled to one rate, but resampling cannot add what a device never recorded: WISDM's
watch (20 Hz) holds nothing above 10 Hz, DSADS (25 Hz) nothing above 12.5 Hz, while a phone at 50 Hz
or more has content up to 25 Hz. An encoder pre-trained on the fast devices can lean on that band and
then meet a slow device without it. A zero-phase low-pass applied to every input (in training and at
inference, ``WearClipConfig.lowpass_hz``) gives every device the same band; human activity lies
mostly below it.
"""

from __future__ import annotations

from functools import cache

import torch
import torch.nn.functional as F
from scipy.signal import firwin

TAPS = 51
"""Filter length: about 1 s at 50 Hz, a transition band of about 3 Hz (Hamming window)."""


@cache
def _taps(cutoff_hz: float, rate: float) -> tuple[float, ...]:
    return tuple(firwin(TAPS, cutoff_hz, fs=rate).tolist())


def lowpass(x: torch.Tensor, cutoff_hz: float, rate: float) -> torch.Tensor:
    """(B, C, T) windows sampled at ``rate`` Hz with the band above ``cutoff_hz`` removed: a linear-phase
    FIR (odd length, centred, so no delay), each end held to fill the filter."""
    if not 0 < cutoff_hz < rate / 2:
        raise ValueError(f"low-pass cut-off {cutoff_hz} Hz must lie between 0 and the Nyquist rate {rate / 2} Hz")
    b, c, t = x.shape
    kernel = torch.tensor(_taps(float(cutoff_hz), float(rate)), dtype=x.dtype, device=x.device)
    padded = F.pad(x.reshape(b * c, 1, t), (TAPS // 2, TAPS // 2), mode="replicate")
    return F.conv1d(padded, kernel.flip(0)[None, None]).reshape(b, c, t)
