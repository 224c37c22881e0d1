"""Pages of the platform: home, inbox, language switch, audit log, health check."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zoneops import __version__
from zoneops.accounts.models import Role
from zoneops.accounts.services import user_set_language
from zoneops.chains.selectors import cluster_list
from zoneops.core.access import Perm, is_enterprise_user, require_perm
from zoneops.core.selectors import audit_log, notifications_for
from zoneops.core.services import notification_mark_read
from zoneops.core.web import request_user
from zoneops.enterprises.selectors import registry_summary

PAGE_SIZE = 50


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app reaches its database, 503 otherwise (for load balancers and monitors)."""
    body: dict[str, str] = {"status": "ok", "database": "ok", "version": __version__}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        body.update(status="error", database="error", error=type(error).__name__)
        return JsonResponse(body, status=503)
    body["database_vendor"] = connection.vendor
    body["queue"] = "redis" if settings.REDIS_URL else "sqlite"
    return JsonResponse(body)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where each role starts its day: leaders on the cockpit, the supervision office on its board, everyone
    else on the home page (an enterprise contact's shows its orders and figures; staff see their queues)."""
    user = request_user(request)
    if user.role == Role.LEADER:
        return redirect("cockpit:cockpit")
    if user.role == Role.SUPERVISOR:
        return redirect("supervision:board")
    return home(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from zoneops.cockpit.selectors import enterprise_home, my_work

    user = request_user(request)
    if user.enterprise_id is not None and is_enterprise_user(user):
        return render(request, "core/home_enterprise.html", {"h": enterprise_home(user=user)})
    context = {
        "summary": registry_summary(user=user),
        "clusters": cluster_list(user=user),
        "work": my_work(user=user),
    }
    return render(request, "core/home.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(notifications_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=request_user(request))
    return redirect("inbox")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account and in a cookie."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language and check_for_language(language):
        if request.user.is_authenticated:
            user_set_language(user=request_user(request), language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def audit_log_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.AUDIT_VIEW)
    action = request.GET.get("action", "").strip()
    events = audit_log(user=user, action_prefix=action)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = urlencode({"action": action}) if action else ""
    return render(
        request, "core/audit_log.html", {"page": page, "action": action, "querystring": querystring}
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
