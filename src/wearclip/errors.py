"""The errors a user sees: one family, so the command line catches them in one place."""

from __future__ import annotations


class WearClipError(Exception):
    """A problem with the user's input, files or settings (not a bug): one line says what and where."""


class DataFormatError(WearClipError, ValueError):
    """A file does not follow the layout its loader expects; the message names file and line or field."""



class ConfigError(WearClipError, ValueError):
    """A configuration that does not validate; the message lists each bad key by its path."""
