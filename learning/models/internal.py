"""Models of learning, part 1: social media inside the organisation.

A catalogue of things staff already do in the intranet or by e-mail ("organise a work
meeting"), each with how it would be done on a social platform, what changes, what is gained
and what is lost — and pilots that try it for real.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet

__all__ = ["Activity", "ActivityComment", "ActivityPilot"]


class Activity(models.Model):
    """An everyday activity and how it would be done on a social platform."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("In the catalogue")
        DECLINED = "declined", _("Declined")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learning_activities")
    name = models.CharField(
        _("activity"), max_length=200, help_text=_("What staff do, e.g. “Organise a work meeting”.")
    )
    purpose = models.TextField(_("what it is for"), blank=True)
    current_tool = models.CharField(
        _("how it is done today"),
        max_length=300,
        blank=True,
        help_text=_("The intranet, e-mail, a shared folder…"),
    )
    social_platform = models.CharField(
        _("social platform"), max_length=120, blank=True, help_text=_("e.g. a private Mastodon group, a Matrix room.")
    )
    social_way = models.TextField(_("how it would be done there"), blank=True)
    changes = models.TextField(_("what changes"), blank=True)
    gains = models.TextField(_("what is gained"), blank=True)
    losses = models.TextField(_("what is lost"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="learning_activity_unique_name")]

    def __str__(self) -> str:
        return self.name


class ActivityPilot(models.Model):
    """A trial of doing the activity on the social platform, with its outcome."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="pilots")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What happened: what worked, what did not."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="learning_pilot_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} ({self.start})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The pilot cannot end before it starts.")})
        if self.status == self.Status.FINISHED and not (self.outcome or "").strip():
            raise ValidationError({"outcome": _("Write the outcome of a finished pilot, even in one line.")})


class ActivityComment(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]
