"""Atomic file writes: a reader (or a full disk) never sees half a file, and inputs stay intact.

Every command that writes a file (detect --output, bench report --html, bench rescore
--out, run --plot) writes to a temporary file in the same folder, then renames it over
the target, so a failure midway leaves the old file as it was. An output that names one
of the command's inputs is refused before anything is read or written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from alignlab.core import AlignlabError


class OutputError(AlignlabError, OSError):
    """An output file cannot be written, or would overwrite an input."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file (links and relative paths resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def refuse_input_as_output(
    output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]], flag: str
) -> None:
    """Raise `OutputError` when `output` is one of `inputs`.

    Raises:
        OutputError: naming the flag and the file.
    """
    for source in inputs:
        if same_file(output, source):
            raise OutputError(f"{flag} {output} is also an input; write to another file")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename.

    Raises:
        OutputError: when the folder is missing or the write fails (the target is untouched).
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: no such folder {folder}")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {target} ({exc.strerror or exc})") from None
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 `text` atomically (see `atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
