"""Stage 3 conversation: ideas, the content calendar of planned posts, their history and publishing."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet

from .plan import Audience, Campaign, Objective, Profile


class ConversationSettings(models.Model):
    """Per-organisation rules of the content calendar."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="conversation_settings")
    tier_tolerance = models.PositiveSmallIntegerField(
        _("balance tolerance (points)"),
        default=10,
        help_text=_("A tier whose share is further than this from 70/20/10 shows a warning."),
    )
    require_second_reviewer = models.BooleanField(
        _("a second person must approve"),
        default=True,
        help_text=_("When on, nobody can approve a post they wrote."),
    )
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    calendar_token_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(_("Calendar settings of %(org)s") % {"org": self.org})

    @classmethod
    def for_org(cls, org: Organization) -> "ConversationSettings":
        found, _created = cls.objects.get_or_create(org=org)
        return found

    def new_calendar_token(self) -> str:
        from django.utils import timezone

        self.calendar_token = secrets.token_urlsafe(32)
        self.calendar_token_created_at = timezone.now()
        self.save(update_fields=["calendar_token", "calendar_token_created_at"])
        return self.calendar_token

    def revoke_calendar_token(self) -> None:
        self.calendar_token = ""
        self.calendar_token_created_at = None
        self.save(update_fields=["calendar_token", "calendar_token_created_at"])


class IdeaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PLANNED = "planned", _("Planned")
    DISCARDED = "discarded", _("Discarded")


class ConversationIdea(models.Model):
    """Something worth talking about, often born from a trend or a mention, before it becomes posts."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="conversation_ideas")
    title = models.CharField(_("title"), max_length=200)
    angle = models.TextField(_("angle"), blank=True, help_text=_("What the library adds to this conversation."))
    audience = models.ForeignKey(
        Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas", verbose_name=_("audience")
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas", verbose_name=_("objective")
    )
    trend = models.CharField(
        _("trend"), max_length=120, blank=True, help_text=_("The hashtag or term this idea comes from.")
    )
    mention = models.ForeignKey(
        "listening.Mention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        verbose_name=_("mention"),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation idea")
        verbose_name_plural = _("conversation ideas")

    def __str__(self) -> str:
        return self.title


class Tier(models.TextChoices):
    PROVEN = "proven", _("Proven")
    MODERATE = "moderate", _("Moderate experiment")
    RADICAL = "radical", _("Radical experiment")


# The seed's balance: 70 % proven posts, 20 % moderate experiments, 10 % radically different ones.
TIER_TARGETS = {Tier.PROVEN: 70, Tier.MODERATE: 20, Tier.RADICAL: 10}


class PostStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


# Posts that still count in the plan (a rejected post does not).
PLANNED_STATUSES = [s for s in PostStatus.values if s != PostStatus.REJECTED]
# A post is locked for edits once it is out of the author's hands.
LOCKED_STATUSES = (PostStatus.SCHEDULED, PostStatus.PUBLISHED)


class PlannedPostQuerySet(OrgScopedQuerySet):
    def planned(self):
        return self.filter(status__in=PLANNED_STATUSES)


class PlannedPost(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="planned_posts")
    profile = models.ForeignKey(
        Profile, on_delete=models.PROTECT, related_name="planned_posts", verbose_name=_("profile")
    )
    idea = models.ForeignKey(
        ConversationIdea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("conversation idea"),
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    text = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    hashtags = models.CharField(
        _("hashtags"), max_length=300, blank=True, help_text=_("Separated by spaces, e.g. #bibliotecas #lectura.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_posts",
        verbose_name=_("owner"),
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts", verbose_name=_("objective")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts", verbose_name=_("campaign")
    )
    audience = models.ForeignKey(
        Audience, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts", verbose_name=_("audience")
    )
    tier = models.CharField(_("experimentation tier"), max_length=10, choices=Tier.choices, default=Tier.PROVEN)
    hypothesis = models.TextField(
        _("hypothesis to test"),
        blank=True,
        help_text=_("Required for experiments: what you expect to happen and how you will know."),
    )
    status = models.CharField(_("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.DRAFT)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # Publishing. The idempotency key goes with every platform request, so a retried task can never
    # create a second status; publish_claimed_at marks a publication in flight.
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    publish_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    publish_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    publish_error = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    external_id = models.CharField(max_length=300, blank=True)
    external_url = models.URLField(_("address of the published post"), max_length=500, blank=True)

    # Performance, refreshed for 30 days after publishing (the daily series is PostMetric).
    likes = models.PositiveIntegerField(null=True, blank=True)
    reposts = models.PositiveIntegerField(null=True, blank=True)
    replies = models.PositiveIntegerField(null=True, blank=True)
    metrics_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlannedPostQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "id"]
        verbose_name = _("planned post")
        verbose_name_plural = _("planned posts")
        indexes = [
            models.Index(fields=["org", "scheduled_at"], name="post_org_scheduled"),
            models.Index(
                fields=["next_attempt_at"],
                name="post_due_for_publishing",
                condition=models.Q(status="scheduled"),
            ),
        ]

    def __str__(self) -> str:
        first_line = (self.text or "").strip().splitlines()[0] if (self.text or "").strip() else ""
        return first_line[:60] or str(_("Post #%(id)s") % {"id": self.pk})

    @property
    def is_experiment(self) -> bool:
        return self.tier in (Tier.MODERATE, Tier.RADICAL)

    @property
    def hashtag_list(self) -> list[str]:
        tags = []
        for word in self.hashtags.replace(",", " ").split():
            tag = word if word.startswith("#") else f"#{word}"
            if len(tag) > 1 and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return tags

    def compose_text(self) -> str:
        """The text as it goes out: the body, then the link and the hashtags not already in it."""
        parts = [(self.text or "").strip()]
        if self.link and self.link not in parts[0]:
            parts.append(self.link)
        lowered = parts[0].lower()
        extra = [tag for tag in self.hashtag_list if tag.lower() not in lowered]
        if extra:
            parts.append(" ".join(extra))
        return "\n\n".join(part for part in parts if part)


def post_media_path(instance: "PostMedia", filename: str) -> str:
    return f"posts/{instance.post.org_id}/{uuid.uuid4().hex}/{filename}"


class PostMedia(models.Model):
    post = models.ForeignKey(PlannedPost, on_delete=models.CASCADE, related_name="media", verbose_name=_("post"))
    file = models.FileField(_("image or video"), upload_to=post_media_path, max_length=300)
    alt_text = models.TextField(
        _("description (alt text)"),
        help_text=_("What the image shows, for people who cannot see it. Required."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("media")
        verbose_name_plural = _("media")

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class PostEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    STATUS = "status", _("Status changed")
    COMMENT = "comment", _("Comment")
    PUBLISH_FAILED = "publish_failed", _("Publishing failed")
    PUBLISHED = "published", _("Published")


class PostEvent(models.Model):
    """The post's history: every change, status move, comment and publishing attempt."""

    post = models.ForeignKey(PlannedPost, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=PostEventKind.choices)
    from_status = models.CharField(max_length=10, choices=PostStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PostStatus.choices, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post event")
        verbose_name_plural = _("post events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class PostMetric(models.Model):
    """One day's counts of a published post (refreshed for 30 days after publishing)."""

    post = models.ForeignKey(PlannedPost, on_delete=models.CASCADE, related_name="metrics")
    date = models.DateField()
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["post", "date"], name="postmetric_one_per_day")]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.date}"

    @property
    def interactions(self) -> int:
        return self.likes + self.reposts + self.replies
