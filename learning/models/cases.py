"""Models of learning, part 2: relevant cases.

Trusted sources (feeds of social media news, peer libraries' blogs) are polled like listening's
RSS sources; their items land in a reader with read/unread state per member, and anything worth
keeping — an item, a listening mention, a page typed by hand — becomes a case study.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet

__all__ = ["CASE_RELATIONS", "CaseStudy", "FeedItem", "FeedItemRead", "TrustedFeed", "TrustedFeedQuerySet"]


class TrustedFeedQuerySet(OrgScopedQuerySet):
    def due(self, now=None):
        return self.filter(enabled=True, next_poll_at__lte=now or timezone.now())


class TrustedFeed(models.Model):
    """An RSS/Atom feed the team trusts to learn from."""

    class Category(models.TextChoices):
        NEWS = "news", _("Social media news")
        PEER = "peer", _("Peer library")
        EXPERT = "expert", _("Expert or referent")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEVER = "never", _("Not read yet")
        OK = "ok", _("Working")
        ERROR = "error", _("Error")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="trusted_feeds")
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("feed address"), max_length=1000, help_text=_("The RSS or Atom address, with https://."))
    category = models.CharField(_("kind"), max_length=8, choices=Category.choices, default=Category.NEWS)
    description = models.CharField(_("why we follow it"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    interval_minutes = models.PositiveIntegerField(_("read every (minutes)"), default=60)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NEVER)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_poll_at = models.DateTimeField(_("next read"), default=timezone.now)
    consecutive_failures = models.PositiveIntegerField(default=0)
    cursor = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrustedFeedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("trusted source")
        verbose_name_plural = _("trusted sources")
        constraints = [models.UniqueConstraint(fields=["org", "url"], name="learning_feed_unique_url")]
        indexes = [models.Index(fields=["next_poll_at"], condition=Q(enabled=True), name="learning_feed_due_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.interval_minutes is not None and self.interval_minutes < 5:
            raise ValidationError({"interval_minutes": _("Read a feed at most every 5 minutes.")})


class FeedItem(models.Model):
    """One article of a trusted feed, stored once per feed."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    feed = models.ForeignKey(TrustedFeed, on_delete=models.CASCADE, related_name="items", verbose_name=_("source"))
    external_id = models.CharField(max_length=1000)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"))
    collected_at = models.DateTimeField(_("collected"), default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("feed item")
        verbose_name_plural = _("feed items")
        constraints = [models.UniqueConstraint(fields=["feed", "external_id"], name="learning_item_once_per_feed")]
        indexes = [
            models.Index(fields=["org", "-published_at", "-id"], name="learning_item_recent_idx"),
            models.Index(fields=["feed", "-published_at", "-id"], name="learning_item_feed_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class FeedItemRead(models.Model):
    """A member has read this item (absence means unread)."""

    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="learning_item_read_once")]


# The seed: follow sources and referents "both allies and competitors" of the organisation's field.
CASE_RELATIONS = [
    ("allies", _("Allies")),
    ("competitors", _("Competitors")),
    ("field", _("Our field")),
]


def _vector(config: str):
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("organisation", config=config, weight="A")
        + SearchVector("what_they_did", config=config, weight="B")
        + SearchVector("results", config=config, weight="C")
        + SearchVector("adapt", config=config, weight="C")
    )


class CaseStudy(models.Model):
    """What another organisation did on social media, and what we could take from it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="case_studies")
    title = models.CharField(_("title"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, help_text=_("Who did it."))
    what_they_did = models.TextField(_("what they did"))
    platform = models.CharField(_("platform"), max_length=80, blank=True)
    results = models.TextField(_("results"), blank=True)
    adapt = models.TextField(
        _("what we could adapt"), blank=True, help_text=_("What of this would work for us, and how.")
    )
    relations = ArrayField(
        models.CharField(max_length=12, choices=CASE_RELATIONS),
        default=list,
        blank=True,
        verbose_name=_("they are"),
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    url = models.URLField(_("link"), max_length=1000, blank=True)
    feed_item = models.ForeignKey(
        FeedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies"
    )
    mention = models.ForeignKey(
        "listening.Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies"
    )
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies"
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_vector = models.GeneratedField(
        expression=_vector("spanish") + _vector("english") + _vector("simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="learning_case_recent_idx"),
            GinIndex(fields=["tags"], name="learning_case_tags_gin"),
            GinIndex(fields=["relations"], name="learning_case_rel_gin"),
            GinIndex(fields=["search_vector"], name="learning_case_search_gin"),
        ]

    def __str__(self) -> str:
        return self.title

    def relation_labels(self) -> list[str]:
        labels = dict(CASE_RELATIONS)
        return [str(labels[key]) for key in self.relations if key in labels]
