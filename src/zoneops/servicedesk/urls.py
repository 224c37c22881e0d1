from __future__ import annotations

from django.urls import path

from zoneops.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("new/", views.order_new, name="new"),
    path("new/fields/", views.order_fields, name="fields"),
    path("new/duplicates/", views.order_duplicates, name="duplicates"),
    path("board/", views.board, name="board"),
    path("statistics/", views.stats, name="stats"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("files/<int:attachment_id>/", views.attachment_file, name="attachment"),
    path("<int:order_id>/", views.order_page, name="order"),
    path("<int:order_id>/step/", views.order_step, name="step"),
    path("<int:order_id>/files/", views.attachment_upload, name="attachment-upload"),
]
