"""The documentation site builds with `mkdocs build --strict`, offline, with no CDN asset."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(
    r"""<(?:script|img|iframe)[^>]+src=["']https?://|<link[^>]+href=["']https?://[^"']+\.(?:css|woff2?)|@import\s+url\(["']?https?://"""
)


@pytest.mark.slow
def test_site_builds_strictly_and_offline(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "NO_MKDOCS_2_WARNING": "1",
        # No proxy reaches anything: a build that needs the network fails here.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    pages = list(site.glob("**/*.html"))
    assert len(pages) >= 10
    for page in [*pages, *site.glob("**/*.css")]:
        assert not EXTERNAL.search(page.read_text(encoding="utf-8")), page
    api = (site / "reference" / "api.html").read_text(encoding="utf-8")
    for name in ("alignlab.run", "check_experiment", "widget", "refusal_detector"):
        assert name in api  # the reference is generated from the docstrings


def test_every_docs_page_is_in_the_navigation() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)

    def walk(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, list):
            return [p for item in nav for p in walk(item)]
        if isinstance(nav, dict):
            return [p for value in nav.values() for p in walk(value)]
        return []

    listed = set(walk(config["nav"]))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").glob("**/*.md")}
    assert pages == listed


def test_readme_is_a_short_front_page_that_links_every_tutorial() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200  # issue 18: the README is the front page
    tutorials = sorted((ROOT / "docs" / "tutorials").glob("*.md"))
    assert len(tutorials) >= 6
    for page in tutorials:
        assert f"(docs/tutorials/{page.name})" in readme, page.name
        assert f"(tutorials/{page.name})" in (ROOT / "docs" / "index.md").read_text(), page.name
