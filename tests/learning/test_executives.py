"""Educating executives: the seven steps, 30-minute sessions, recurring sessions across DST, calendar."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from learning.models import (
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveProfile,
    ExecutiveSource,
    Lesson,
    RecurringSession,
    TrainingSession,
)
from learning.selectors import executive_progress
from learning.services.executives import recurring_save, session_to_lesson
from learning.services.recurrence import occurrences
from metrics.models import InstitutionalKPI
from tests.learning.work_factories import ExecutiveFactory, TrainingSessionFactory
from tests.listening.factories import SourceFactory

pytestmark = pytest.mark.django_db


def _detail(org, executive):
    return reverse("learning-executive-detail", args=[org.slug, executive.pk])


# --- progress ---------------------------------------------------------------------------------


def test_a_new_executive_has_every_step_to_do_and_step_one_next(org):
    executive = ExecutiveFactory(org=org)
    progress = executive_progress(executive)
    assert [s.state for s in progress.steps] == ["todo"] * 7
    assert progress.done == 0
    assert progress.next_step.step.number == 1


def test_it_computes_progress_from_each_steps_rows(org):
    executive = ExecutiveFactory(org=org, how_they_decide="Lee la prensa")
    assert executive_progress(executive).steps[0].state == "started"
    source = ExecutiveSource.objects.create(org=org, executive=executive, name="Diario")
    ExecutivePlatform.objects.create(org=org, executive=executive, platform="bluesky", source=source)
    kpi = InstitutionalKPI.objects.create(org=org, name="Visitas")
    ExecutiveKPI.objects.create(org=org, executive=executive, institutional_kpi=kpi)
    ExecutiveMetric.objects.create(org=org, executive=executive, metric_key="followers", institutional_kpi=kpi)
    scheduled = TrainingSessionFactory(executive=executive, status="scheduled")
    progress = executive_progress(executive)
    assert [s.state for s in progress.steps] == ["done", "done", "done", "done", "started", "todo", "todo"]
    assert progress.next_step.step.number == 5
    scheduled.status = "held"
    scheduled.save()
    ExecutiveProfile.objects.create(
        org=org, executive=executive, platform="bluesky", handle="@elena", created_on=date(2026, 11, 1)
    )
    progress = executive_progress(executive)
    assert progress.done == 6
    assert progress.next_step.step.number == 7
    _monthly(executive)
    progress = executive_progress(executive)
    assert progress.done == 7 and progress.next_step is None


def test_the_progress_page_shows_each_executive_and_the_next_thing_to_do(client_for, org, viewer):
    executive = ExecutiveFactory(org=org, name="Elena Martín")
    ExecutiveSource.objects.create(org=org, executive=executive, name="Diario")
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("learning-executive-list", args=[org.slug])).content.decode()
    assert "Elena Martín" in html
    assert "1 of 7 steps done" in html
    assert "Find the platforms where their sources and referents publish." in html


# --- 30-minute sessions -----------------------------------------------------------------------


def _session_post(minutes):
    return {
        "title": "Sus fuentes, en las redes",
        "starts_at": "2026-11-20T09:00",
        "duration_minutes": str(minutes),
        "agenda": "Tres gráficos",
        "materials": "",
        "status": "scheduled",
        "notes": "",
    }


def test_the_form_refuses_a_31_minute_session_and_saves_nothing(client_for, org, editor):
    executive = ExecutiveFactory(org=org)
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    url = reverse("learning-training-create", args=[org.slug, executive.pk])
    response = client.post(url, _session_post(31))
    assert response.status_code == 400
    assert "A training session lasts at most 30 minutes" in response.content.decode()
    assert not TrainingSession.objects.exists()
    response = client.post(url, _session_post(30))
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert session.duration_minutes == 30
    assert session.org == org
    assert session.starts_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # 09:00 in Madrid (CET)


def test_the_api_refuses_a_31_minute_session_in_the_house_format(api_for, org, editor):
    executive = ExecutiveFactory(org=org)
    api = api_for(editor)
    url = f"/api/v1/orgs/{org.slug}/learning/sessions/"
    body = {"executive": executive.pk, "title": "Demasiado larga", "starts_at": "2026-11-20T09:00:00+01:00"}
    response = api.post(url, {**body, "duration_minutes": 31}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "30 minutes" in " ".join(error["fields"]["duration_minutes"])
    assert not TrainingSession.objects.exists()
    response = api.post(url, {**body, "duration_minutes": 25}, format="json")
    assert response.status_code == 201, response.json()
    assert TrainingSession.objects.get().duration_minutes == 25
    session = TrainingSession.objects.get()
    response = api.patch(f"{url}{session.pk}/", {"duration_minutes": 45}, format="json")
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.duration_minutes == 25


def test_the_database_refuses_a_longer_session_too(org):
    executive = ExecutiveFactory(org=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.create(
            org=org, executive=executive, title="x", starts_at=timezone.now(), duration_minutes=31
        )


def test_the_api_refuses_an_executive_of_another_organisation(api_for, org, other_org, editor):
    foreign = ExecutiveFactory(org=other_org)
    response = api_for(editor).post(
        f"/api/v1/orgs/{org.slug}/learning/sessions/",
        {"executive": foreign.pk, "title": "x", "starts_at": "2026-11-20T09:00:00Z", "duration_minutes": 20},
        format="json",
    )
    assert response.status_code == 400
    assert "executive" in response.json()["error"]["fields"]
    assert not TrainingSession.objects.exists()


def test_session_notes_become_a_training_lesson_once(client_for, org, editor):
    session = TrainingSessionFactory(
        executive=ExecutiveFactory(org=org, name="Elena"), status="held", notes="Comparar con sus KPI convence."
    )
    client = client_for(editor)
    response = client.post(reverse("learning-training-lesson", args=[org.slug, session.pk]))
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning-lesson-detail", args=[org.slug, lesson.pk])
    assert lesson.source_kind == Lesson.SourceKind.TRAINING
    assert lesson.body == "Comparar con sus KPI convence."
    assert lesson.source_url == reverse("learning-training-edit", args=[org.slug, session.pk])
    assert lesson.author == editor
    client.post(reverse("learning-training-lesson", args=[org.slug, session.pk]))
    assert Lesson.objects.count() == 1
    session.refresh_from_db()
    assert session.lesson == lesson


def test_a_session_without_notes_cannot_become_a_lesson(org, editor):
    from django.core.exceptions import ValidationError

    session = TrainingSessionFactory(executive=ExecutiveFactory(org=org), notes="")
    with pytest.raises(ValidationError):
        session_to_lesson(session, author=editor)
    assert not Lesson.objects.exists()


# --- the listening warning before step 5 ------------------------------------------------------


def test_it_warns_when_listening_is_not_running(client_for, org, editor):
    executive = ExecutiveFactory(org=org)
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    url = reverse("learning-training-create", args=[org.slug, executive.pk])
    assert "Active listening is not running yet" in client.get(url).content.decode()
    stale = SourceFactory(org=org, last_success_at=timezone.now() - timedelta(days=5))
    assert "none was read successfully in the last two days" in client.get(url).content.decode()
    stale.last_success_at = timezone.now() - timedelta(hours=1)
    stale.save()
    html = client.get(url).content.decode()
    assert "Active listening is running" in html
    assert "not running" not in html


# --- step 7: recurring sessions ---------------------------------------------------------------


def _monthly(executive, **extra):
    fields = {
        "org": executive.org,
        "executive": executive,
        "title": "Café mensual",
        "frequency": "MONTHLY",
        "interval": 1,
        "weekday": RecurringSession.Weekday.TUESDAY,
        "week_of_month": 1,
        "start_date": date(2026, 9, 1),
        "time": time(10, 0),
        "count": 6,
        "duration_minutes": 20,
    }
    fields.update(extra)
    return recurring_save(RecurringSession(**fields))


def test_a_weekly_series_across_the_end_of_october_keeps_ten_oclock_in_madrid(org):
    executive = ExecutiveFactory(org=org)
    recurring = _monthly(
        executive, frequency="WEEKLY", week_of_month=None, weekday=RecurringSession.Weekday.MONDAY,
        start_date=date(2026, 10, 19), count=3,
    )  # fmt: skip
    assert recurring.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    tz = org.zoneinfo
    dates = occurrences(recurring, tz, limit=10)
    assert [(d.date(), d.hour, d.minute) for d in dates] == [
        (date(2026, 10, 19), 10, 0),
        (date(2026, 10, 26), 10, 0),  # the clocks went back on Sunday 25 October
        (date(2026, 11, 2), 10, 0),
    ]
    # 10:00 local is 08:00 UTC in summer time and 09:00 UTC after the change.
    assert [d.astimezone(UTC).hour for d in dates] == [8, 9, 9]


def test_a_monthly_series_on_the_first_tuesday_is_stored_as_an_rrule(org):
    recurring = _monthly(ExecutiveFactory(org=org), until=date(2027, 3, 31), count=None)
    assert recurring.rrule.startswith("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270331T")
    dates = occurrences(recurring, org.zoneinfo, limit=20)
    assert [d.date() for d in dates] == [
        date(2026, 9, 1),
        date(2026, 10, 6),
        date(2026, 11, 3),
        date(2026, 12, 1),
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
    ]
    assert {(d.hour, d.minute) for d in dates} == {(10, 0)}


def test_the_recurring_form_builds_the_rule_and_refuses_bad_input(client_for, org, editor):
    executive = ExecutiveFactory(org=org)
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    url = reverse("learning-recurring-create", args=[org.slug, executive.pk])
    data = {
        "title": "Repaso",
        "frequency": "MONTHLY",
        "interval": "2",
        "weekday": "3",
        "week_of_month": "-1",
        "start_date": "2026-10-01",
        "time": "10:00",
        "until": "2026-12-31",
        "count": "4",
        "duration_minutes": "20",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Give an end date or a number of sessions, not both." in response.content.decode()
    response = client.post(url, {**data, "count": "", "duration_minutes": "45"})
    assert response.status_code == 400
    assert "at most 30 minutes" in response.content.decode()
    response = client.post(url, {**data, "week_of_month": "", "count": ""})
    assert "For monthly sessions, choose which week of the month." in response.content.decode()
    assert not RecurringSession.objects.exists()
    response = client.post(url, {**data, "count": ""})
    assert response.status_code == 302
    recurring = RecurringSession.objects.get()
    assert recurring.rrule.startswith("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1TH;UNTIL=20261231T")
    assert recurring.org == org


def test_the_calendar_export_has_sessions_and_the_series_with_its_time_zone(client_for, org, viewer):
    executive = ExecutiveFactory(org=org, name="Elena Martín")
    TrainingSessionFactory(executive=executive, title="Sus fuentes", duration_minutes=30)
    TrainingSessionFactory(executive=executive, title="Cancelada", status="cancelled")
    _monthly(executive)
    response = client_for(viewer).get(reverse("learning-executive-calendar", args=[org.slug, executive.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="training-elena-martin.ics"' in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Sus fuentes", "Café mensual"}
    assert events["Sus fuentes"].decoded("DTEND") - events["Sus fuentes"].decoded("DTSTART") == timedelta(minutes=30)
    series = events["Café mensual"]
    assert dict(series["RRULE"]) == {"FREQ": ["MONTHLY"], "BYDAY": ["1TU"], "COUNT": [6]}
    start = series.decoded("DTSTART")
    assert (start.date(), start.hour, str(start.tzinfo)) == (date(2026, 9, 1), 10, "Europe/Madrid")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]


# --- the step forms ---------------------------------------------------------------------------


def test_an_editor_adds_and_removes_rows_of_each_step(client_for, org, editor):
    executive = ExecutiveFactory(org=org)
    kpi = InstitutionalKPI.objects.create(org=org, name="Préstamos")
    client = client_for(editor)
    slug = org.slug
    response = client.post(
        reverse("learning-executive-source-add", args=[slug, executive.pk]),
        {"source-kind": "referent", "source-name": "La concejala", "source-url": "", "source-note": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("#step-1")
    source = ExecutiveSource.objects.get()
    client.post(
        reverse("learning-executive-platform-add", args=[slug, executive.pk]),
        {"platform-platform": "bluesky", "platform-source": source.pk, "platform-where": "@concejala"},
    )
    client.post(reverse("learning-executive-kpi-add", args=[slug, executive.pk]), {"kpi-institutional_kpi": kpi.pk})
    client.post(
        reverse("learning-executive-metric-add", args=[slug, executive.pk]),
        {"metric-metric_key": "followers", "metric-institutional_kpi": kpi.pk, "metric-note": "Más carnés"},
    )
    client.post(
        reverse("learning-executive-profile-add", args=[slug, executive.pk]),
        {"profile-platform": "bluesky", "profile-handle": "@elena", "profile-created_on": "2026-11-02"},
    )
    assert [s.state for s in executive_progress(executive).steps] == ["done"] * 4 + ["todo", "done", "todo"]
    response = client.post(
        reverse("learning-executive-kpi-add", args=[slug, executive.pk]), {"kpi-institutional_kpi": kpi.pk}
    )
    assert response.status_code == 400
    assert ExecutiveKPI.objects.count() == 1
    client.post(reverse("learning-executive-source-delete", args=[slug, source.pk]))
    assert not ExecutiveSource.objects.exists()
    assert ExecutivePlatform.objects.get().source is None


def test_a_kpi_of_another_organisation_cannot_be_added(client_for, org, other_org, editor):
    executive = ExecutiveFactory(org=org)
    foreign = InstitutionalKPI.objects.create(org=other_org, name="Visitas")
    response = client_for(editor).post(
        reverse("learning-executive-kpi-add", args=[org.slug, executive.pk]), {"kpi-institutional_kpi": foreign.pk}
    )
    assert response.status_code == 400
    assert not ExecutiveKPI.objects.exists()


def test_a_viewer_cannot_change_a_programme(client_for, org, viewer):
    executive = ExecutiveFactory(org=org)
    client = client_for(viewer)
    response = client.post(
        reverse("learning-executive-source-add", args=[org.slug, executive.pk]),
        {"source-kind": "source", "source-name": "x"},
    )
    assert response.status_code == 403
    response = client.post(reverse("learning-training-create", args=[org.slug, executive.pk]), _session_post(20))
    assert response.status_code == 403
    assert not ExecutiveSource.objects.exists() and not TrainingSession.objects.exists()


def test_the_api_nests_every_steps_data_and_the_progress(api_for, org, viewer):
    executive = ExecutiveFactory(org=org)
    ExecutiveSource.objects.create(org=org, executive=executive, name="Diario")
    TrainingSessionFactory(executive=executive, status="held")
    _monthly(executive)
    response = api_for(viewer).get(f"/api/v1/orgs/{org.slug}/learning/executives/{executive.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert [s["name"] for s in data["sources"]] == ["Diario"]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["duration_minutes"] == 30
    assert data["recurring_sessions"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"
    assert data["progress"]["done"] == 3
    assert data["progress"]["next_step"] == 2
    assert [s["state"] for s in data["progress"]["steps"]] == ["done", "todo", "todo", "todo", "done", "todo", "done"]
