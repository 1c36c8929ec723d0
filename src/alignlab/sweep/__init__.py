"""Sweeps: an experiment over slider grids x option values x seeds, on Ray, into Parquet.

The only package that imports Ray (lazily, so `import alignlab.sweep` works without it;
a sweep then says in one line how to install `alignlab[scale]`):

    >>> from alignlab.sweep import plan
    >>> plan("goodhart", pressure="0:1:21", fidelity="0,0.5,1", seeds="0:100").size
    6300

`run_sweep(spec, "results.parquet")` runs it (embedded local Ray, or a cluster with
`address=`); `summarize` and `plot_sweep` read the file back. See docs/sweep.md.
"""

from alignlab.sweep._analysis import BANDS, METRICS, Group, group_over_seeds, plot_sweep, summarize
from alignlab.sweep._engine import Progress, SweepReport, map_runs, run_sweep
from alignlab.sweep._spec import MAX_RUNS, Run, SweepSpec, plan, run_key
from alignlab.sweep._table import INSTALL_HINT, read_metadata, read_results

__all__ = [
    "BANDS",
    "INSTALL_HINT",
    "MAX_RUNS",
    "METRICS",
    "Group",
    "Progress",
    "Run",
    "SweepReport",
    "SweepSpec",
    "group_over_seeds",
    "map_runs",
    "plan",
    "plot_sweep",
    "read_metadata",
    "read_results",
    "run_key",
    "run_sweep",
    "summarize",
]
