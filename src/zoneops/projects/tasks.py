"""Background jobs of the key projects.

Crontab hours are Beijing time (Asia/Shanghai): the settings run Huey on local time, not UTC.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zoneops.projects.services import report_reminders, warnings_refresh


@db_periodic_task(crontab(hour="1", minute="0"))
def refresh_project_warnings() -> int:
    """Daily at 01:00: recompute every key project's warning level as the days pass, for every zone."""
    from zoneops.accounts.models import Zone

    return sum(warnings_refresh(zone=zone) for zone in Zone.objects.all())


@db_periodic_task(crontab(hour="8", minute="0"))
def remind_project_reports() -> int:
    """Daily at 08:00: remind the officers (and from 5 days late the department heads) of late monthly
    reports, for every zone."""
    from zoneops.accounts.models import Zone

    return sum(report_reminders(zone=zone) for zone in Zone.objects.all())
