"""No outbound traffic: everything works in a network namespace without a network, and
no process ever tries to connect to a non-loopback address."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import BROWSER_ARGS, CHROMIUM, free_port, settings_env

PY = sys.executable
needs_unshare = pytest.mark.skipif(
    shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0,
    reason="unshare -n is not permitted here",
)


@needs_unshare
@pytest.mark.model  # the subprocesses load the real model
def test_index_ask_and_app_work_without_a_network(small_settings, tmp_path):
    port = free_port()
    script = f"""
set -e
ip link set lo up
{PY} -m kernwijzer.cli index --rebuild --json
{PY} -m kernwijzer.cli ask --json "Wat zijn de voorwaarden voor segment 1?"
KERNWIJZER_PORT={port} {PY} app.py > {tmp_path}/app.log 2>&1 &
for i in $(seq 1 120); do
  curl -sf http://127.0.0.1:{port}/health >/dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:{port}/api/ask?q=Wat%20zijn%20de%20voorwaarden%20voor%20segment%201%3F"
kill %1
"""
    out = subprocess.run(
        ["unshare", "-n", "bash", "-c", script],
        capture_output=True,
        text=True,
        env=settings_env(small_settings),
        timeout=600,
        cwd=Path(__file__).parents[1],
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count("Geregistreerd zijn in BIG-register") >= 2  # CLI and HTTP answers


def _connects(log: Path) -> list[str]:
    """Addresses of every connect() an strace log records, except local sockets."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if "connect(" not in line:
            continue
        m = re.search(r'sin6?_addr=inet_pton\(AF_INET6?, "([^"]+)"\)|inet_addr\("([^"]+)"\)', line)
        if m:
            found.append(m.group(1) or m.group(2))
    return found


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace missing")
def test_no_connection_attempt_leaves_the_machine(index_settings, tmp_path):
    log = tmp_path / "strace.log"
    out = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect",
            "-o",
            str(log),
            PY,
            "-m",
            "kernwijzer.cli",
            "ask",
            "--json",
            "may a PA replace a GP?",
        ],
        capture_output=True,
        text=True,
        # A home of its own (the model cache where it is): ONNX Runtime's telemetry, were it
        # on, would leave a device id and an event queue under ~/.cache/Microsoft.
        env={
            **settings_env(index_settings),
            "HOME": str(tmp_path),
            "KERNWIJZER_CACHE_DIR": str(index_settings.embedding.cache_dir),
        },
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    outside = [a for a in _connects(log) if not (a.startswith("127.") or a == "::1")]
    assert outside == [], f"connection attempts to {outside}"
    assert not (tmp_path / ".cache" / "Microsoft").exists()


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace missing")
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run `make browser`")
def test_a_chat_with_a_history_bucket_header_and_a_hub_token_stays_on_the_machine(
    index_settings, tmp_path
):
    """Gradio's run history would upload the run to a hub bucket named by a request header
    whenever a token is at hand (environment or saved login): it must stay off."""
    from playwright.sync_api import sync_playwright

    home = tmp_path / "home"
    (home / ".cache" / "huggingface").mkdir(parents=True)
    (home / ".cache" / "huggingface" / "token").write_text("hf_" + "x" * 34)
    port = free_port()
    log = tmp_path / "strace.log"
    env = {
        **settings_env(index_settings),
        "HOME": str(home),
        "KERNWIJZER_CACHE_DIR": str(index_settings.embedding.cache_dir),
        "KERNWIJZER_PORT": str(port),
        "HF_TOKEN": "hf_" + "y" * 34,
        "GRADIO_RUN_HISTORY": "True",
        "GRADIO_HISTORY_BUCKET": "someone/bucket",
    }
    app = subprocess.Popen(
        ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(log), PY, "app.py"],
        cwd=Path(__file__).parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/health", timeout=2).status == 200:
                    break
            except OSError:
                assert app.poll() is None, "the app stopped"
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            context = browser.new_context(extra_http_headers={"x-gradio-history-bucket": "a/b"})
            page = context.new_page()
            page.goto(url)
            page.fill("#kw-question textarea", "Mag een PA de huisarts vervangen?")
            page.click("#kw-ask")
            page.wait_for_selector("#kw-chat .kw-card", timeout=60_000)
            time.sleep(3)  # a history upload runs after the event, in the background
            browser.close()
        for path in ("/gradio_api/runs", "/gradio_api/run-history/buckets"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url + path, timeout=5)
            assert refused.value.code == 404, path
    finally:
        # strace forwards the signal to the app and waits for it; kill both if it lingers.
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait(timeout=30)
    outside = [a for a in _connects(log) if not (a.startswith("127.") or a == "::1")]
    assert outside == [], f"connection attempts to {outside}"
