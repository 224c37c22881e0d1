"""Background jobs of the investment pipeline."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zoneops.investment.services import lead_reminders


@db_periodic_task(crontab(hour="8", minute="15"))
def remind_lead_officers() -> int:
    """Daily at 08:15: remind officers of leads whose next action is overdue or that sat too long."""
    from zoneops.accounts.models import Zone

    return sum(lead_reminders(zone=zone) for zone in Zone.objects.all())
