"""The local web app (``wearclip serve``): label a recording with free-text activities, search sensor
archives with words, read the model's card."""

from .server import create_app

__all__ = ["create_app"]
