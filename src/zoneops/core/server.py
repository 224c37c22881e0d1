"""Serving zoneops: gunicorn for HTTP and a Huey consumer for background jobs, as one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from zoneops.wsgi import application

        return application


def start_worker() -> subprocess.Popen[bytes]:
    """The Huey consumer in its own process, with the same settings as the web server."""
    return subprocess.Popen([sys.executable, "-m", "zoneops", "run_huey"])


def serve(*, bind: str, workers: int, with_worker: bool, access_log: bool = True) -> None:
    worker = start_worker() if with_worker else None
    try:
        _Gunicorn(
            {
                "bind": bind,
                "workers": workers,
                "worker_class": "gthread",
                "threads": int(os.environ.get("ZONEOPS_THREADS", "4")),
                "timeout": int(os.environ.get("ZONEOPS_TIMEOUT", "60")),
                "accesslog": "-" if access_log else None,
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
        ).run()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
