"""Background jobs of the service desk."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zoneops.servicedesk.services import escalate_overdue


@db_periodic_task(crontab(minute="*/30"))
def escalate_service_orders() -> int:
    """Every half hour: remind, escalate and hand to supervision the orders past their deadline."""
    from zoneops.accounts.models import Zone

    return sum(escalate_overdue(zone=zone) for zone in Zone.objects.all())
