"""The example notebook runs headless, top to bottom, in a real Jupyter kernel."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import alignlab

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_lab_notebook_runs_and_shows_the_widget(tmp_path: Path) -> None:
    nb = nbformat.read(ROOT / "examples" / "lab-in-a-notebook.ipynb", as_version=4)
    env = {
        **os.environ,
        "ALIGNLAB_CACHE_DIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    view = code[0].outputs[-1]["data"]
    assert "application/vnd.jupyter.widget-view+json" in view  # a live widget, not a repr
    printed = "".join(o.get("text", "") for o in code[1].outputs)
    expected = alignlab.run("goodhart", pressure=0.9, fidelity=0.3)
    fr = re.search(r"FR ([0-9.]+) /100", printed)
    assert fr is not None and float(fr.group(1)) == round(expected.fr, 1)
