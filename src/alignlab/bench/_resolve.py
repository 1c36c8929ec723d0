"""Resolve what a user names as a log (a file, several files, a folder) to one log file.

`bench compare base.eval logs/cand/` or `logs/cand/*refusal*.eval` (which the shell
expands to every matching file, the interrupted and resumed ones included) means "the
latest complete log of this suite there"; this module finds it and says which it took.
"""

from __future__ import annotations

from pathlib import Path

from inspect_ai.log import read_eval_log

from alignlab.bench._metrics import LogError


def suite_of(path: Path) -> tuple[str | None, str | None]:
    """The log's alignlab suite (or Inspect task name) and status, from its header."""
    try:
        header = read_eval_log(str(path), header_only=True)
    except Exception:  # not a log, or one being written: never chosen
        return None, None
    meta = header.eval.metadata or {}
    suite = meta.get("alignlab_suite") or header.eval.task.split("/")[-1]
    return str(suite), header.status


def resolve_log(names: list[str], suite: str | None = None) -> tuple[str, str | None]:
    """Choose one log file among files and folders.

    One file is itself; otherwise the newest complete log (of `suite`, when given).

    Returns:
        The chosen path, and a note saying which was chosen and why (None for one file).

    Raises:
        LogError: when nothing there is a complete log of the suite.
    """
    if len(names) == 1 and not Path(names[0]).is_dir():
        return names[0], None
    files: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(path.glob("*.eval")) + sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise LogError(f"{name}: no such log file or folder")
    complete = []
    for file in files:
        found_suite, status = suite_of(file)
        if status == "success" and (suite is None or found_suite == suite):
            complete.append(file)
    what = f"of {suite} " if suite else ""
    if not complete:
        raise LogError(f"{' '.join(names)}: no complete log {what}there")
    chosen = max(complete, key=lambda f: (f.stat().st_mtime, f.name))
    note = f"using {chosen}, the latest complete log {what}of {len(files)} given"
    return str(chosen), note
