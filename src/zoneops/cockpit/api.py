"""``GET /api/v1/cockpit``: the cockpit's figures as JSON, the same the page shows."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from zoneops.cockpit import selectors
from zoneops.core.web import request_user

router = Router(tags=["cockpit"])


@router.get("", response=dict[str, Any])
def cockpit(request: HttpRequest) -> dict[str, Any]:
    """Clusters against their targets, key projects by warning level (the red ones named), the pipeline
    funnel and signed investment against target, chain gaps nobody works on, service orders on time and
    overdue with satisfaction, supervision items overdue by department, the latest assessment ranking,
    the top-growing enterprises; each with the link to its page. Leaders, supervisors, the administrator."""
    return selectors.as_json(selectors.cockpit(user=request_user(request)))
