from __future__ import annotations

from django.contrib import admin

from zoneops.demo.models import DemoStep


@admin.register(DemoStep)
class DemoStepAdmin(admin.ModelAdmin[DemoStep]):
    list_display = ["zone", "name", "version", "loaded_at"]
