from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mesm.crypto import EncryptedTextField, SessionJSONField, decrypt_json, encrypt_json
from mesm.models import Organization, OrgScopedQuerySet


class Query(models.Model):
    """A listening query: a boolean expression over words, phrases, #hashtags and @accounts."""

    class Role(models.TextChoices):
        OWN = "own", _("About us")
        PEER = "peer", _("Peer or competitor (for share of voice)")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="queries")
    name = models.CharField(_("name"), max_length=120)
    expression = models.TextField(
        _("expression"),
        help_text=_('Words, "exact phrases", #hashtags and @accounts with AND, OR, NOT and parentheses.'),
    )
    languages = ArrayField(
        models.CharField(max_length=8),
        blank=True,
        default=list,
        verbose_name=_("languages"),
        help_text=_("Keep only mentions in these languages; empty keeps all."),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.OWN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("listening query")
        verbose_name_plural = _("listening queries")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="query_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from listening.query import QueryError, parse

        try:
            parse(self.expression or "")
        except QueryError as error:
            raise ValidationError({"expression": error.message}) from error


class SourceStatus(models.TextChoices):
    NEVER = "never", _("Not polled yet")
    OK = "ok", _("Working")
    ERROR = "error", _("Error")
    RATE_LIMITED = "rate_limited", _("Waiting (rate limit)")


class SourceQuerySet(OrgScopedQuerySet):
    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(enabled=True, next_poll_at__lte=now)


SOURCE_KINDS = {
    "mastodon": ("hashtag", "account", "search"),
    "bluesky": ("search",),
    "rss": ("feed",),
    "reddit": ("search",),
    "youtube": ("search",),
    "lemmy": ("search",),
}


class Source(models.Model):
    """Something the workers poll: a feed, a hashtag, an account, a search."""

    class Platform(models.TextChoices):
        MASTODON = "mastodon", "Mastodon"
        BLUESKY = "bluesky", "Bluesky"
        RSS = "rss", _("RSS / Atom feed")
        REDDIT = "reddit", "Reddit"
        YOUTUBE = "youtube", "YouTube"
        LEMMY = "lemmy", "Lemmy"

    class Kind(models.TextChoices):
        HASHTAG = "hashtag", _("Hashtag")
        ACCOUNT = "account", _("Account")
        SEARCH = "search", _("Search")
        FEED = "feed", _("Feed")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    target = models.CharField(
        _("target"), max_length=500, help_text=_("The hashtag, account, search words or feed address.")
    )
    base_url = models.URLField(
        _("server address"),
        blank=True,
        help_text=_("The instance or API address, e.g. https://mastodon.social. Empty uses the platform's default."),
    )
    credentials_encrypted = models.TextField(blank=True, editable=False)
    queries = models.ManyToManyField(
        Query,
        blank=True,
        related_name="sources",
        verbose_name=_("queries"),
        help_text=_("Keep only items matching one of these; none keeps every item (an explicit follow)."),
    )
    interval_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=15)
    enabled = models.BooleanField(_("enabled"), default=True)
    status = models.CharField(_("status"), max_length=14, choices=SourceStatus.choices, default=SourceStatus.NEVER)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), default=timezone.now)
    mentions_count = models.PositiveIntegerField(_("mentions"), default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Its login session (platform tokens), if the connector keeps one, is stored encrypted.
    cursor = SessionJSONField(default=dict, blank=True)
    last_skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [
            models.Index(fields=["next_poll_at"], condition=Q(enabled=True), name="source_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict:
        return decrypt_json(self.credentials_encrypted)

    @credentials.setter
    def credentials(self, value: dict) -> None:
        self.credentials_encrypted = encrypt_json(value or {})

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def clean(self):
        from django.core.exceptions import ValidationError

        kinds = SOURCE_KINDS.get(self.platform, ())
        if self.platform and self.kind and self.kind not in kinds:
            raise ValidationError(
                {
                    "kind": _("%(platform)s sources can be: %(kinds)s.")
                    % {
                        "platform": self.get_platform_display(),
                        "kinds": ", ".join(str(self.Kind(kind).label) for kind in kinds),
                    }
                }
            )
        if self.interval_minutes is not None and self.interval_minutes < 1:
            raise ValidationError({"interval_minutes": _("Poll at most once a minute.")})


class MentionStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    IGNORED = "ignored", _("Ignored")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class MentionQuerySet(OrgScopedQuerySet):
    def unanswered(self):
        return self.filter(status__in=[MentionStatus.NEW, MentionStatus.ASSIGNED])


SEARCH_CONFIG = Case(
    When(language="es", then=SearchVector("text", config="spanish")),
    When(language="en", then=SearchVector("text", config="english")),
    default=SearchVector("text", config="simple"),
)


class Mention(models.Model):
    """One collected post, stored once per (organisation, platform, external id)."""

    # No index of its own: every index below starts with org (migration 0008).
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions")
    platform = models.CharField(_("platform"), max_length=12, choices=Source.Platform.choices)
    external_id = models.CharField(max_length=500)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    text = models.TextField(_("text"))
    author_handle = models.CharField(_("author"), max_length=300, blank=True)
    author_name = models.CharField(_("author name"), max_length=300, blank=True)
    author_followers = models.PositiveIntegerField(_("author followers"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"))
    collected_at = models.DateTimeField(_("collected"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    sentiment_score = models.FloatField(_("sentiment score"), default=0.0)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    reposts = models.PositiveIntegerField(_("reposts"), default=0)
    replies = models.PositiveIntegerField(_("replies"), default=0)
    query_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MentionStatus.choices, default=MentionStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_mentions",
        verbose_name=_("assignee"),
        db_index=False,  # mention_assignee_fk_idx below, partial like the other assignee index
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = models.GeneratedField(expression=SEARCH_CONFIG, output_field=SearchVectorField(), db_persist=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["org", "platform", "external_id"], name="mention_unique_per_org"),
        ]
        indexes = [
            models.Index(fields=["org", "-published_at", "-id"], name="mention_inbox_idx"),
            models.Index(fields=["org", "status", "-published_at", "-id"], name="mention_status_idx"),
            models.Index(fields=["org", "sentiment", "-published_at", "-id"], name="mention_sentiment_idx"),
            models.Index(fields=["org", "platform", "-published_at", "-id"], name="mention_platform_idx"),
            # Partial, so ingest (new mentions are neither assigned nor answered) never writes to them.
            models.Index(
                fields=["org", "assignee", "-published_at", "-id"],
                condition=Q(assignee__isnull=False),
                name="mention_assignee_idx",
            ),
            models.Index(
                fields=["org", "published_at"],
                condition=Q(first_response_at__isnull=False),
                name="mention_answered_idx",
            ),
            # For a user's deletion (assignee SET NULL); most mentions have none, so ingest skips it.
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="mention_assignee_fk_idx"),
            GinIndex(fields=["query_ids"], name="mention_queries_gin"),
            GinIndex(fields=["search_vector"], name="mention_search_gin"),
            # The author filter's trigram indexes are created in SQL: migration 0005_read_indexes.
        ]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:60]}"

    @property
    def response_time(self):
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.collected_at


class MentionNote(models.Model):
    """An internal note or a recorded answer on a mention, kept as its history."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        ANSWER = "answer", _("Answer")
        EVENT = "event", _("Update")

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


# The rollup tables take ~30 new rows per new mention. Their organisation key is the first column
# of their unique constraint (that index serves every lookup by organisation), and a database
# foreign key would cost one deferred check per inserted row at every ingest commit; deleting an
# organisation still deletes its rollup rows (Django's on_delete), and only ingest writes them.
ROLLUP_ORG = {"db_constraint": False, "db_index": False}


class MentionDaily(models.Model):
    """Rollup maintained at ingest: new mentions per day and dimension (dashboards read this).

    ``query_id`` 0 stands for mentions kept without a query (explicit follows); -1 counts every
    mention once whatever it matched (use it for totals: a mention may match several queries).
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", **ROLLUP_ORG)
    day = models.DateField()
    query_id = models.BigIntegerField(default=0)
    platform = models.CharField(max_length=12)
    sentiment = models.CharField(max_length=8)
    language = models.CharField(max_length=8, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "day", "query_id", "platform", "sentiment", "language"], name="mention_daily_unique"
            )
        ]
        indexes = [
            # The dashboards read one query id (all mentions, or the listening queries) over a range
            # of days. ``count`` stays out of every index so that ingest's ``count = count + n`` is a
            # HOT update (no index entries written; see ROLLUP_FILLFACTOR in migration 0008).
            models.Index(fields=["org", "query_id", "day"], name="mention_daily_query_idx")
        ]


class MentionHourly(models.Model):
    """Rollup for alerts: new mentions per hour, query and sentiment (query_id as in MentionDaily)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", **ROLLUP_ORG)
    hour = models.DateTimeField()
    query_id = models.BigIntegerField(default=0)
    sentiment = models.CharField(max_length=8)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "hour", "query_id", "sentiment"], name="mention_hourly_unique")
        ]


class HashtagDaily(models.Model):
    """Rollup for trends: hashtag uses per day."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", **ROLLUP_ORG)
    day = models.DateField()
    tag = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "day", "tag"], name="hashtag_daily_unique")]


class TermDaily(models.Model):
    """Rollup for trends: mentions using a word per day (each word once per mention; stop-words,
    links, @handles, numbers and hashtags left out — see ``listening.enrichment.terms``)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", **ROLLUP_ORG)
    day = models.DateField()
    term = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "day", "term"], name="term_daily_unique")]


class AuthorDaily(models.Model):
    """Rollup for the listening dashboard's top authors: new mentions per author and day."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", **ROLLUP_ORG)
    day = models.DateField()
    author_handle = models.CharField(max_length=300)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "day", "author_handle"], name="author_daily_unique")]


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        VOLUME_SPIKE = "volume_spike", _("Volume spike")
        NEGATIVE_SURGE = "negative_surge", _("Negative-sentiment surge")
        KEYWORD = "keyword", _("Keyword appears")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    query = models.ForeignKey(
        Query,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
        verbose_name=_("query"),
        help_text=_("Only mentions of this query; empty means all."),
    )
    threshold = models.FloatField(
        _("threshold"),
        default=3.0,
        help_text=_(
            "Volume spike: times the hourly baseline. Negative surge: share of negative mentions (0–1). "
            "Keyword: not used."
        ),
    )
    min_mentions = models.PositiveIntegerField(
        _("minimum mentions"), default=5, help_text=_("Do not fire on fewer mentions than this in the hour.")
    )
    keyword = models.CharField(_("keyword"), max_length=200, blank=True)
    baseline_days = models.PositiveIntegerField(_("baseline (days)"), default=7)
    notify_in_app = models.BooleanField(_("notify in the app"), default=True)
    email_to = models.TextField(_("e-mail to"), blank=True, help_text=_("Addresses separated by commas."))
    webhook_url = models.URLField(_("webhook address"), blank=True)
    webhook_secret = EncryptedTextField(_("webhook secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.KEYWORD and not self.keyword.strip():
            raise ValidationError({"keyword": _("Write the keyword to watch for.")})
        if self.kind == self.Kind.NEGATIVE_SURGE and not (0 < self.threshold <= 1):
            raise ValidationError({"threshold": _("For a negative surge, the threshold is a share between 0 and 1.")})
        if self.kind == self.Kind.VOLUME_SPIKE and self.threshold <= 1:
            raise ValidationError(
                {"threshold": _("For a volume spike, the threshold must be above 1 (times the baseline).")}
            )


class Alert(models.Model):
    """A fired rule. One per rule and window: a rule never fires twice for the same hour."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    window_start = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField()
    details = models.JSONField(default=dict)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_status = models.CharField(max_length=20, blank=True)
    webhook_attempts = models.PositiveIntegerField(default=0)
    webhook_last_error = models.TextField(blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fired_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "window_start"], name="alert_once_per_window")]


class Notification(models.Model):
    """In-app notification for one member."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    text = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
