"""The README's screenshot, made by the end-to-end browser against the real experiments.

The test writes into its own temporary folder, so running the tests never changes the
checkout; `ALIGNLAB_WRITE_SCREENSHOT=1 python -m pytest tests/lab/test_screenshot.py`
refreshes `docs/lab.png` after a change to the page (the widget tests do the same for
`docs/notebook-*.png`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import alignlab
from alignlab.lab import create_app, running_server
from tests.lab._browser import open_lab, screenshot_path, wait_surface

pytestmark = pytest.mark.browser

def test_screenshot_of_goodhart_past_its_peak(browser: Any, tmp_path: Path) -> None:
    ids = [s.id for s in alignlab.experiments()]
    assert "goodhart" in ids and "labtoy" not in ids  # only what a user sees
    result = alignlab.run("goodhart").to_dict()
    pressure = min(1.0, result["peak"]["pressure"] + 0.35)
    page = browser.new_page(viewport={"width": 1360, "height": 1010})
    try:
        with running_server(create_app(cache_dir=tmp_path, budget_s=4.0)) as url:
            shown = open_lab(page, url, f"#experiment=goodhart&pressure={pressure:.2f}")
            wait_surface(page)
            page.wait_for_timeout(200)
            assert shown["fr"] == alignlab.run("goodhart", pressure=float(f"{pressure:.2f}")).fr
            shot = screenshot_path("lab.png", tmp_path)
            page.screenshot(path=str(shot))
    finally:
        page.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
