"""Models of learning: exploring trends — the discussion group, think-tank sessions with an ideas board,
and the experiment log of the 20 % and 10 % posts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet

__all__ = [
    "DiscussionGroup",
    "Experiment",
    "ExperimentTier",
    "GroupMeeting",
    "ThinkTankIdea",
    "ThinkTankIdeaKind",
    "ThinkTankIdeaStatus",
    "ThinkTankSession",
    "ThinkTankVote",
]


class DiscussionGroup(models.Model):
    """Advanced users of social media in the organisation who meet to watch the digital ecosystem."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="discussion_groups")
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("What the group watches and discusses."))
    meeting_place = models.CharField(
        _("where it meets"),
        max_length=200,
        blank=True,
        help_text=_("A room, a video call or a virtual space, e.g. a Matrix room."),
    )
    cadence = models.CharField(_("how often"), max_length=120, blank=True, help_text=_("E.g. “first Tuesday monthly”."))
    members = models.ManyToManyField(
        "learning.StaffMember", blank=True, related_name="discussion_groups", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("discussion group")
        verbose_name_plural = _("discussion groups")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="discussion_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupMeeting(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(DiscussionGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")

    def __str__(self) -> str:
        return f"{self.group} · {self.date:%Y-%m-%d}"


class ThinkTankSession(models.Model):
    """A think-tank session: a question put to the group, whose answers land on the ideas board."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="think_tank_sessions")
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    question = models.TextField(
        _("question to explore"), blank=True, help_text=_("E.g. “Which new spaces could bring teenagers closer?”")
    )
    group = models.ForeignKey(
        DiscussionGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("discussion group"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("think-tank session")
        verbose_name_plural = _("think-tank sessions")

    def __str__(self) -> str:
        return self.title


class ThinkTankIdeaKind(models.TextChoices):
    SPACE = "space", _("New space")
    OBJECTIVE = "objective", _("Objective")
    PLATFORM = "platform", _("Platform")
    USE = "use", _("Use")


class ThinkTankIdeaStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    STUDY = "study", _("Under study")
    ADOPTED = "adopted", _("Adopted")
    DISCARDED = "discarded", _("Discarded")


class ThinkTankIdea(models.Model):
    """An idea on the board: a new space, objective, platform or use for the library's presence."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="think_tank_ideas")
    session = models.ForeignKey(
        ThinkTankSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        verbose_name=_("think-tank session"),
    )
    title = models.CharField(_("idea"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ThinkTankIdeaKind.choices, default="use")
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ThinkTankIdeaStatus.choices, default="proposed")
    conversation_idea = models.ForeignKey(
        "strategy.ConversationIdea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("conversation idea"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("think-tank idea")
        verbose_name_plural = _("think-tank ideas")

    def __str__(self) -> str:
        return self.title


class ThinkTankVote(models.Model):
    """One member's vote for an idea (voting again takes it back)."""

    idea = models.ForeignKey(ThinkTankIdea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="think_tank_vote_one_per_member")]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


class ExperimentTier(models.TextChoices):
    # The same keys as strategy.models.Tier, limited to the experimental tiers of 70/20/10.
    MODERATE = "moderate", _("Moderate experiment (20 %)")
    RADICAL = "radical", _("Radical experiment (10 %)")


class Experiment(models.Model):
    """A 20 % or 10 % post tried on purpose: what we expected, what we did, what happened, what we learnt."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learning_experiments")
    title = models.CharField(_("title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10, choices=ExperimentTier.choices, default="moderate")
    post = models.ForeignKey(
        "strategy.PlannedPost",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("planned post"),
        help_text=_("The experimental post of the calendar this entry is about, if any."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    hypothesis = models.TextField(_("hypothesis"), help_text=_("What you expected to happen and how you would know."))
    what_tried = models.TextField(_("what was tried"), blank=True)
    result = models.TextField(_("result"), blank=True)
    lesson_learned = models.TextField(_("lesson learned"), blank=True)
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at", "-id"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.post_id:
            post = self.post
            if post.org_id != self.org_id:
                raise ValidationError({"post": _("Choose a post of this organisation.")})
            if post.tier not in ExperimentTier.values:
                raise ValidationError({"post": _("Only moderate (20 %) or radical (10 %) posts are experiments.")})
            if post.tier != self.tier:
                raise ValidationError(
                    {"tier": _("The tier must match the post's tier (%(tier)s).") % {"tier": post.get_tier_display()}}
                )

    @property
    def has_performance(self) -> bool:
        return self.post_id is not None and any(
            v is not None for v in (self.post.likes, self.post.reposts, self.post.replies)
        )
