"""Educating executives: sessions (at most 30 minutes), recurring series, the iCalendar export,
lessons from training notes, and whether listening is running before trainings are scheduled."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.models import Executive, Lesson, RecurringSession, TrainingSession
from learning.services.lessons import lesson_record
from learning.services.recurrence import RecurrenceError, first_occurrence, rrule_build
from mesm.models import Organization

# Listening "is running" when an enabled source was read successfully this recently.
LISTENING_FRESH = timedelta(days=2)


@dataclass(frozen=True)
class ListeningStatus:
    running: bool
    active_sources: int
    fresh_sources: int
    last_success_at: datetime | None

    @property
    def message(self) -> str:
        if self.running:
            return _(
                "Active listening is running: %(n)s sources were read in the last two days. "
                "Use what it found to show them results from outside."
            ) % {"n": self.fresh_sources}
        if self.active_sources:
            return _(
                "Listening has sources, but none was read successfully in the last two days. "
                "Fix them before the training: you will want recent results from outside to show."
            )
        return _(
            "Active listening is not running yet: there are no active sources. The framework advises setting "
            "up listening before training executives, so you can show them what is said about the library."
        )


def listening_status(org: Organization, *, now=None) -> ListeningStatus:
    """Is active listening running for the organisation (enabled sources read successfully recently)?"""
    from django.db.models import Count, Max, Q

    from listening.models import Source

    now = now or timezone.now()
    stats = Source.objects.filter(org=org, enabled=True).aggregate(
        active=Count("id"),
        fresh=Count("id", filter=Q(last_success_at__gte=now - LISTENING_FRESH)),
        last=Max("last_success_at"),
    )
    return ListeningStatus(
        running=stats["fresh"] > 0,
        active_sources=stats["active"],
        fresh_sources=stats["fresh"],
        last_success_at=stats["last"],
    )


def check_session_minutes(minutes) -> None:
    """The seed's rule, stated once: personalised trainings last at most 30 minutes."""
    from learning.models import MAX_SESSION_MINUTES

    if minutes is not None and int(minutes) > MAX_SESSION_MINUTES:
        raise ValidationError(
            {
                "duration_minutes": _(
                    "A training session lasts at most %(max)s minutes: keep it short and split it in two if needed."
                )
                % {"max": MAX_SESSION_MINUTES}
            }
        )


@transaction.atomic
def session_save(session: TrainingSession) -> TrainingSession:
    """Validate and save a training session (new or changed); refuses more than 30 minutes."""
    check_session_minutes(session.duration_minutes)
    session.org_id = session.executive.org_id
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_to_lesson(session: TrainingSession, *, author=None, title: str = "", body: str = "", tags="") -> Lesson:
    """Turn a training session's notes into a lesson learned (once: a second call returns the same lesson)."""
    session = TrainingSession.objects.select_for_update().select_related("executive", "org").get(pk=session.pk)
    if session.lesson_id:
        return session.lesson
    if not (body or session.notes).strip():
        raise ValidationError({"notes": _("Write the session's notes first: they become the lesson.")})
    lesson = lesson_record(
        session.org,
        title=title
        or _("Training with %(name)s: %(title)s") % {"name": session.executive.name, "title": session.title},
        body=body or session.notes,
        source_kind=Lesson.SourceKind.TRAINING,
        source_label=_("Training session with %(name)s") % {"name": session.executive.name},
        source_url=_session_url(session),
        author=author,
        tags=tags,
    )
    session.lesson = lesson
    session.save(update_fields=["lesson", "updated_at"])
    return lesson


def _session_url(session: TrainingSession) -> str:
    from django.urls import reverse

    return reverse("learning-training-edit", kwargs={"org_slug": session.org.slug, "pk": session.pk})


@transaction.atomic
def recurring_save(recurring: RecurringSession) -> RecurringSession:
    """Build the RFC 5545 rule from the friendly fields, validate, save."""
    org = recurring.executive.org
    recurring.org_id = org.pk
    check_session_minutes(recurring.duration_minutes)
    if recurring.frequency == RecurringSession.Frequency.WEEKLY:
        recurring.week_of_month = None
    if recurring.until and recurring.start_date and recurring.until < recurring.start_date:
        raise ValidationError({"until": _("The series cannot end before it starts.")})
    try:
        recurring.rrule = rrule_build(
            frequency=recurring.frequency,
            interval=recurring.interval,
            weekday=recurring.weekday,
            week_of_month=recurring.week_of_month,
            until=recurring.until,
            count=recurring.count,
            time_of_day=recurring.time,
            tz=org.zoneinfo,
        )
    except RecurrenceError as error:
        field = "week_of_month" if recurring.frequency == "MONTHLY" and not recurring.week_of_month else "__all__"
        raise ValidationError({field: str(error)}) from error
    recurring.full_clean()
    if first_occurrence(recurring, org.zoneinfo) is None:
        raise ValidationError({"until": _("No session falls between the start and the end: widen the dates.")})
    recurring.save()
    return recurring


def _uid(kind: str, pk: int, org: Organization) -> str:
    digest = hashlib.sha256(f"{org.slug}:{kind}:{pk}".encode()).hexdigest()[:16]
    return f"{kind}-{pk}-{digest}@mesm"


def executive_calendar(executive: Executive) -> bytes:
    """An iCalendar file with the executive's scheduled sessions and recurring series."""
    from icalendar import Calendar, Event, vRecur

    org = executive.org
    tz = org.zoneinfo
    calendar = Calendar()
    calendar.add("prodid", "-//MESM//learning//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Social media training: %(name)s") % {"name": executive.name})
    now = timezone.now()
    for session in executive.sessions.exclude(status=TrainingSession.Status.CANCELLED).order_by("starts_at"):
        event = Event()
        event.add("uid", _uid("session", session.pk, org))
        event.add("dtstamp", now)
        event.add("summary", session.title)
        start = session.starts_at.astimezone(tz)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=session.duration_minutes))
        if session.agenda:
            event.add("description", session.agenda)
        calendar.add_component(event)
    for recurring in executive.recurring_sessions.filter(active=True):
        start = first_occurrence(recurring, tz)
        if start is None:
            continue
        event = Event()
        event.add("uid", _uid("series", recurring.pk, org))
        event.add("dtstamp", now)
        event.add("summary", recurring.title)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=recurring.duration_minutes))
        event.add("rrule", vRecur.from_ical(recurring.rrule))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
