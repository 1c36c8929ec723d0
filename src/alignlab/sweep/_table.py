"""Sweep results on disk: one Parquet row per run, written so a killed sweep keeps its rows.

A Parquet file is unreadable until its footer is written, so rows are never appended to
the output file while a sweep runs. Each finished batch is written at once as a small,
complete Parquet file in `RESULTS.parquet.partial/` (to a temporary name, then renamed,
so a part is either whole or absent). When the sweep ends, is interrupted, or is resumed,
the old output and the parts are streamed through one `pyarrow.parquet.ParquetWriter`
into a new file that replaces the old one atomically, and the parts are removed.

Columns: `experiment`, `experiment_version`, `alignlab_version`, `pressure`, `fidelity`,
`oversight`, `option_<name>` (one per option), `seed`, `physical_<name>` (numbers as
float64, text as string), `fr`, `fr_lo`, `fr_hi` (the run's 95% interval of FR),
`proxy`, `true`, `peak_pressure`, `peak_true`, `peak_proxy`, `run_ms`, and
`curve_<name>` as list<float64>. The sweep spec is JSON in the file's key-value metadata
under `alignlab.sweep` (the latest command) and `alignlab.sweep_history` (all of them).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from alignlab.core import AlignlabError, ParameterError
from alignlab.sweep._spec import RunKey, run_key
from alignlab.sweep._worker import Columns

INSTALL_HINT = "pip install 'alignlab[scale]'"
PARTIAL_SUFFIX = ".partial"
META_SPEC = b"alignlab.sweep"
META_HISTORY = b"alignlab.sweep_history"
ROW_GROUP_ROWS = 4096
"""Rows per Parquet row group in the final file (parts are merged up to this size)."""

KEY_COLUMNS = ("experiment_version", "pressure", "fidelity", "oversight", "seed")


def require(module: str) -> Any:
    """Import `module` (ray or pyarrow) or raise one line that says how to install it.

    Raises:
        AlignlabError: if the module is not installed.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise AlignlabError(
            f"sweeps need {top}, which is not installed; install it with: {INSTALL_HINT}"
        ) from None


def require_installed(module: str) -> None:
    """Check that `module` can be imported, without importing it (Ray takes seconds).

    Raises:
        AlignlabError: if it is not installed, with the one-line install hint.
    """
    import importlib.util
    import sys

    if module in sys.modules:
        if sys.modules[module] is None:
            require(module)  # raises the install hint
        return
    if importlib.util.find_spec(module) is None:
        require(module)


def partial_dir(out: Path) -> Path:
    """The folder that holds the finished-but-unmerged batches of a sweep into `out`."""
    return out.with_name(out.name + PARTIAL_SUFFIX)


def columns_to_table(columns: Columns) -> Any:
    """Type a batch's columns (see the module docstring) into a `pyarrow.Table`."""
    pa = require("pyarrow")
    arrays = {}
    for name, values in columns.items():
        kind = _arrow_type(pa, name, values)
        if kind is not None:
            arrays[name] = pa.array(values, type=kind)
    return pa.table(arrays)


def _arrow_type(pa: Any, name: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if name.startswith("curve_"):
        return pa.list_(pa.float64())
    if name in ("experiment", "alignlab_version"):
        return pa.string()
    if name in ("experiment_version", "seed"):
        return pa.int64()
    if all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if all(isinstance(v, str) for v in present):
        return pa.string()
    if name.startswith("option_") and all(isinstance(v, int) for v in present):
        return pa.int64()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.float64()
    raise AlignlabError(f"column {name!r} mixes value types; cannot store it in Parquet")


class PartWriter:
    """Writes each finished batch as a complete Parquet file under `partial_dir(out)`."""

    def __init__(self, out: Path) -> None:
        self.folder = partial_dir(out)
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = [int(p.stem.split("-")[-1]) for p in self.folder.glob("part-*.parquet")]
        self._next = max(existing, default=-1) + 1

    def write(self, table: Any) -> Path:
        """Write `table` as the next part, atomically (temporary name, then rename)."""
        pq = require("pyarrow.parquet")
        path = self.folder / f"part-{self._next:06d}.parquet"
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
        self._next += 1
        return path


def _sources(out: Path) -> list[Path]:
    """The output file (if any) and its finished parts, in the order they were written."""
    files = [out] if out.is_file() else []
    folder = partial_dir(out)
    if folder.is_dir():
        files += sorted(folder.glob("part-*.parquet"))
    return files


def done_keys(out: Path, experiment: str) -> set[RunKey]:
    """Resume keys of every run already in `out` or its parts.

    Raises:
        ParameterError: if those rows belong to another experiment.
    """
    pq = require("pyarrow.parquet")
    keys: set[RunKey] = set()
    for path in _sources(out):
        table = _read(pq, path)
        names = table.column_names
        if table.num_rows == 0:
            continue
        found = set(table.column("experiment").to_pylist())
        if found != {experiment}:
            raise ParameterError(
                f"{out} holds runs of {', '.join(sorted(found))}, not {experiment}; "
                "use another --out"
            )
        option_names = [n for n in names if n.startswith("option_")]
        cols = {n: table.column(n).to_pylist() for n in (*KEY_COLUMNS, *option_names)}
        for i in range(table.num_rows):
            options = {n.removeprefix("option_"): cols[n][i] for n in option_names}
            keys.add(
                run_key(
                    cols["experiment_version"][i],
                    cols["pressure"][i],
                    cols["fidelity"][i],
                    cols["oversight"][i],
                    options,
                    cols["seed"][i],
                )
            )
    return keys


def _read(pq: Any, path: Path, columns: list[str] | None = None) -> Any:
    try:
        if columns is None:
            schema = pq.read_schema(path)
            columns = [
                n for n in schema.names if n in KEY_COLUMNS or n.startswith(("option_", "exp"))
            ]
        return pq.read_table(path, columns=columns)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read {path} as Parquet: {exc}") from None


def finalize(out: Path, spec: Mapping[str, Any]) -> int:
    """Merge `out` and its parts into a new `out` (atomically); return its row count.

    The spec goes into the file's metadata; earlier specs are kept in the history.
    Without parts the file is left as it is.

    Raises:
        AlignlabError: if the parts disagree on a column's type.
    """
    pa = require("pyarrow")
    pq = require("pyarrow.parquet")
    sources = _sources(out)
    if not sources:
        return 0
    if sources == [out]:  # nothing new (a resume that found every run done): keep the file
        return int(pq.read_metadata(out).num_rows)
    schemas = [pq.read_schema(path) for path in sources]
    try:
        schema = pa.unify_schemas([s.remove_metadata() for s in schemas])
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise AlignlabError(f"sweep parts of {out} disagree on a column type: {exc}") from None
    history = read_metadata(out).get("history", []) if out.is_file() else []
    metadata = {
        META_SPEC: json.dumps(spec).encode(),
        META_HISTORY: json.dumps([*history, spec]).encode(),
    }
    schema = schema.with_metadata(metadata)
    tmp = out.with_name(out.name + ".tmp")
    rows = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        for batch in _regrouped(pa, pq, sources, schema):
            writer.write_table(batch, row_group_size=ROW_GROUP_ROWS)
            rows += batch.num_rows
    os.replace(tmp, out)
    folder = partial_dir(out)
    if folder.is_dir():
        shutil.rmtree(folder)
    return rows


def _regrouped(pa: Any, pq: Any, sources: list[Path], schema: Any) -> Iterator[Any]:
    """Stream every source's rows in `schema`, merged into tables of ~ROW_GROUP_ROWS rows."""
    pending: list[Any] = []
    count = 0
    for path in sources:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=ROW_GROUP_ROWS):
            table = _conform(pa, pa.Table.from_batches([batch]), schema)
            pending.append(table)
            count += table.num_rows
            if count >= ROW_GROUP_ROWS:
                yield pa.concat_tables(pending)
                pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _conform(pa: Any, table: Any, schema: Any) -> Any:
    """Reorder `table`'s columns to `schema`, adding null columns it lacks."""
    columns = [
        table.column(field.name)
        if field.name in table.column_names
        else pa.nulls(table.num_rows, type=field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def read_metadata(path: Path) -> dict[str, Any]:
    """The sweep spec stored in a results file: {"spec": latest, "history": [all]}.

    Raises:
        ParameterError: if the file is not a Parquet file written by a sweep.
    """
    pq = require("pyarrow.parquet")
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read {path} as Parquet: {exc}") from None
    if META_SPEC not in meta:
        raise ParameterError(f"{path} was not written by `alignlab sweep` (no sweep metadata)")
    return {
        "spec": json.loads(meta[META_SPEC]),
        "history": json.loads(meta.get(META_HISTORY, b"[]")),
    }


def read_results(path: str | Path, columns: list[str] | None = None) -> Any:
    """Read a results file into a `pyarrow.Table` (a regular file of this sweep format).

    Raises:
        ParameterError: if `path` is not a regular file or not a sweep's Parquet file.
    """
    pq = require("pyarrow.parquet")
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"{file} is not a results file (run `alignlab sweep` first)")
    read_metadata(file)
    try:
        return pq.read_table(file, columns=columns)
    except (KeyError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ParameterError(f"cannot read {columns} from {file}: {exc}") from None
