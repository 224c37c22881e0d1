from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zoneops.accounts.models import ApiToken, Department, User, Zone


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin[Zone]):
    list_display = ["name", "code", "city", "clock_date", "is_synthetic"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "code", "function", "zone", "head"]
    list_filter = ["zone", "function"]
    search_fields = ["name", "name_en", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "role", "zone", "department", "enterprise", "is_active"]
    list_filter = ["zone", "role", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "email"]
    raw_id_fields = ["enterprise"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Zone and role"),
            {"fields": ("zone", "role", "department", "enterprise", "display_name", "phone", "language")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "prefix", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "prefix"]
    search_fields = ["user__username", "prefix"]
