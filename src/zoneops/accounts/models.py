"""Zones, departments, users and their roles, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import TimeStampedModel


class Zone(TimeStampedModel):
    """A development zone run by one management committee; every domain row belongs to one."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    province = models.CharField(_("province"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    # The demo zone lives on 2022-05-08; a pinned date makes deadlines and warnings reproducible.
    clock_date = models.DateField(_("pinned date"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentFunction(models.TextChoices):
    LEADERSHIP = "leadership", _("management committee leadership")
    GENERAL_OFFICE = "general_office", _("general office")
    SUPERVISION = "supervision", _("supervision office")
    INVESTMENT = "investment", _("investment promotion")
    PROJECTS = "projects", _("key project office")
    ECONOMY = "economy", _("economic development and statistics")
    LAND = "land", _("land and planning")
    POLICY = "policy", _("policy and approvals")
    INNOVATION = "innovation", _("science and innovation")
    CAPITAL = "capital", _("finance and capital")
    HUMAN_RESOURCES = "human_resources", _("human resources")
    LAW = "law", _("law and justice")
    OTHER = "other", _("other")


class Department(TimeStampedModel):
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="departments", verbose_name=_("zone")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    function = models.CharField(
        _("function"), max_length=30, choices=DepartmentFunction.choices, default=DepartmentFunction.OTHER
    )
    head = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
        verbose_name=_("head"),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["zone", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="department_code_unique_in_zone")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ZONE_ADMIN = "zone_admin", _("zone administrator")
    LEADER = "leader", _("zone leadership")
    SUPERVISOR = "supervisor", _("supervision office")
    DEPARTMENT_STAFF = "department_staff", _("department staff")
    STATISTICIAN = "statistician", _("statistics staff")
    ENTERPRISE_USER = "enterprise_user", _("enterprise contact")


class UserManager(DjangoUserManager["User"]):
    """Django's user manager, except that a superuser (``zoneops createsuperuser``) is a zone administrator
    unless told otherwise: the model's default role, department staff, needs a department."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        from zoneops.core.services import audit_record, model_snapshot

        extra_fields.setdefault("role", Role.ZONE_ADMIN)
        with transaction.atomic(using=self.db):
            user = super().create_superuser(username, email, password, **extra_fields)
            audit_record(
                actor=None,
                action="user.create",
                instance=user,
                after=model_snapshot(
                    user, fields=["username", "role", "zone", "email", "is_staff", "is_superuser"]
                ),
                note="createsuperuser",
            )
        return user


class User(AbstractUser):
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("zone")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.DEPARTMENT_STAFF)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("department"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("enterprise"),
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Empty means the language negotiated with the browser.
    language = models.CharField(_("language"), max_length=10, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="department_staff") | models.Q(department__isnull=False),
                name="department_staff_has_department",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="enterprise_user") | models.Q(enterprise__isnull=False),
                name="enterprise_user_has_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def label(self) -> str:
        return str(self)


class ApiToken(TimeStampedModel):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
