"""Background jobs of the statistics side."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zoneops.indicators.services import import_run, submission_reminders


@db_task(retries=0)
def run_import(batch_id: int, detect_cumulative: bool) -> str:
    return str(import_run(batch_id=batch_id, detect_cumulative=detect_cumulative).status)


@db_periodic_task(crontab(hour="8", minute="30"))
def remind_submissions() -> int:
    """Daily at 08:30: remind above-scale enterprises whose figures are due within 3 days or late."""
    from zoneops.accounts.models import Zone

    return sum(submission_reminders(zone=zone) for zone in Zone.objects.all())
