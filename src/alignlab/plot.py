"""Static plots of experiment results (used by `alignlab run --plot`).

Kept out of `core` and `experiments` on purpose: plotting is I/O. Matplotlib is imported
lazily with the non-interactive Agg backend, so it works on headless machines.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from alignlab._atomic import atomic_write_bytes
from alignlab.core import ExperimentSpec, ParameterError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_FORMATS = (".png", ".svg", ".pdf")
"""File types `plot_result` writes; a path with no suffix gets `.png`."""


def plot_path(path: str | Path) -> Path:
    """The file a plot goes to: `.png` added when there is no suffix, others refused.

    Raises:
        ParameterError: for a suffix matplotlib should not be asked to write.
    """
    out = Path(path)
    if not out.suffix:
        return out.with_suffix(".png")
    if out.suffix.lower() not in PLOT_FORMATS:
        raise ParameterError(
            f"--plot {path}: a plot is written as {', '.join(PLOT_FORMATS)}; got {out.suffix!r}"
        )
    return out


def _pressure_axis(data: dict[str, Any], spec: ExperimentSpec | None) -> tuple[np.ndarray, str]:
    """The x axis in physical units: the slider's declared mapping of the curve's pressure."""
    pressure = np.asarray(data["curve"]["pressure"], dtype=float)
    slider = spec.schema.pressure if spec is not None else None
    if slider is None or slider.to_physical is None:
        return pressure, "pressure (normalised)"
    x = np.array([float(slider.to_physical(float(p))) for p in pressure])
    quantity = slider.quantity.split(" (")[0]
    return x, f"{quantity} ({slider.unit})" if slider.unit else quantity


def build_figure(data: dict[str, Any], spec: ExperimentSpec | None = None) -> Figure:
    """The figure `plot_result` saves: rewards (top) and FR /100 (bottom) against pressure.

    The x axis is the pressure slider's physical quantity (log-scaled when it spans two
    orders of magnitude), failure rates start at 0, and the title names the options.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = {k: np.asarray(v, dtype=float) for k, v in data["curve"].items()}
    x, label = _pressure_axis(data, spec)
    x_now = float(np.interp(data["params"]["pressure"], curve["pressure"], x))

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]}
    )
    top.plot(
        x, curve["proxy"], color="#d9822b", lw=2, label="proxy reward (what the optimiser sees)"
    )
    top.plot(x, curve["true"], color="#2b6cb0", lw=2, label="true reward (what we meant)")
    top.scatter([x_now, x_now], [data["proxy"], data["true"]], color="black", zorder=5, s=30)
    top.axvline(x_now, color="black", lw=0.8, ls=":")
    peak = data["peak"]
    x_peak = float(x[int(peak["index"])])
    top.annotate(
        f"true peak {peak['true']:.2f}",
        xy=(x_peak, peak["true"]),
        xytext=(0, -22),
        textcoords="offset points",
        # Keep the label inside the axes when the peak sits at either end of the curve.
        ha={0: "left", len(x) - 1: "right"}.get(int(peak["index"]), "center"),
        va="top",
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
        arrowprops={"arrowstyle": "->", "color": "#2b6cb0"},
    )
    top.margins(y=0.18)
    top.set_ylabel("reward")
    params = data["params"]
    options = ", ".join(f"{k}={v}" for k, v in data.get("options", {}).items())
    top.set_title(
        f"{data['experiment']}: pressure {params['pressure']:.2f}, fidelity "
        f"{params['fidelity']:.2f}, oversight {params['oversight']:.2f} (seed {data['seed']})"
        + (f"\noptions: {options}" if options else ""),
        fontsize=9,
    )
    bottom.plot(x, curve["fr"], color="#c53030", lw=2, label="FR")
    if "fr_blended" in curve:  # goal-misgeneralization: FR over every test level
        bottom.plot(
            x, curve["fr_blended"], color="#c53030", lw=1, ls="--", label="FR, all test levels"
        )
    band = data.get("seed_band")
    if band:  # the across-seed mean +- sd of the FR curve
        mean, sd = np.asarray(band["curve_fr_mean"]), np.asarray(band["curve_fr_sd"])
        bottom.fill_between(
            x,
            mean - sd,
            mean + sd,
            color="#c53030",
            alpha=0.15,
            lw=0,
            label=f"mean +- sd over {len(band['seeds'])} seeds",
        )
    if "fr_blended" in curve or band:
        bottom.legend(loc="best", fontsize=8)
    lo, hi = data["fr_ci"]
    bottom.errorbar(
        [x_now],
        [data["fr"]],
        yerr=[[data["fr"] - lo], [hi - data["fr"]]],
        fmt="o",
        color="black",
        capsize=3,
    )
    bottom.set_ylim(0, max(5.0, float(np.nanmax(curve["fr"])), float(hi)) * 1.08)
    bottom.set_ylabel("FR /100")
    bottom.set_xlabel(label)
    if x.min() > 0 and x.max() / x.min() >= 100:
        bottom.set_xscale("log")
    # The legend sits under the title, outside the axes, so it never covers a curve.
    fig.legend(loc="upper center", bbox_to_anchor=(0.5, 0.93), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def plot_result(data: dict[str, Any], path: str | Path, spec: ExperimentSpec | None = None) -> Path:
    """Write a plot of proxy and true reward (top) and FR /100 (bottom) against pressure.

    The current setting is marked and the true-reward peak annotated. The file is written
    atomically; a path with no suffix gets `.png` (the path written is returned).

    Raises:
        ParameterError: for an unsupported suffix.
        OutputError: when the file cannot be written.

    Examples:
        >>> import alignlab
        >>> result = alignlab.run("goodhart", pressure=0.5)  # doctest: +SKIP
        >>> plot_result(result.to_dict(), "goodhart.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    out = plot_path(path)
    fig = build_figure(data, spec)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=120, format=out.suffix.lower().lstrip("."))
    plt.close(fig)
    return atomic_write_bytes(out, buffer.getvalue())
