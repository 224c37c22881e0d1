from __future__ import annotations

from django.urls import path

from zoneops.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.board, name="board"),
    path("scheduling/", views.scheduling, name="scheduling"),
    path("new/", views.project_new, name="new"),
    path("<int:project_id>/", views.project_page, name="project"),
    path("<int:project_id>/edit/", views.project_edit, name="edit"),
    path("<int:project_id>/milestones/", views.milestones, name="milestones"),
    path("<int:project_id>/report/", views.report_form, name="report"),
    path("<int:project_id>/photos/", views.photo_upload, name="photo-upload"),
    path("photos/<int:photo_id>/", views.photo_file, name="photo"),
    path("problems/<int:problem_id>/supervise/", views.problem_supervise, name="problem-supervise"),
    path("problems/<int:problem_id>/service-order/", views.problem_service_order, name="problem-order"),
    path("problems/<int:problem_id>/resolve/", views.problem_resolve, name="problem-resolve"),
]
