from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from zoneops.accounts.models import ApiToken, Department, User, Zone
from zoneops.accounts.services import user_role_errors

ROLE_FIELDS = ("zone", "role", "department", "enterprise")


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin[Zone]):
    list_display = ["name", "code", "city", "clock_date", "is_synthetic"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "code", "function", "zone", "head"]
    list_filter = ["zone", "function"]
    search_fields = ["name", "name_en", "code"]


def check_role_fields(form: forms.ModelForm[User]) -> None:
    """Name the field a user's role still needs (department staff need a department, an enterprise
    contact an enterprise) rather than let the database's check constraint fail the save with a 500."""
    if any(name in form.errors for name in ROLE_FIELDS):
        return

    def value(name: str) -> Any:
        return form.cleaned_data.get(name) if name in form.fields else getattr(form.instance, name)

    enterprise = value("enterprise")
    for error in user_role_errors(
        zone=value("zone"),
        role=value("role"),
        department=value("department"),
        enterprise_id=enterprise.pk if enterprise is not None else None,
    ):
        form.add_error(error.field if error.field in form.fields else None, error.message)


class UserAddForm(AdminUserCreationForm[User]):
    def clean(self) -> dict[str, Any]:
        super().clean()
        check_role_fields(self)
        return self.cleaned_data


class UserEditForm(UserChangeForm[User]):
    def clean(self) -> dict[str, Any]:
        super().clean()
        check_role_fields(self)
        return self.cleaned_data


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ["username", "display_name", "role", "zone", "department", "enterprise", "is_active"]
    list_filter = ["zone", "role", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "email"]
    raw_id_fields = ["enterprise"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Zone and role"),
            {"fields": (*ROLE_FIELDS, "display_name", "phone", "language")},
        ),
    )
    # The role is chosen with the account: the default role, department staff, needs a department.
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Zone and role"), {"classes": ("wide",), "fields": (*ROLE_FIELDS, "display_name")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "prefix", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "prefix"]
    search_fields = ["user__username", "prefix"]
