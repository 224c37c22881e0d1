from django.urls import path

from zoneops.configuration import views

app_name = "configuration"

urlpatterns = [
    path("", views.settings_page, name="settings"),
]
