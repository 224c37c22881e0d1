from __future__ import annotations

from django.urls import path

from zoneops.cockpit import views

app_name = "cockpit"

urlpatterns = [path("", views.cockpit_page, name="cockpit")]
