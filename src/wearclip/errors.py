"""The errors a user sees: one family, so the command line catches them in one place.

Each is a :class:`WearClipError` whose message is one line naming the file, line, field or option and
what was expected. The value-error types also derive from :class:`ValueError` (and the file ones from
:class:`FileNotFoundError`), so code that caught the builtin types before keeps working.
"""

from __future__ import annotations


class WearClipError(Exception):
    """A problem with the user's input, files or settings (not a bug): one line says what and where."""


class DataFormatError(WearClipError, ValueError):
    """A file does not follow the layout its loader expects; the message names file and line or field."""


class ConfigError(WearClipError, ValueError):
    """A configuration that does not validate; the message lists each bad key by its path."""


class UsageError(WearClipError, ValueError):
    """An argument or option out of range, unknown, empty or contradictory; the message names it."""


class UnknownOptionError(UsageError, TypeError):
    """A keyword option a function does not take (e.g. a loader option of another dataset)."""


class UnknownNameError(WearClipError, KeyError):
    """A name that is not registered (dataset, encoder, preset, experiment, sentence mode)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CheckpointError(WearClipError, ValueError):
    """A checkpoint folder that is missing files, or whose config or weights do not load."""


class IndexFormatError(DataFormatError):
    """An embedding index whose files are missing, truncated or inconsistent with each other."""


class MissingFileError(WearClipError, FileNotFoundError):
    """An input file or folder the user named does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutputError(WearClipError, OSError):
    """An output cannot be written there: a file in the way, an unwritable folder, or a folder holding
    files wearclip did not write (which it never replaces)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class EndpointError(WearClipError, RuntimeError):
    """A remote service (LLM endpoint, dataset download) that is unreachable, refuses, or answers garbage."""


def validation_message(error) -> str:
    """A pydantic ``ValidationError`` as one line: ``path: message; path: message`` (no URL)."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ())) or "(top level)"
        message = "unknown key" if item.get("type") == "extra_forbidden" else item.get("msg", "invalid")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def yaml_message(error) -> str:
    """A PyYAML error as one line: the problem and its line and column, without the parser's marks."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem
