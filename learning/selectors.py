"""Reads of learning (work half) that are more than a filter: full-text search, the reader's
unread state, and where each executive stands in the seven steps."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def _fulltext_query(text: str) -> SearchQuery:
    # The vectors hold Spanish stems, English stems and the words as typed; so does the query.
    return (
        SearchQuery(text, config="spanish", search_type="websearch")
        | SearchQuery(text, config="english", search_type="websearch")
        | SearchQuery(text, config="simple", search_type="websearch")
    )


def fulltext_search(queryset, text: str):
    """Rows whose ``search_vector`` matches ``text`` in Spanish, English or as typed, best first."""
    text = (text or "").strip()
    if not text:
        return queryset
    query = _fulltext_query(text)
    return (
        queryset.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-created_at", "-id")
    )


def lesson_search(queryset, text: str):
    return fulltext_search(queryset, text)


def lesson_tags(org, limit: int = 40) -> list[str]:
    """The organisation's lesson tags, most used first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tag FROM learning_lesson, unnest(tags) AS tag WHERE org_id = %s "
            "GROUP BY tag ORDER BY count(*) DESC, tag LIMIT %s",
            [org.pk, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def case_tags(org, limit: int = 40) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tag FROM learning_casestudy, unnest(tags) AS tag WHERE org_id = %s "
            "GROUP BY tag ORDER BY count(*) DESC, tag LIMIT %s",
            [org.pk, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def feed_items_for(org, user):
    """The reader's items, each annotated with ``is_read`` for this member."""
    from learning.models import FeedItem, FeedItemRead

    return (
        FeedItem.objects.filter(org=org)
        .select_related("feed")
        .annotate(is_read=Exists(FeedItemRead.objects.filter(item=OuterRef("pk"), user=user)))
    )


def unread_count(org, user) -> int:
    from learning.models import FeedItem, FeedItemRead

    return (
        FeedItem.objects.filter(org=org, feed__enabled=True)
        .exclude(Exists(FeedItemRead.objects.filter(item=OuterRef("pk"), user=user)))
        .count()
    )


# --- Executives: the seven steps -----------------------------------------------------------


@dataclass(frozen=True)
class StepDefinition:
    number: int
    key: str
    title: str
    question: str
    next_action: str
    anchor: str


STEPS = [
    StepDefinition(
        1,
        "sources",
        _("How they decide"),
        _("What sources do they consult? Who are their referents?"),
        _("Ask them what they read before deciding and whom they listen to; note their sources and referents."),
        "step-1",
    ),
    StepDefinition(
        2,
        "platforms",
        _("Where those voices are"),
        _("On which social platforms are those sources and referents?"),
        _("Find the platforms where their sources and referents publish."),
        "step-2",
    ),
    StepDefinition(
        3,
        "kpis",
        _("What they are judged on"),
        _("Which indicators do their superiors evaluate them with?"),
        _("Find out which institutional KPIs their superiors judge them on."),
        "step-3",
    ),
    StepDefinition(
        4,
        "metrics",
        _("Social metrics that speak their language"),
        _("Which social media metrics could be mapped to those KPIs?"),
        _("Pick the social metrics that could be mapped to their KPIs, and say why."),
        "step-4",
    ),
    StepDefinition(
        5,
        "sessions",
        _("Short personal trainings"),
        _("Personalised sessions of at most 30 minutes to show them these findings."),
        _("Schedule a personal training of at most 30 minutes to show them what you found."),
        "step-5",
    ),
    StepDefinition(
        6,
        "profiles",
        _("Their own profiles"),
        _("Create their social profiles during the training, one at a time."),
        _("Create their first social profile with them during a training."),
        "step-6",
    ),
    StepDefinition(
        7,
        "recurring",
        _("A habit"),
        _("Periodic sessions to make learning a habit and show progress."),
        _("Set up recurring sessions (e.g. monthly) to make it a habit."),
        "step-7",
    ),
]

DONE, STARTED, TODO = "done", "started", "todo"
STATE_LABELS = {DONE: _("Done"), STARTED: _("Under way"), TODO: _("To do")}


@dataclass(frozen=True)
class StepState:
    step: StepDefinition
    state: str
    count: int

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass(frozen=True)
class Progress:
    steps: list[StepState]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state == DONE)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.steps))

    @property
    def next_step(self) -> StepState | None:
        return next((s for s in self.steps if s.state != DONE), None)

    @property
    def next_action(self) -> str:
        step = self.next_step
        if step is None:
            return str(_("All seven steps are done: keep the recurring sessions going and note progress after each."))
        return str(step.step.next_action)


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(executive=OuterRef("pk"), **filters)
            .order_by()
            .values("executive")
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def executives_with_counts(queryset):
    """Annotate each executive with what the seven steps need, in one query."""
    from learning.models import (
        ExecutiveKPI,
        ExecutiveMetric,
        ExecutivePlatform,
        ExecutiveProfile,
        ExecutiveSource,
        RecurringSession,
        TrainingSession,
    )

    return queryset.annotate(
        n_sources=_count(ExecutiveSource),
        n_platforms=_count(ExecutivePlatform),
        n_kpis=_count(ExecutiveKPI),
        n_metrics=_count(ExecutiveMetric),
        n_held=_count(TrainingSession, status=TrainingSession.Status.HELD),
        n_scheduled=_count(TrainingSession, status=TrainingSession.Status.SCHEDULED),
        n_profiles=_count(ExecutiveProfile),
        n_recurring=_count(RecurringSession, active=True),
    )


def executive_progress(executive) -> Progress:
    """Where an executive stands in the seven steps; uses the counts of ``executives_with_counts``
    when present, else counts now."""
    if not hasattr(executive, "n_sources"):
        from learning.models import Executive

        executive = executives_with_counts(Executive.objects.filter(pk=executive.pk)).get()

    def state(count, started=False):
        return DONE if count else (STARTED if started else TODO)

    counts = {
        "sources": (executive.n_sources, state(executive.n_sources, bool(executive.how_they_decide.strip()))),
        "platforms": (executive.n_platforms, state(executive.n_platforms)),
        "kpis": (executive.n_kpis, state(executive.n_kpis)),
        "metrics": (executive.n_metrics, state(executive.n_metrics)),
        "sessions": (executive.n_held, state(executive.n_held, executive.n_scheduled > 0)),
        "profiles": (executive.n_profiles, state(executive.n_profiles)),
        "recurring": (executive.n_recurring, state(executive.n_recurring)),
    }
    return Progress(steps=[StepState(step, counts[step.key][1], counts[step.key][0]) for step in STEPS])


def case_studies_filtered(queryset, *, q: str = "", relation: str = "", tag: str = "", platform: str = ""):
    if relation:
        queryset = queryset.filter(relations__contains=[relation])
    if tag:
        queryset = queryset.filter(tags__contains=[tag])
    if platform:
        queryset = queryset.filter(platform__iexact=platform)
    return fulltext_search(queryset, q)


def activities_counts(org) -> dict:
    from learning.models import Activity, ActivityPilot

    stats = Activity.objects.filter(org=org).aggregate(
        total=Count("id", filter=~Q(status=Activity.Status.DECLINED)),
        proposed=Count("id", filter=Q(status=Activity.Status.PROPOSED)),
    )
    stats["piloting"] = ActivityPilot.objects.filter(org=org, status=ActivityPilot.Status.RUNNING).count()
    return stats
