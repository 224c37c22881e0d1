"""Key projects (重点项目): plan, milestones, monthly scheduling (月调度), problems and warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.core.models import TimeStampedModel, ZoneScopedModel


class ProjectLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("provincial key project")
    MUNICIPAL = "municipal", _("municipal key project")
    ZONE = "zone", _("zone key project")


class ProjectType(models.TextChoices):
    NEW_START = "new_start", _("new start")
    CONTINUING = "continuing", _("continuing")
    COMPLETION = "completion", _("completion and production")


class ProjectStatus(models.TextChoices):
    PREPARING = "preparing", _("preparing")
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    COMPLETED = "completed", _("completed")
    IN_PRODUCTION = "in_production", _("in production")
    SUSPENDED = "suspended", _("suspended")


class WarningLevel(models.TextChoices):
    GREEN = "green", _("green")
    AMBER = "amber", _("amber")
    RED = "red", _("red")


class KeyProject(ZoneScopedModel):
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=12, choices=ProjectLevel.choices)
    project_type = models.CharField(_("type"), max_length=12, choices=ProjectType.choices)
    cluster = models.ForeignKey(
        "chains.Cluster",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("cluster"),
    )
    chain_node = models.ForeignKey(
        "chains.ChainNode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("chain node"),
    )
    owner = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_projects",
        verbose_name=_("owner enterprise"),
    )
    total_investment = models.DecimalField(_("total investment (yuan)"), max_digits=18, decimal_places=2)
    planned_investment = models.DecimalField(
        _("investment planned this year (yuan)"), max_digits=18, decimal_places=2
    )
    construction_content = models.TextField(_("construction content"), blank=True)
    capacity_target = models.DecimalField(
        _("capacity target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    capacity_unit = models.CharField(_("capacity unit"), max_length=60, blank=True)
    expected_output = models.DecimalField(
        _("expected annual output value (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    planned_start = models.DateField(_("planned start"))
    planned_completion = models.DateField(_("planned completion"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
        verbose_name=_("leader in charge"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("responsible department"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_projects",
        verbose_name=_("responsible officer"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PREPARING
    )
    # The latest warning evaluation; the history is in WarningSnapshot.
    warning_level = models.CharField(
        _("warning level"), max_length=6, choices=WarningLevel.choices, default=WarningLevel.GREEN
    )
    warning_reasons = models.JSONField(_("warning reasons"), default=list, blank=True)
    # The rules that fired, as ",code,code," so the board filters by rule on every database.
    warning_rules = models.CharField(_("warning rules"), max_length=200, blank=True)
    warning_checked_on = models.DateField(_("warnings checked on"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["zone", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "year", "code"], name="key_project_code_unique"),
            models.CheckConstraint(
                condition=models.Q(planned_completion__gte=models.F("planned_start")),
                name="key_project_completion_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "year", "warning_level"], name="key_project_warning_idx"),
            models.Index(fields=["zone", "year", "department"], name="key_project_department_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    LAND = "land", _("land")
    PERMITS = "permits", _("permits")
    START = "start", _("construction start")
    MAIN_STRUCTURE = "main_structure", _("main structure")
    EQUIPMENT = "equipment", _("equipment installation")
    TRIAL = "trial", _("trial production")
    COMPLETION = "completion", _("completion")
    PRODUCTION = "production", _("in production")
    OTHER = "other", _("other")


class Milestone(TimeStampedModel):
    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    name = models.CharField(_("name"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "sort_order", "planned_date"]
        indexes = [models.Index(fields=["planned_date"], name="milestone_planned_idx")]

    def __str__(self) -> str:
        return self.name


class MonthlyReport(TimeStampedModel):
    """A department's monthly scheduling report (月调度) for one project and month."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="reports", verbose_name=_("project")
    )
    period = models.DateField(_("month"))
    investment_month = models.DecimalField(_("investment this month (yuan)"), max_digits=18, decimal_places=2)
    investment_cumulative = models.DecimalField(
        _("investment this year so far (yuan)"), max_digits=18, decimal_places=2
    )
    progress_percent = models.PositiveSmallIntegerField(_("physical progress (%)"))
    progress_text = models.TextField(_("progress"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    on_time = models.BooleanField(_("on time"), default=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["project", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="monthly_report_unique"),
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="monthly_report_progress_0_100"
            ),
        ]
        indexes = [models.Index(fields=["period", "project"], name="monthly_report_period_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.period:%Y-%m}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("open")
    SUPERVISED = "supervised", _("under supervision")
    RESOLVED = "resolved", _("resolved")


class Problem(TimeStampedModel):
    """A problem needing coordination (需协调解决的问题), raised in a monthly report or on its own."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="problems", verbose_name=_("project")
    )
    report = models.ForeignKey(
        MonthlyReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
        verbose_name=_("monthly report"),
    )
    description = models.TextField(_("description"))
    guarantee = models.CharField(_("guarantee"), max_length=20, blank=True)
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["project", "-raised_on", "-id"]

    def __str__(self) -> str:
        return self.description[:60]


class WarningRuleCode(models.TextChoices):
    INVESTMENT_BEHIND = "investment_behind", _("investment behind the time-elapsed plan (percentage points)")
    MILESTONE_OVERDUE = "milestone_overdue", _("milestone overdue (working days)")
    REPORT_MISSING = "report_missing", _("monthly reports missing (months)")
    PROBLEM_OPEN = "problem_open", _("problem open (working days)")
    COMPLETION_LATE = "completion_late", _("projected completion after the plan (days)")


class WarningRule(ZoneScopedModel):
    """One warning rule of the zone: amber from ``amber`` upwards, red from ``red`` upwards."""

    code = models.CharField(_("rule"), max_length=24, choices=WarningRuleCode.choices)
    amber = models.DecimalField(_("amber from"), max_digits=8, decimal_places=2)
    red = models.DecimalField(_("red from"), max_digits=8, decimal_places=2)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["zone", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="warning_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(red__gte=models.F("amber")), name="warning_rule_red_above_amber"
            ),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class SchedulingSettings(ZoneScopedModel):
    """The zone's monthly scheduling calendar: reports for a month are due by this day of the month."""

    report_deadline_day = models.PositiveSmallIntegerField(_("report deadline (day of month)"), default=25)

    class Meta:
        verbose_name = _("scheduling settings")
        verbose_name_plural = _("scheduling settings")
        constraints = [models.UniqueConstraint(fields=["zone"], name="scheduling_settings_one_per_zone")]

    def __str__(self) -> str:
        return str(self.report_deadline_day)


class WarningSnapshot(models.Model):
    """A project's warning level on a day, kept so the history of a project's colour can be read."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="warning_history", verbose_name=_("project")
    )
    on = models.DateField(_("on"))
    level = models.CharField(_("level"), max_length=6, choices=WarningLevel.choices)
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("warning snapshot")
        verbose_name_plural = _("warning snapshots")
        ordering = ["project", "-on"]
        constraints = [models.UniqueConstraint(fields=["project", "on"], name="warning_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.project} {self.on} {self.level}"


class ProjectPhoto(TimeStampedModel):
    """A site photo of a project (形象进度照片), kept with the project and served only to who may see it."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="photos", verbose_name=_("project")
    )
    file = models.FileField(_("file"), upload_to="projects/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_on = models.DateField(_("taken on"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")
        ordering = ["project", "-taken_on", "-id"]

    def __str__(self) -> str:
        return self.caption or str(self.file.name)
