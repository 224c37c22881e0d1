"""Production settings as an operator sets them: the periodic schedule's time zone, the e-mail backend.

Each test loads the settings in a fresh interpreter with the environment it names (outside pytest, so
the production branches run, not the test ones).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

# Every periodic job and the Beijing times (HH:MM) it fires in a day.
EVERY_5_MINUTES = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(0, 60, 5)]
EVERY_30_MINUTES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
SCHEDULE = {
    "zoneops.core.tasks.retry_pending_deliveries": EVERY_5_MINUTES,
    "zoneops.servicedesk.tasks.escalate_service_orders": EVERY_30_MINUTES,
    "zoneops.projects.tasks.refresh_project_warnings": ["01:00"],
    "zoneops.projects.tasks.remind_project_reports": ["08:00"],
    "zoneops.investment.tasks.remind_lead_officers": ["08:15"],
    "zoneops.indicators.tasks.remind_submissions": ["08:30"],
    "zoneops.supervision.tasks.follow_up_overdue_items": ["08:45"],
}

# Walks one Beijing day minute by minute and asks Huey, as its scheduler does, which periodic tasks are
# due at the timestamp it would read from its clock (UTC, or the process's local time).
SCHEDULE_SCRIPT = """
import datetime as dt, json, zoneinfo
import django
django.setup()
from django.utils.module_loading import autodiscover_modules
autodiscover_modules("tasks")  # as run_huey does
from huey.contrib.djhuey import HUEY
beijing = zoneinfo.ZoneInfo("Asia/Shanghai")
start = dt.datetime(2024, 3, 4, tzinfo=beijing)
fired = {}
for minute in range(24 * 60):
    moment = start + dt.timedelta(minutes=minute)
    if HUEY.utc:
        timestamp = moment.astimezone(dt.UTC).replace(tzinfo=None)
    else:
        timestamp = dt.datetime.fromtimestamp(moment.timestamp())
    for task in HUEY.read_periodic(timestamp):
        fired.setdefault(HUEY._registry.task_to_string(type(task)), []).append(f"{moment:%H:%M}")
now_beijing = dt.datetime.now(beijing).replace(tzinfo=None)
drift = abs((HUEY._get_timestamp() - now_beijing).total_seconds())
print(json.dumps({"utc": HUEY.utc, "huey": type(HUEY).__name__, "drift": drift, "fired": fired}))
"""


def _run(tmp_path: Path, script: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ZONEOPS_TESTING", "TZ"}
        and not k.startswith("EMAIL_")
    }
    env.update(
        ZONEOPS_VAR_DIR=str(tmp_path / "var"),
        ZONEOPS_DEBUG="1",
        DJANGO_SETTINGS_MODULE="zoneops.settings",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _schedule(tmp_path: Path, **extra: str) -> dict[str, Any]:
    result = _run(tmp_path, SCHEDULE_SCRIPT, **extra)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_periodic_jobs_fire_at_their_beijing_times_on_a_utc_machine(tmp_path: Path) -> None:
    data = _schedule(tmp_path, TZ="UTC")
    assert data["huey"] == "SqliteHuey"
    assert data["utc"] is False
    assert data["drift"] < 5
    assert data["fired"] == SCHEDULE


def test_periodic_jobs_fire_at_their_beijing_times_with_redis(tmp_path: Path) -> None:
    # The Redis queue is only configured here, never reached: no Redis is needed.
    data = _schedule(tmp_path, TZ="America/New_York", REDIS_URL="redis://127.0.0.1:6379/15")
    assert data["huey"] == "RedisHuey"
    assert data["utc"] is False
    assert data["drift"] < 5
    assert data["fired"] == SCHEDULE


def test_each_daily_job_says_when_it_runs() -> None:
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    registered = {HUEY._registry.task_to_string(task): task for task in HUEY._registry._periodic_tasks}
    assert sorted(registered) == sorted(SCHEDULE)
    for name, times in SCHEDULE.items():
        if len(times) > 1:
            continue
        module, _dot, function = name.rpartition(".")
        doc = getattr(sys.modules[module], function).__doc__ or ""
        assert re.match(rf"Daily at {times[0]}[: ]", doc), (name, doc)


def test_a_non_smtp_email_backend_gets_no_smtp_options(tmp_path: Path) -> None:
    script = (
        "import django; django.setup();"
        "from django.conf import settings;"
        "from django.core.mail import send_mail;"
        "print(settings.MAILERS);"
        "print(send_mail('Subject line', 'Body text', 'zoneops@example.cn', ['to@example.cn']))"
    )
    result = _run(
        tmp_path,
        script,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        EMAIL_HOST="smtp.example.cn",
        EMAIL_PORT="587",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "{'default': {'BACKEND': 'django.core.mail.backends.console.EmailBackend'}}"
    assert "Subject: Subject line" in lines
    assert "Body text" in lines
    assert lines[-1] == "1"


def test_the_file_email_backend_writes_under_the_given_directory(tmp_path: Path) -> None:
    script = (
        "import django; django.setup();"
        "from django.core.mail import send_mail;"
        "print(send_mail('Subject line', 'Body text', 'zoneops@example.cn', ['to@example.cn']))"
    )
    result = _run(
        tmp_path,
        script,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
    (written,) = (tmp_path / "mail").iterdir()
    assert "Subject: Subject line" in written.read_text()


def test_the_smtp_backend_gets_the_smtp_options(tmp_path: Path) -> None:
    script = "import django; django.setup(); from django.conf import settings; print(settings.MAILERS)"
    result = _run(
        tmp_path,
        script,
        EMAIL_HOST="smtp.example.cn",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="zoneops",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "smtp.example.cn",
                    "port": 587,
                    "username": "zoneops",
                    "password": "secret",
                    "use_tls": True,
                    "timeout": 10,
                },
            }
        }
    )
