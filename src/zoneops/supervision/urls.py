from __future__ import annotations

from django.urls import path

from zoneops.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.item_new, name="new"),
    path("<int:item_id>/", views.item_page, name="item"),
    path("<int:item_id>/step/", views.item_step, name="step"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/adjustments/new/", views.assessment_adjustment_new, name="assessment-adjustment-new"),
    path("assessment/<int:department_id>/", views.assessment_department, name="assessment-department"),
]
