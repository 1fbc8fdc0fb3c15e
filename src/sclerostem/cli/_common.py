"""Helpers shared by the CLI modules: error reporting, JSON input and atomic file output."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

from sclerostem.errors import InputError, SclerostemError

__all__ = ["atomic_path", "fail_on_input_error", "read_json", "run_or_exit"]

T = TypeVar("T")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success.

    The output file therefore appears whole or not at all.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; give the output the ordinary mode of a new file
        # (or keep the mode of the file it replaces).
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        tmp_path.chmod(mode)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def run_or_exit(func: Callable[[], T]) -> T:
    """Run ``func`` and return its value; turn a sclerostem input error into a clean message and exit code 2."""
    try:
        return func()
    except SclerostemError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc


def fail_on_input_error(func: Callable[[], None]) -> None:
    """Run ``func``; turn a sclerostem input error into a clean message and exit code 2."""
    run_or_exit(func)


def read_json(path: Path, field: str) -> Any:
    """The parsed JSON of ``path``; an unreadable file or bad JSON is an input error on ``field``."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(field, str(path), f"a readable JSON file ({exc})") from None
