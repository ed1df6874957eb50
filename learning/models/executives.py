"""Models of learning, part 3: educating executives in social media.

One programme per executive, following the seed's seven steps: (1) how they decide — their
sources and referents; (2) the platforms where those are; (3) the KPIs their superiors judge them
on; (4) the social metrics that could be mapped to those KPIs; (5) personalised trainings of at
most 30 minutes; (6) the social profiles created during training; (7) recurring sessions.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, OrgScopedQuerySet
from metrics.registry import METRIC_CHOICES
from strategy.models.plan import Platform

__all__ = [
    "MAX_SESSION_MINUTES",
    "Executive",
    "ExecutiveKPI",
    "ExecutiveMetric",
    "ExecutivePlatform",
    "ExecutiveProfile",
    "ExecutiveSource",
    "RecurringNote",
    "RecurringSession",
    "TrainingSession",
]

# The seed: "momentos de capacitación personalizados, de no más de 30 minutos".
MAX_SESSION_MINUTES = 30


def _session_minutes_validators():
    return [
        MinValueValidator(1, message=_("A session lasts at least one minute.")),
        MaxValueValidator(
            MAX_SESSION_MINUTES,
            message=_("A training session lasts at most 30 minutes: keep it short and split it in two if needed."),
        ),
    ]


class Executive(models.Model):
    """A director or manager the team is educating in social media."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="executives")
    name = models.CharField(_("name"), max_length=160)
    position = models.CharField(_("position"), max_length=160, blank=True, help_text=_("e.g. Library director."))
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("member account"),
        help_text=_("If they use MESM themselves."),
    )
    how_they_decide = models.TextField(
        _("how they decide"),
        blank=True,
        help_text=_("What they read before a decision, whom they ask, what convinces them."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("executive")
        verbose_name_plural = _("executives")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="learning_executive_unique_name")]

    def __str__(self) -> str:
        return self.name


class _ExecutivePart(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ExecutiveSource(_ExecutivePart):
    """Step 1: a source they consult or a referent they listen to."""

    class Kind(models.TextChoices):
        SOURCE = "source", _("Source they consult")
        REFERENT = "referent", _("Referent they listen to")

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SOURCE)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("source or referent")
        verbose_name_plural = _("sources and referents")

    def __str__(self) -> str:
        return self.name


class ExecutivePlatform(_ExecutivePart):
    """Step 2: a social platform where their sources and referents are."""

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="platforms")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    source = models.ForeignKey(
        ExecutiveSource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="platforms",
        verbose_name=_("source or referent"),
    )
    where = models.CharField(
        _("account or address"), max_length=300, blank=True, help_text=_("The account, page or group to follow.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["platform", "id"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.where}".strip()


class ExecutiveKPI(_ExecutivePart):
    """Step 3: an institutional KPI their superiors judge them on."""

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="kpis")
    institutional_kpi = models.ForeignKey(
        "metrics.InstitutionalKPI", on_delete=models.CASCADE, related_name="+", verbose_name=_("institutional KPI")
    )
    judged_by = models.CharField(_("judged by"), max_length=160, blank=True, help_text=_("e.g. the city council."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["institutional_kpi__name", "id"]
        verbose_name = _("KPI they are judged on")
        verbose_name_plural = _("KPIs they are judged on")
        constraints = [
            models.UniqueConstraint(fields=["executive", "institutional_kpi"], name="learning_executive_kpi_once")
        ]

    def __str__(self) -> str:
        return str(self.institutional_kpi)


class ExecutiveMetric(_ExecutivePart):
    """Step 4: a social metric that could be mapped to one of their KPIs."""

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="metrics")
    metric_key = models.CharField(_("social metric"), max_length=40, choices=METRIC_CHOICES)
    institutional_kpi = models.ForeignKey(
        "metrics.InstitutionalKPI",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mapped to"),
    )
    note = models.TextField(_("why they relate"), blank=True)

    class Meta:
        ordering = ["metric_key", "id"]
        verbose_name = _("mapped social metric")
        verbose_name_plural = _("mapped social metrics")
        constraints = [
            models.UniqueConstraint(
                fields=["executive", "metric_key", "institutional_kpi"],
                name="learning_executive_metric_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.get_metric_key_display()


class TrainingSession(_ExecutivePart):
    """Step 5: a personalised training of at most 30 minutes."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=MAX_SESSION_MINUTES, validators=_session_minutes_validators()
    )
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("What you will show, in order."))
    materials = models.TextField(_("materials"), blank=True, help_text=_("Links or documents, one per line."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(_("notes"), blank=True, help_text=_("How it went, what they asked, what to do next."))
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="training_sessions"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="learning_session_at_most_30_minutes",
                violation_error_message=_("A training session lasts at most 30 minutes."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ExecutiveProfile(_ExecutivePart):
    """Step 6: a social profile they created during training."""

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="profiles")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=200)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    created_on = models.DateField(_("created on"))
    session = models.ForeignKey(
        TrainingSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
        verbose_name=_("during the session"),
    )

    class Meta:
        ordering = ["created_on", "id"]
        verbose_name = _("profile created in training")
        verbose_name_plural = _("profiles created in training")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle}"


class RecurringSession(_ExecutivePart):
    """Step 7: periodic sessions to make learning a habit, as an RFC 5545 recurrence rule.

    The friendly fields (frequency, interval, weekday…) are what the form edits; ``rrule`` is
    built from them (``learning.services.recurrence.rrule_build``) and is what the calendar export
    and the list of next dates read. Times are wall-clock times in the organisation's time zone.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class WeekOfMonth(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="recurring_sessions")
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY)
    interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[
            MinValueValidator(1, message=_("Repeat at least every 1 week or month.")),
            MaxValueValidator(12, message=_("Repeat at most every 12 weeks or months.")),
        ],
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices, default=Weekday.TUESDAY)
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        choices=WeekOfMonth.choices,
        null=True,
        blank=True,
        help_text=_("For monthly sessions, e.g. the first Tuesday."),
    )
    start_date = models.DateField(_("from"))
    time = models.TimeField(_("time"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of sessions"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200, message=_("At most 200 sessions in one series."))],
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=MAX_SESSION_MINUTES, validators=_session_minutes_validators()
    )
    rrule = models.CharField(_("recurrence rule"), max_length=300, editable=False)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("recurring session")
        verbose_name_plural = _("recurring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="learning_recurring_at_most_30_minutes",
                violation_error_message=_("A training session lasts at most 30 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(count__isnull=True),
                name="learning_recurring_until_or_count",
                violation_error_message=_("Give an end date or a number of sessions, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecurringNote(_ExecutivePart):
    """A note of progress after one of the recurring sessions."""

    recurring = models.ForeignKey(RecurringSession, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return self.text[:60]
