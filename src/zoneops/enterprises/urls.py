from __future__ import annotations

from django.urls import path

from zoneops.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_index, name="list"),
    path("new/", views.enterprise_new, name="new"),
    path("<int:enterprise_id>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_id>/edit/", views.enterprise_edit, name="edit"),
]
