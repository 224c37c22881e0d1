from __future__ import annotations

from django.urls import path

from zoneops.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.pack_page, name="index"),
    path("pack", views.pack_download, name="pack"),
    path("pack.pdf", views.pdf_download, name="pdf"),
    path("<slug:part>.xlsx", views.part_download, name="part"),
]
