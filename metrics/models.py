from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet
from metrics.registry import METRIC_CHOICES


class ProfileSnapshot(models.Model):
    """Counts of an owned profile on one day (polled, imported from a platform's CSV, or typed)."""

    class Origin(models.TextChoices):
        POLL = "poll", _("Collected automatically")
        CSV = "csv", _("Imported from CSV")
        MANUAL = "manual", _("Entered by hand")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="snapshots")
    profile = models.ForeignKey("strategy.Profile", on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    following = models.PositiveIntegerField(_("following"), null=True, blank=True)
    posts = models.PositiveIntegerField(_("posts"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("profile snapshot")
        verbose_name_plural = _("profile snapshots")
        constraints = [models.UniqueConstraint(fields=["profile", "date"], name="snapshot_one_per_profile_day")]
        indexes = [models.Index(fields=["org", "date"], name="snapshot_org_date_idx")]

    def clean(self):
        if self.profile_id and self.org_id and self.profile.org_id != self.org_id:
            raise ValidationError({"profile": _("This profile does not exist.")})


class InstitutionalKPI(models.Model):
    """What directors are judged on (visits, loans, new cards…), with values per period."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        WEEKLY = "weekly", _("Weekly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="institutional_kpis")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("institutional KPI")
        verbose_name_plural = _("institutional KPIs")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="institutional_kpi_unique_name")]

    def __str__(self) -> str:
        return self.name


class InstitutionalValue(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kpi = models.ForeignKey(InstitutionalKPI, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("period start"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period_start"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period_start"], name="institutional_value_once")]


class MetricMapping(models.Model):
    """A social metric paired with an institutional KPI, with the hypothesis that links them."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="metric_mappings")
    metric_key = models.CharField(_("social metric"), max_length=40, choices=METRIC_CHOICES)
    institutional_kpi = models.ForeignKey(
        InstitutionalKPI, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("institutional KPI")
    )
    hypothesis = models.TextField(
        _("hypothesis"), help_text=_("Why should this social metric move this institutional KPI?")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institutional_kpi__name", "metric_key"]
        verbose_name = _("metric mapping")
        verbose_name_plural = _("metric mappings")
        constraints = [
            models.UniqueConstraint(fields=["org", "metric_key", "institutional_kpi"], name="mapping_unique")
        ]


class Report(models.Model):
    """A report of one period (usually a month), built by a worker and kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # What the worker is doing (``stage`` holds the key; the label is translated when shown).
    STAGES = {
        "queued": _("Waiting for a worker"),
        "collect": _("Collecting the data"),
        "charts": _("Drawing the charts"),
        "pdf": _("Writing the PDF"),
        "csv": _("Writing the CSV file"),
        "xlsx": _("Writing the spreadsheet"),
        "email": _("Sending the e-mail"),
        "done": _("Ready"),
        "failed": _("Failed"),
    }

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reports")
    title = models.CharField(_("title"), max_length=200)
    start = models.DateField(_("first day"))
    end = models.DateField(_("end (exclusive)"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    pdf = models.BinaryField(editable=False, null=True)
    csv = models.TextField(editable=False, blank=True)
    xlsx = models.BinaryField(editable=False, null=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="es")
    email_to = models.TextField(_("send to"), blank=True, help_text=_("E-mail addresses, separated by commas."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["org", "-created_at"], name="report_org_created_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self):
        from datetime import timedelta

        return self.end - timedelta(days=1)

    @property
    def stage_label(self) -> str:
        return str(self.STAGES.get(self.stage) or self.get_status_display())

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.email_to.split(",") if address.strip()]
