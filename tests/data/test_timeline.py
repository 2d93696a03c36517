"""Resampling to 50 Hz and the uniform timeline: frequency and amplitude survive, aliases do not, gaps split."""

import numpy as np
import pytest

from wearclip.data.datasets import Recording
from wearclip.data.datasets.timeline import estimate_rate, to_recordings
from wearclip.data.windows import resample


def spectrum_peak(x: np.ndarray, rate: float) -> tuple[float, float]:
    """(frequency, amplitude) of the strongest component, from a Hann-windowed FFT of the middle part."""
    x = x[len(x) // 10 : -len(x) // 10]  # edges carry the filter's transient
    window = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft((x - x.mean()) * window)) * 2 / window.sum()
    k = int(np.argmax(spectrum))
    return k * rate / len(x), float(spectrum[k])


def sine_recording(times: np.ndarray, freq: float, amplitude: float, rate: float) -> Recording:
    x = np.zeros((len(times), 3), np.float32)
    x[:, 0] = amplitude * np.sin(2 * np.pi * freq * times)
    x[:, 2] = 1.0
    return Recording("s", "r", x, np.zeros(len(times), np.int32), rate)


def test_5hz_sine_at_100hz_comes_out_at_50hz_with_frequency_and_amplitude():
    rate = 100.0
    out = resample(sine_recording(np.arange(2000) / rate, 5.0, 0.8, rate), 50.0)
    assert out.rate == 50.0 and len(out.signal) == 1000
    freq, amp = spectrum_peak(out.signal[:, 0], out.rate)
    assert freq == pytest.approx(5.0, abs=0.06)
    assert amp == pytest.approx(0.8, rel=0.02)
    assert out.signal[:, 2].mean() == pytest.approx(1.0, abs=1e-3)  # gravity offset kept


def test_5hz_sine_at_irregular_94hz_comes_out_at_50hz_with_frequency_and_amplitude():
    rng = np.random.default_rng(0)
    steps = rng.uniform(0.7, 1.3, 2400) / 94.0  # jittered sample times, mean rate 94 Hz
    times = np.concatenate([[0.0], np.cumsum(steps)])
    truth = sine_recording(times, 5.0, 0.8, 94.0)
    [uniform] = to_recordings("s", "r", truth.signal, truth.labels, times=times)
    assert uniform.rate == 94.0  # the grid runs at the stream's own rate
    out = resample(uniform, 50.0)
    assert out.rate == 50.0
    assert len(out.signal) == pytest.approx(times[-1] * 50, abs=2)
    freq, amp = spectrum_peak(out.signal[:, 0], out.rate)
    assert freq == pytest.approx(5.0, abs=0.06)
    assert amp == pytest.approx(0.8, rel=0.03)


def test_downsampling_is_anti_aliased():
    """A 40 Hz component at 100 Hz would fold to 10 Hz at 50 Hz without the low-pass filter."""
    rate = 100.0
    out = resample(sine_recording(np.arange(4000) / rate, 40.0, 1.0, rate), 50.0)
    _, amp = spectrum_peak(out.signal[:, 0], out.rate)
    assert amp < 0.02


def test_estimate_rate_ignores_jitter_and_pauses():
    rng = np.random.default_rng(1)
    times = (np.arange(2000) + rng.uniform(-0.4, 0.4, 2000)) / 200.0  # each sample late or early
    times[1000:] += 3.0  # a pause is not a sampling step
    assert estimate_rate(times) == 200.0


def test_missing_rows_split_a_regular_stream():
    x = np.ones((100, 3))
    x[40] = np.nan
    parts = list(to_recordings("s", "r", x, np.zeros(100, np.int32), rate=50.0))
    assert [(p.recording, len(p.signal), p.start) for p in parts] == [("r#0", 40, 0.0), ("r#1", 59, 41 / 50)]


def test_pauses_split_an_irregular_stream_but_jitter_and_duplicates_do_not():
    times = np.concatenate([np.arange(100) / 50, 10 + np.arange(100) / 50])
    times[10] = times[9]  # a duplicated timestamp
    times[50] += 0.004  # jitter
    labels = np.repeat([0, 1], 100).astype(np.int32)
    parts = list(to_recordings("s", "r", np.ones((200, 3)), labels, rate=50.0, times=times, max_gap=0.5))
    assert [p.recording for p in parts] == ["r#0", "r#1"]
    assert [len(p.signal) for p in parts] == [100, 100]
    assert parts[1].start == pytest.approx(10.0)
    assert (parts[0].labels == 0).all() and (parts[1].labels == 1).all()


def test_labels_follow_the_nearest_sample_on_the_grid():
    times = np.array([0.0, 0.03, 0.05, 0.061, 0.1])
    labels = np.array([0, 0, 1, 2, 2], np.int32)
    [out] = to_recordings("s", "r", np.ones((5, 3)), labels, rate=50.0, times=times)
    assert out.labels.tolist() == [0, 0, 1, 2, 2, 2]  # grid 0, .02, .04, .06, .08, .10
