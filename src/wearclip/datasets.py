"""``wearclip.datasets``: the dataset registry under the name users know (it lives in :mod:`wearclip.data.datasets`)."""

from .data.datasets import *  # noqa: F403
from .data.datasets import __all__  # noqa: F401
