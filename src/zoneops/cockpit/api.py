"""``GET /api/v1/cockpit``: the cockpit's figures as JSON, the same the page shows; ``GET /api/v1/search``:
the global search."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from zoneops.cockpit import selectors
from zoneops.core.web import request_user

router = Router(tags=["cockpit"])
search_router = Router(tags=["search"])


@router.get("", response=dict[str, Any])
def cockpit(request: HttpRequest) -> dict[str, Any]:
    """Clusters against their targets, key projects by warning level (the red ones named), the pipeline
    funnel and signed investment against target, chain gaps nobody works on, service orders on time and
    overdue with satisfaction, supervision items overdue by department, the latest assessment ranking,
    the top-growing enterprises; each with the link to its page. Leaders, supervisors, the administrator."""
    return selectors.as_json(selectors.cockpit(user=request_user(request)))


@search_router.get("", response=dict[str, Any])
def search(request: HttpRequest, q: str = "") -> dict[str, Any]:
    """Enterprises, key projects, leads, service orders and supervision items whose name, code, number or
    title contains ``q`` (at least two characters), each kind limited to what the caller may open: the
    first ten hits of each with their total."""
    groups = selectors.search(user=request_user(request), text=q)
    return {
        "q": " ".join(q.split()),
        "groups": [
            {
                "kind": g.kind,
                "label": g.label,
                "total": g.total,
                "hits": [{"title": h.title, "detail": h.detail, "link": h.link} for h in g.hits],
            }
            for g in groups
        ],
    }
