from __future__ import annotations

from django.urls import path

from zoneops.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rankings/", views.rankings_page, name="rankings"),
    path("report/", views.economic_report, name="report"),
    path("template/", views.template_download, name="template"),
    path("imports/", views.imports_page, name="imports"),
    path("imports/<int:batch_id>/", views.import_page, name="import"),
    path("imports/<int:batch_id>/errors.xlsx", views.import_error_report, name="import-errors"),
    path("enterprises/<int:enterprise_id>/", views.enterprise_figures, name="enterprise"),
    path("submit/", views.submit_figures, name="submit"),
    path("submissions/", views.review_submissions, name="submissions"),
]
