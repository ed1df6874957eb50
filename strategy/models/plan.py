from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesm.crypto import decrypt_json, encrypt_json
from mesm.models import Organization, OrgScopedQuerySet
from metrics.registry import METRIC_CHOICES


class ArchivableQuerySet(OrgScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Archivable(models.Model):
    """Archiving hides a row from the plan without losing it (objects are never hard-deleted here)."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])

    def restore(self) -> None:
        self.archived_at = None
        self.save(update_fields=["archived_at", "updated_at"])


class Purpose(models.Model):
    """Stage 1 statement: why the organisation is on social media, and what for."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="purpose")
    why = models.TextField(_("why are we on social media?"), blank=True)
    what_for = models.TextField(_("what for?"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return str(_("Purpose of %(org)s") % {"org": self.org})

    @property
    def is_written(self) -> bool:
        return bool(self.why.strip() or self.what_for.strip())


class Audience(Archivable):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audiences")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="audience_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class Platform(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    LINKEDIN = "linkedin", "LinkedIn"
    REDDIT = "reddit", "Reddit"
    THREADS = "threads", "Threads"
    OTHER = "other", _("Other")


AUTO_PUBLISH_PLATFORMS = (Platform.MASTODON, Platform.BLUESKY)
# Mastodon's default instance limit (characters, links count as 23) and Bluesky's (graphemes).
DEFAULT_CHAR_LIMITS = {Platform.MASTODON: 500, Platform.BLUESKY: 300}


class Profile(Archivable):
    """An owned social profile: the organisation's own account on a platform."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="profiles")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(
        _("handle"), max_length=200, help_text=_("The account name, e.g. @biblioteca@mastodon.social.")
    )
    url = models.URLField(_("address (URL)"), blank=True)
    description = models.TextField(_("notes"), blank=True)
    # Publishing: where the API lives, the encrypted account credentials and the post length limit.
    api_base_url = models.URLField(
        _("server address for publishing"),
        blank=True,
        help_text=_("E.g. https://mastodon.social or https://bsky.social. Empty: posts are published by hand."),
    )
    credentials_encrypted = models.TextField(blank=True, editable=False)
    char_limit = models.PositiveIntegerField(
        _("character limit"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the platform's default (Mastodon 500, Bluesky 300)."),
    )

    class Meta:
        ordering = ["platform", "handle"]
        verbose_name = _("owned profile")
        verbose_name_plural = _("owned profiles")
        constraints = [
            models.UniqueConstraint(fields=["org", "platform", "handle"], name="profile_unique_handle_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.handle}"

    @property
    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, value: dict) -> None:
        self.credentials_encrypted = encrypt_json(value) if value else ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    @property
    def publishes_automatically(self) -> bool:
        """Mastodon and Bluesky profiles with a server and credentials publish by themselves."""
        return self.platform in AUTO_PUBLISH_PLATFORMS and bool(self.api_base_url) and self.has_credentials

    @property
    def effective_char_limit(self) -> int | None:
        return self.char_limit or DEFAULT_CHAR_LIMITS.get(self.platform)


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")


class Objective(Archivable):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=200)
    why = models.TextField(
        _("why this objective"), help_text=_("The reason behind it: what the library gains if it is met.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
        verbose_name=_("owner"),
    )
    audiences = models.ManyToManyField(Audience, blank=True, related_name="objectives", verbose_name=_("audiences"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class KPI(models.Model):
    """How an objective is judged: a metric, from a baseline to a target by a deadline."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpis")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("objective"))
    name = models.CharField(_("name"), max_length=200)
    metric_key = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES, default="manual")
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.UP)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["objective_id", "id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.baseline is not None and self.target is not None:
            if self.direction == Direction.UP and self.target <= self.baseline:
                errors["target"] = _("When higher is better, the target must be above the baseline.")
            elif self.direction == Direction.DOWN and self.target >= self.baseline:
                errors["target"] = _("When lower is better, the target must be below the baseline.")
        if self.objective_id and self.org_id and self.objective.org_id != self.org_id:
            errors["objective"] = _("This objective does not exist.")
        if errors:
            raise ValidationError(errors)

    @property
    def effective_deadline(self):
        return self.deadline or (self.objective.deadline if self.objective_id else None)


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Campaign(Archivable):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="campaigns", verbose_name=_("objectives"))
    audiences = models.ManyToManyField(Audience, blank=True, related_name="campaigns", verbose_name=_("audiences"))
    profiles = models.ManyToManyField(Profile, blank=True, related_name="campaigns", verbose_name=_("profiles"))

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
