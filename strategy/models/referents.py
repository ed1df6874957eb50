from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet

# --- Stage 3: referents and influencers --------------------------------------------------------


class ReferentKind(models.TextChoices):
    PERSON = "person", _("Person")
    MEDIA = "media", _("Media outlet")
    INSTITUTION = "institution", _("Institution")


class ReferentStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    CONTACTED = "contacted", _("Contacted")
    ENGAGED = "engaged", _("Engaged")
    PARTNER = "partner", _("Partner")


class Referent(models.Model):
    """A person, outlet or institution whose voice matters to the library's audiences."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="referents")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ReferentKind.choices, default=ReferentKind.PERSON)
    handles = models.JSONField(
        _("handles"),
        default=dict,
        blank=True,
        help_text=_('Accounts by platform, e.g. {"mastodon": "@ana@mastodon.social"}.'),
    )
    topics = models.CharField(_("topics"), max_length=300, blank=True, help_text=_("Separated by commas."))
    why = models.TextField(_("why they matter"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferentStatus.choices, default=ReferentStatus.IDENTIFIED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_referents",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("referent")
        verbose_name_plural = _("referents")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="referent_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def topic_list(self) -> list[str]:
        return [topic.strip() for topic in self.topics.split(",") if topic.strip()]

    def clean(self):
        if not isinstance(self.handles, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in (self.handles or {}).items()
        ):
            raise ValidationError({"handles": _("Handles must map each platform to one account name.")})


class InteractionKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    MEETING = "meeting", _("Meeting")
    MENTION = "mention", _("Mention")
    COLLABORATION = "collaboration", _("Collaboration")
    OTHER = "other", _("Other")


class ReferentInteraction(models.Model):
    referent = models.ForeignKey(
        Referent, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("referent")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=14, choices=InteractionKind.choices, default=InteractionKind.MESSAGE)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date}"
