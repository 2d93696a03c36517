"""One input normalisation for every model: training statistics as buffers, (x - mean) / std per channel."""

import numpy as np
import torch

from tests.support.synthetic import synthetic_windows
from wearclip.data.windows import channel_stats
from wearclip.models import WearClip
from wearclip.models.normalise import Normalised
from wearclip.train.baselines import build_ssl
from wearclip.train.supervised import SupervisedClassifier


def test_every_model_normalises_with_the_statistics_of_its_training_windows():
    windows = synthetic_windows(["walking", "lying down"], subjects=2, per_class=4)
    mean, std = channel_stats(windows.x)
    models = {"wearclip": WearClip(), "supervised": SupervisedClassifier(2), "cpc": build_ssl("cpc")}
    x = torch.as_tensor(windows.x[:3])
    expected = (x - torch.as_tensor(mean)[None, :, None]) / torch.as_tensor(std)[None, :, None]
    for name, model in models.items():
        assert isinstance(model, Normalised), name
        model.fit_normalization(windows.x)
        torch.testing.assert_close(model.normalise(x), expected, rtol=0, atol=0, msg=name)
    # WearClip keeps the buffer names of its checkpoints; the baselines keep theirs
    assert {"sensor_mean", "sensor_std"} <= set(models["wearclip"].state_dict())
    assert {"mean", "std"} <= set(models["supervised"].state_dict()) and {"mean", "std"} <= set(models["cpc"].state_dict())
    np.testing.assert_array_equal(models["wearclip"].sensor_std.numpy(), std)
