"""What every command shares: the two consoles, the option parsers and the error boundary.

Commands parse their options, call one library function and print. Every
:class:`~wearclip.errors.WearClipError` (and an ``OSError`` on a user's path) ends the command with one
line ``error: ...`` on stderr and exit code 2; anything else is a bug: one line and exit code 1, with the
traceback only under ``--debug`` or ``WEARCLIP_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from pathlib import Path

import typer
from rich.console import Console
from typer import _click as click  # typer ships its own copy of click; its exceptions are these
from typer.core import TyperGroup

from ..errors import UsageError, WearClipError

console = Console()  # results, tables, progress
errors = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)  # "error: ..." and "warning: ..." lines

USAGE, BUG, INTERRUPTED = 2, 1, 130
DEBUG_ENV = "WEARCLIP_DEBUG"
_state = {"debug": False}


# -- options ----------------------------------------------------------------------------------------
DEFAULT_MODEL = "wearclip-base"
"""The shipped model commands use when no checkpoint is given (see ``wearclip.list_models()``)."""
MODEL_HELP = f"WearClip checkpoint folder, a shipped model's name or a Hugging Face id [default: {DEFAULT_MODEL}]."


def names(text: str | None, option: str | None = None, unique: bool = True) -> list[str]:
    """A comma-separated list, stripped, empty items dropped; with ``option``, duplicates are an error."""
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    if option and unique and (twice := sorted({i for i in items if items.count(i) > 1})):
        raise UsageError(f"{option}: {', '.join(twice)} given more than once")
    return items


def pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``['mobifall=../data/mobifall-v2']`` -> ``{'mobifall': '../data/mobifall-v2'}`` (``--root``,
    ``--placement``, loader ``--option``)."""
    out: dict[str, str] = {}
    for value in values or []:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise UsageError(f"{option}: expected NAME=VALUE, got {value!r}")
        if name.strip() in out:
            raise UsageError(f"{option}: {name.strip()} given more than once")
        out[name.strip()] = rest.strip()
    return out


def out_option(default: str, what: str = "Output folder") -> Path:
    """``-o/--out``: the folder or file a command writes."""
    return typer.Option(None, "--out", "-o", help=f"{what} (default {default}).")


def overwrite_option():
    return typer.Option(False, "--overwrite", help="Write into an existing folder that holds other files, "
                        "replacing only the files wearclip wrote there (never anyone else's).")


def loader_option():
    return typer.Option([], "--option", help="Loader option KEY=VALUE, e.g. --option label_scheme=annotation "
                        "(capture24); repeatable.")


# -- the error boundary -----------------------------------------------------------------------------
def one_line(text: str) -> str:
    """A message on one line (continuation lines joined with '; ')."""
    return "; ".join(line.strip() for line in str(text).splitlines() if line.strip())


def debug() -> bool:
    return _state["debug"] or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def set_debug(value: bool) -> None:
    _state["debug"] = value


def report(error: BaseException) -> int:
    """Print one line for ``error`` on stderr and return the exit code."""
    from pydantic import ValidationError

    from ..errors import validation_message

    if isinstance(error, typer.Exit):
        return error.exit_code
    if isinstance(error, (KeyboardInterrupt, typer.Abort)):
        errors.print("error: interrupted", markup=False)
        return INTERRUPTED
    if isinstance(error, click.exceptions.NoArgsIsHelpError):  # the help is already shown
        return 0
    if isinstance(error, click.ClickException):
        where = f" (see {error.ctx.command_path} --help)" if getattr(error, "ctx", None) else ""
        message, code = error.format_message() + where, USAGE
    elif isinstance(error, WearClipError):
        message, code = str(error), USAGE
    elif isinstance(error, ValidationError):
        message, code = validation_message(error), USAGE
    elif isinstance(error, OSError) and error.filename:
        message, code = f"{error.filename}: {error.strerror or error}", USAGE
    else:
        message, code = f"internal error, please report it: {type(error).__name__}: {error}", BUG
        if not debug():
            message += f" (rerun with --debug or {DEBUG_ENV}=1 for the traceback)"
    if debug() and not isinstance(error, click.ClickException):
        traceback.print_exception(error, file=sys.stderr)
    errors.print(f"error: {one_line(message)}", markup=False)
    return code


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python warnings as one ``warning: ...`` line each."""
    errors.print(f"warning: {one_line(str(message))}", markup=False)


def quiet_model_loading() -> None:
    """No Hugging Face progress bars on stderr (it is for the one error line; progress goes to stdout)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # already imported (a notebook, a test): switch its bars off as well
        sys.modules["transformers"].utils.logging.disable_progress_bar()


class Boundary(TyperGroup):
    """The top-level group: runs a command and turns whatever it raises into one line and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        set_debug(False)
        quiet_model_loading()
        try:
            with warnings.catch_warnings():
                warnings.showwarning = show_warning
                result = super().main(args=args, prog_name=prog_name or "wearclip", complete_var=complete_var,
                                      standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except BaseException as error:  # the one place every error of a command ends up
            if isinstance(error, SystemExit):
                raise
            code = report(error)
        if standalone_mode:
            sys.exit(code)
        return code
