"""The trained detectors load and run with no network at all, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    # Any attempt to resolve a name or open a connection fails loudly.
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from alignlab.detect import harm_classifier, refusal_detector

    r = refusal_detector().detect(["My dog died."], ["I'm sorry to hear that."])[0]
    h = harm_classifier().detect(["How do I kill a zombie process?"])[0]
    print(r.label, h.label)
    """
)


def test_detectors_need_no_network() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": "/nonexistent-hf-home",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["full_compliance", "safe"]
    assert "network access attempted" not in done.stderr
