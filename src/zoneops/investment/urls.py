from __future__ import annotations

from django.urls import path

from zoneops.investment import views

app_name = "investment"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.lead_new, name="new"),
    path("funnel/", views.funnel, name="funnel"),
    path("gaps/", views.gaps, name="gaps"),
    path("leads/<int:lead_id>/", views.lead_page, name="lead"),
    path("leads/<int:lead_id>/move/", views.lead_move, name="move"),
    path("leads/<int:lead_id>/edit/", views.lead_edit, name="edit"),
    path("leads/<int:lead_id>/contacts/", views.contact_new, name="contact"),
    path("leads/<int:lead_id>/documents/", views.document_upload, name="document-upload"),
    path("documents/<int:document_id>/", views.document_file, name="document"),
]
