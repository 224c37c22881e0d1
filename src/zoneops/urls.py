from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from zoneops.accounts import views as account_views
from zoneops.api import api
from zoneops.cockpit import views as cockpit_views
from zoneops.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.landing, name="home"),
    path("home/", core_views.home, name="home-page"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("language/", core_views.language_switch, name="language"),
    path("inbox/", core_views.inbox, name="inbox"),
    path("inbox/read/", core_views.inbox_mark_read, name="inbox-read"),
    path("audit/", core_views.audit_log_view, name="audit-log"),
    path("directory/", account_views.directory, name="directory"),
    path("enterprises/", include("zoneops.enterprises.urls")),
    path("indicators/", include("zoneops.indicators.urls")),
    path("chains/", include("zoneops.chains.urls")),
    path("projects/", include("zoneops.projects.urls")),
    path("supervision/", include("zoneops.supervision.urls")),
    path("orders/", include("zoneops.servicedesk.urls")),
    path("pipeline/", include("zoneops.investment.urls")),
    path("cockpit/", include("zoneops.cockpit.urls")),
    path("search/", cockpit_views.search_page, name="search"),
    path("reports/", include("zoneops.reports.urls")),
    path("settings/", include("zoneops.configuration.urls")),
    path("open311/v2/", include("zoneops.servicedesk.open311")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "zoneops.core.views.error_403"
handler404 = "zoneops.core.views.error_404"
