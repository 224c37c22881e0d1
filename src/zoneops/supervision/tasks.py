"""Background jobs of the supervision office.

Crontab hours are Beijing time (Asia/Shanghai): the settings run Huey on local time, not UTC.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zoneops.supervision.services import overdue_follow_up


@db_periodic_task(crontab(hour="8", minute="45"))
def follow_up_overdue_items() -> int:
    """Daily at 08:45: remind departments of overdue supervision items and escalate those 3 working days
    overdue to their leader in charge, for every zone."""
    from zoneops.accounts.models import Zone

    return sum(overdue_follow_up(zone=zone) for zone in Zone.objects.all())
