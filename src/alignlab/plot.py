"""Static plots of experiment results (used by `alignlab run --plot`).

Kept out of `core` and `experiments` on purpose: plotting is I/O. Matplotlib is imported
lazily with the non-interactive Agg backend, so it works on headless machines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# Preferred x axes, in order: the physical pressure axis when the experiment reports one.
_X_AXES = (
    ("kl", "KL from the base policy (nats)"),
    ("steps", "training steps"),
    ("pressure", "pressure (normalised)"),
)


def plot_result(data: dict[str, Any], path: str | Path) -> Path:
    """Write a PNG of proxy and true reward (top) and FR /100 (bottom) against pressure.

    The current setting is marked and the true-reward peak annotated.

    Examples:
        >>> import alignlab, tempfile, os
        >>> result = alignlab.run("goodhart", pressure=0.5)  # doctest: +SKIP
        >>> plot_result(result.to_dict(), "goodhart.png")  # doctest: +SKIP
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = {k: np.asarray(v, dtype=float) for k, v in data["curve"].items()}
    key, label = next((k, lab) for k, lab in _X_AXES if k in curve)
    x = curve[key]
    x_now = float(np.interp(data["params"]["pressure"], curve["pressure"], x))

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]}
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
        xytext=(0, 18),
        textcoords="offset points",
        # Keep the label inside the axes when the peak sits at either end of the curve.
        ha={0: "left", len(x) - 1: "right"}.get(int(peak["index"]), "center"),
        arrowprops={"arrowstyle": "->", "color": "#2b6cb0"},
    )
    top.margins(y=0.18)  # headroom so the peak label never meets the title
    top.set_ylabel("reward")
    top.legend(loc="best", fontsize=8)
    params = data["params"]
    top.set_title(
        f"{data['experiment']}: pressure {params['pressure']:.2f}, fidelity "
        f"{params['fidelity']:.2f}, oversight {params['oversight']:.2f} (seed {data['seed']})",
        fontsize=10,
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
    bottom.set_ylabel("FR /100")
    bottom.set_xlabel(label)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
