"""Across-seed summaries and plots of a sweep's results file.

A sweep's question is how a metric moves with a setting, beyond seed noise; so every
number here is a mean over seeds at one setting, with a band that says which spread it
is: `ci`, the 95% bootstrap percentile interval of the across-seed mean (2,000 resamples
of the seeds, seeded, so a figure redraws identically; Efron & Tibshirani 1993, ch. 13),
or `spread`, the 2.5-97.5 percentiles of the seeds themselves (where one seed's run lands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from alignlab.core import SLIDERS, ParameterError
from alignlab.sweep._table import read_metadata, read_results

Band = Literal["ci", "spread"]
BANDS: dict[str, str] = {
    "ci": "95% bootstrap CI of the mean over seeds",
    "spread": "2.5-97.5 percentiles of seeds",
}
METRICS: dict[str, str] = {
    "fr": "FR /100",
    "true": "true reward",
    "proxy": "proxy reward",
}
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class Group:
    """One setting of a sweep and its metric over seeds.

    Attributes:
        settings: The setting columns and their values (sliders, options).
        seeds: How many seeds ran at this setting.
        mean: Mean of the metric over those seeds.
        lo: Lower end of the band.
        hi: Upper end of the band.
    """

    settings: Mapping[str, Any]
    seeds: int
    mean: float
    lo: float
    hi: float


def setting_columns(names: Sequence[str]) -> list[str]:
    """The columns that define a setting (everything a run varies except its seed)."""
    return [*SLIDERS, *(n for n in names if n.startswith("option_"))]


def band(values: np.ndarray, kind: Band, rng: np.random.Generator) -> tuple[float, float]:
    """The band of `values` (one metric over seeds) of the given kind; one seed: no width."""
    if kind not in BANDS:
        raise ParameterError(f"band must be one of {', '.join(BANDS)}; got {kind!r}")
    if values.size == 1:
        return float(values[0]), float(values[0])
    if kind == "spread":
        lo, hi = np.percentile(values, [2.5, 97.5])
        return float(lo), float(hi)
    picks = rng.integers(0, values.size, size=(BOOTSTRAP_RESAMPLES, values.size))
    means = values[picks].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _column_name(names: Sequence[str], name: str) -> str:
    """Accept `pressure`, an option by its bare name (`tail`) or any column name."""
    if name in names:
        return name
    if f"option_{name}" in names:
        return f"option_{name}"
    raise ParameterError(f"no column {name!r} in the results (columns: {', '.join(names)})")


def _filter(table: Any, where: Mapping[str, str]) -> Any:
    import pyarrow.compute as pc

    for raw_name, raw_value in where.items():
        name = _column_name(table.column_names, raw_name)
        column = table.column(name)
        values = set(column.to_pylist())
        match = [v for v in values if str(v) == raw_value]
        if not match:
            try:
                number = float(raw_value)
            except ValueError:
                number = None
            match = [
                v
                for v in values
                if number is not None
                and isinstance(v, int | float)
                and abs(float(v) - number) < 1e-9
            ]
        if not match:
            shown = ", ".join(sorted(str(v) for v in values))
            raise ParameterError(f"--where {raw_name}={raw_value}: no rows (values: {shown})")
        table = table.filter(pc.equal(column, match[0]))
    return table


def group_over_seeds(table: Any, metric: str, by: Sequence[str], kind: Band = "ci") -> list[Group]:
    """Group `table` by the `by` columns and reduce `metric` over seeds in each group."""
    values = np.asarray(table.column(metric).to_numpy(zero_copy_only=False), dtype=float)
    keys = list(zip(*(table.column(name).to_pylist() for name in by), strict=True))
    index: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(keys):
        index.setdefault(key, []).append(i)
    rng = np.random.default_rng(0)
    groups = []
    for key in sorted(index, key=_sort_key):
        seeds = values[index[key]]
        seeds = seeds[np.isfinite(seeds)]
        if seeds.size == 0:
            continue
        lo, hi = band(seeds, kind, rng)
        groups.append(
            Group(dict(zip(by, key, strict=True)), int(seeds.size), float(seeds.mean()), lo, hi)
        )
    return groups


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, v) if isinstance(v, int | float) else (1, str(v)) for v in key)


def summarize(
    path: str | Path,
    *,
    metric: str = "fr",
    band_kind: Band = "ci",
    where: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The grouped table of a results file: one entry per setting, the metric over seeds.

    Only settings that vary in the file are listed as columns.

    Raises:
        ParameterError: for a file that is not a sweep's results, or an unknown column.
    """
    table = _filter(read_results(path), where or {})
    metric = _column_name(table.column_names, metric)
    settings = setting_columns(table.column_names)
    varying = [n for n in settings if len(set(table.column(n).to_pylist())) > 1]
    groups = group_over_seeds(table, metric, varying, band_kind)
    return {
        "experiment": read_metadata(Path(path))["spec"]["experiment"],
        "rows": table.num_rows,
        "metric": metric,
        "band": BANDS[band_kind],
        "fixed": {
            n: table.column(n)[0].as_py() for n in settings if n not in varying and table.num_rows
        },
        "groups": [
            {**g.settings, "seeds": g.seeds, "mean": g.mean, "lo": g.lo, "hi": g.hi} for g in groups
        ],
    }


def plot_sweep(
    path: str | Path,
    out: str | Path,
    *,
    x: str = "pressure",
    hue: str | None = None,
    metric: str = "fr",
    band_kind: Band = "ci",
    where: Mapping[str, str] | None = None,
) -> Path:
    """Draw `metric` against `x`, one line per `hue` value: the across-seed mean and a band.

    Settings other than `x` and `hue` must not vary (fix them with `where`), so that a
    line never silently averages over a setting. The format follows `out`'s suffix
    (.png or .svg).

    Example:
        >>> plot_sweep("goodhart.parquet", "fr.png", x="pressure", hue="fidelity")  # doctest: +SKIP

    Raises:
        ParameterError: for an unknown column, a bad suffix, or a setting that varies.
    """
    target = Path(out)
    if target.suffix.lower() not in (".png", ".svg"):
        raise ParameterError(f"--out must end in .png or .svg; got {target.name!r}")
    if not target.parent.is_dir():
        raise ParameterError(f"--out {target}: folder {target.parent} does not exist")
    table = _filter(read_results(path), where or {})
    names = table.column_names
    x_name = _column_name(names, x)
    hue_name = _column_name(names, hue) if hue else None
    metric_name = _column_name(names, metric)
    by = [x_name] + ([hue_name] if hue_name else [])
    for name in setting_columns(names):
        if name not in by and len(set(table.column(name).to_pylist())) > 1:
            raise ParameterError(
                f"{name} varies in the results; fix it with --where {name}=VALUE or use it as --hue"
            )
    groups = group_over_seeds(table, metric_name, by, band_kind)
    experiment = read_metadata(Path(path))["spec"]["experiment"]

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    hues = list(dict.fromkeys(g.settings[hue_name] for g in groups)) if hue_name else [None]
    colours = plt.get_cmap("viridis")(np.linspace(0.05, 0.85, max(len(hues), 1)))
    seeds = sorted({g.seeds for g in groups})
    for colour, hue_value in zip(colours, hues, strict=True):
        line = [g for g in groups if hue_name is None or g.settings[hue_name] == hue_value]
        xs = np.array([float(g.settings[x_name]) for g in line])
        label = None if hue_name is None else f"{hue_name.removeprefix('option_')} = {hue_value}"
        ax.plot(xs, [g.mean for g in line], color=colour, lw=2, label=label)
        ax.fill_between(xs, [g.lo for g in line], [g.hi for g in line], color=colour, alpha=0.2)
    seed_text = f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}"
    ax.set_xlabel(x_name.removeprefix("option_"))
    ax.set_ylabel(METRICS.get(metric_name, metric_name))
    ax.set_title(
        f"{experiment}: mean over {seed_text} seeds; band = {BANDS[band_kind]}", fontsize=10
    )
    if hue_name is not None:
        ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(target, format=target.suffix.lower().lstrip("."))
    plt.close(fig)
    return target
