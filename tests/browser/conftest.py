"""Browser tests: the real `zoneops demo` served by gunicorn, driven in Debian's chromium.

The server runs in its own process on a temporary SQLite database, exactly as a user starts it, so
these tests see what a person sees. Screenshots go to ``docs/screenshots/`` when
``ZONEOPS_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _demo_env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(ZONEOPS_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo zone set up and loaded once (``zoneops demo --no-serve``): each demo server of the session
    starts from a copy of it instead of loading the demo again."""
    var = tmp_path_factory.mktemp("demo-template")
    result = subprocess.run(
        [sys.executable, "-m", "zoneops", "demo", "--no-serve"],
        cwd=var,
        env=_demo_env(var),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"zoneops demo --no-serve failed:\n{result.stdout}\n{result.stderr}")
    return var


@contextmanager
def demo_server(var: Path, *, template: Path | None = None) -> Iterator[str]:
    """Start ``zoneops demo`` on a free port with its own database under ``var`` (a copy of ``template``'s
    when given); yield its URL, stop it on leaving. Each server is a demo zone of its own: what one test
    writes, no other server sees."""
    if template is not None:
        shutil.copytree(template, var, dirs_exist_ok=True)
    port = _free_port()
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "zoneops", "demo", "--port", str(port)],
        cwd=var,
        env=_demo_env(var),
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError("zoneops demo exited:\n" + (var / "server.log").read_text())
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("zoneops demo did not answer:\n" + (var / "server.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[str]:
    """The demo server the browser tests share (they read its demo data and may add a little)."""
    with demo_server(tmp_path_factory.mktemp("demo-var"), template=demo_template) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("ZONEOPS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    if os.environ.get("ZONEOPS_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=False)
