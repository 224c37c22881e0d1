"""The installation as an operator runs it: commands, production settings, the queue on Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(ZONEOPS_VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def _zoneops(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zoneops", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_model_has_an_admin_page() -> None:
    ours = [m for m in apps.get_models() if m.__module__.startswith("zoneops.")]
    assert ours
    assert [m.__name__ for m in ours if not admin.site.is_registered(m)] == []


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _zoneops(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "production-secret-key-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="zoneops.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _zoneops(tmp_path, "check", SECRET_KEY="")
    assert result.returncode == 1
    assert "SECRET_KEY must be set in production" in result.stderr


def test_migrations_are_in_step_with_the_models(tmp_path: Path) -> None:
    result = _zoneops(tmp_path, "makemigrations", "--check", "--dry-run", ZONEOPS_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz_with_a_migrated_database(tmp_path: Path) -> None:
    secret = {"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "127.0.0.1", "WEB_CONCURRENCY": "1"}
    assert _zoneops(tmp_path, "migrate", "--noinput", **secret).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "zoneops", "serve", "--bind", f"127.0.0.1:{port}", "--no-worker"],
        cwd=tmp_path,
        env=_env(tmp_path, **secret),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = b""
        # Up to 2 minutes for collectstatic and gunicorn to come up on a loaded machine.
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert b'"status": "ok"' in body
        assert b'"database": "ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            page = response.read().decode()
        # Static files come hashed from collectstatic, served by whitenoise.
        assert "/static/zoneops/app." in page
        assert "/static/zoneops/app.css" not in page
    finally:
        server.terminate()
        server.wait(timeout=20)


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_with_redis_url_the_queue_lives_on_redis(tmp_path: Path) -> None:
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is expected on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = (
        "import django; django.setup();"
        "from huey.contrib.djhuey import HUEY;"
        "print(type(HUEY).__name__);"
        "from zoneops.core.tasks import deliver_notifications;"
        "HUEY.flush();"
        "deliver_notifications([]);"
        "print(HUEY.pending_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=_env(
            tmp_path,
            REDIS_URL="redis://127.0.0.1:6379/15",
            ZONEOPS_DEBUG="1",
            DJANGO_SETTINGS_MODULE="zoneops.settings",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisHuey", "1"]


def test_without_redis_url_the_queue_is_sqlite_under_var(tmp_path: Path) -> None:
    script = "import django; django.setup(); from huey.contrib.djhuey import HUEY; print(type(HUEY).__name__, HUEY.storage.filename)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=_env(tmp_path, ZONEOPS_DEBUG="1", DJANGO_SETTINGS_MODULE="zoneops.settings"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["SqliteHuey", str(tmp_path / "var" / "huey.sqlite3")]
