"""The widget inside a real JupyterLab: the example notebook, opened and run in Chromium.

`test_widget.py` drives the widget's module beside the Python widget with a stand-in
for the notebook's widget manager; this runs the real thing: JupyterLab on 127.0.0.1
(a free port, a token, its settings and workspaces in a temporary folder), the example
notebook's first cell run from the keyboard, and the widget that cell shows rendered by
JupyterLab's own widget manager, dragged with the mouse and read back in Python.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import alignlab
from tests.lab._browser import screenshot_path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "lab-in-a-notebook.ipynb"
EXACT = ".alignlab-widget .readout[data-source='exact']"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab serving a copy of the example notebook; yields its URL with the token."""
    root = tmp_path / "notebooks"
    root.mkdir()
    (root / NOTEBOOK.name).write_bytes(NOTEBOOK.read_bytes())
    # No "get Jupyter news?" prompt over the notebook (and no fetch of it).
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    token = secrets.token_hex(16)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "ALIGNLAB_CACHE_DIR": str(tmp_path / "cache"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
    }
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "jupyterlab", "--no-browser"),
            *("--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"),
            *("--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"),
            f"--ServerApp.root_dir={root}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no PyPI look-ups
            "--ServerApp.terminals_enabled=False",
            # CI containers run as root, where Jupyter asks for this; it binds 127.0.0.1.
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = 180.0
        start = time.monotonic()
        while True:
            if server.poll() is not None:
                log.flush()
                pytest.fail((tmp_path / "jupyterlab.log").read_text()[-3000:])
            try:
                status = httpx.get(
                    f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=5
                )
                if status.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() - start < deadline, "JupyterLab did not start"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}?token={token}"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def _accept_dialogs(page: Any) -> None:
    """Accept any modal JupyterLab opens on its own (a kernel choice while the kernel
    connects, on a slow machine): it would take every click meant for the notebook."""
    for _ in range(5):
        dialog = page.locator(".jp-Dialog")
        if not dialog.count():
            return
        accept = dialog.locator(".jp-Dialog-button.jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(500)


def _run_cell(page: Any, index: int) -> None:
    """Run code cell `index` of the open notebook from the keyboard (Shift+Enter)."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    started = cell.locator(".jp-InputPrompt").get_by_text(re.compile(r"\[[0-9*]+\]"))
    # A key pressed while the notebook is still connecting its kernel can be lost: press
    # again until the cell shows it runs ([*]) or ran ([n]); running it twice is harmless.
    deadline = time.monotonic() + 180
    while True:
        _accept_dialogs(page)
        try:
            cell.locator(".jp-InputPrompt").click(timeout=20_000)  # selects it, command mode
            page.keyboard.press("Shift+Enter")
            started.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            assert time.monotonic() < deadline, f"cell {index} never started"


READOUT = """() => {
  const r = document.querySelector(".alignlab-widget .readout").dataset;
  return { fr: Number(r.fr), true: Number(r.true),
           dial: document.querySelector(".alignlab-widget #fr-value").textContent };
}"""


@pytest.mark.slow
@pytest.mark.browser
def test_example_notebook_in_jupyterlab_shows_a_live_widget(
    jupyterlab: str, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 2000})
    page = context.new_page()
    try:
        page.goto(jupyterlab, timeout=180_000)
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=180_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=180_000
        )
        _run_cell(page, 0)
        page.locator(EXACT).wait_for(timeout=180_000)  # rendered by JupyterLab's manager
        slider = page.locator(".alignlab-widget input[name=pressure]")
        assert float(slider.input_value()) == 0.9
        assert page.locator(".alignlab-widget #fr-value").is_visible()  # the FR dial
        shown = page.evaluate(READOUT)
        first = alignlab.run("goodhart", pressure=0.9, fidelity=0.3)
        assert shown["fr"] == first.fr and shown["dial"] == f"{first.fr:.1f}"

        # Drag pressure down with the mouse; on release Python computes the exact run.
        box = slider.bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 8 + 0.9 * (box["width"] - 16), y)
        page.mouse.down()
        page.mouse.move(box["x"] + 8 + 0.2 * (box["width"] - 16), y, steps=12)
        page.mouse.up()
        pressure = float(slider.input_value())
        assert pressure < 0.4
        moved = alignlab.run("goodhart", pressure=pressure, fidelity=0.3)
        page.wait_for_function(
            "(fr) => { const r = document.querySelector('.alignlab-widget .readout').dataset;"
            " return r.source === 'exact' && Number(r.fr) === fr; }",
            arg=moved.fr,
            timeout=120_000,
        )
        assert page.evaluate(READOUT)["true"] == moved.true

        # The notebook's next cell reads `w.result`: the run for the dragged slider.
        _run_cell(page, 1)
        output = page.locator(".jp-Notebook .jp-CodeCell").nth(1).locator(".jp-OutputArea")
        output.get_by_text(re.compile(r"FR [0-9.]+ /100")).wait_for(timeout=120_000)
        assert f"FR {moved.fr:.1f} /100" in output.inner_text()
        # The docs show the widget as JupyterLab renders it: the first cell and its output.
        shot = screenshot_path("notebook-jupyterlab.png", tmp_path)
        page.locator(".jp-Notebook .jp-CodeCell").first.screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        context.close()
