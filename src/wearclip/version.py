"""The package version: part of every cache key, so a new version never reads an old cache."""

__version__ = "0.1.0"
