"""The content calendar as an iCalendar feed, read with the organisation's secret token."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from icalendar import Calendar

from strategy.models import ConversationSettings, PostStatus, Tier
from tests import factories
from tests.strategy.calendar_factories import PlannedPostFactory, in_days

pytestmark = pytest.mark.django_db

URL = "/api/v1/orgs/norte/calendar.ics"


@pytest.fixture
def token(org):
    return ConversationSettings.for_org(org).new_calendar_token()


@pytest.fixture
def profile(org):
    return factories.ProfileFactory(org=org, platform="mastodon", handle="@biblio@mastodon.social")


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_it_publishes_the_planned_posts_as_events(client, org, token, profile, settings):
    settings.SITE_URL = "https://mesm.example.org"
    draft = PlannedPostFactory(
        org=org,
        profile=profile,
        text="Club de lectura juvenil: este jueves leemos «Momo» y merendamos juntos en la sala",
        tier=Tier.MODERATE,
        hypothesis="Un título en pregunta trae más respuestas",
        scheduled_at=in_days(5),
    )
    approved = PlannedPostFactory(org=org, profile=profile, status=PostStatus.APPROVED, text="Abrimos el domingo")
    published = PlannedPostFactory(org=org, profile=profile, status=PostStatus.PUBLISHED, scheduled_at=in_days(-30))
    PlannedPostFactory(org=org, profile=profile, status=PostStatus.REJECTED)
    PlannedPostFactory(org=org, profile=profile, scheduled_at=in_days(-91))
    PlannedPostFactory(org=org, profile=profile, scheduled_at=in_days(366))
    PlannedPostFactory(org=org, profile=profile, scheduled_at=None)
    PlannedPostFactory(org=factories.OrganizationFactory(), scheduled_at=in_days(2))

    calendar, events = _events(client.get(URL, {"token": token}))
    assert str(calendar["X-WR-CALNAME"]).endswith("Biblioteca Norte")
    assert set(events) == {str(p.idempotency_key) for p in (draft, approved, published)}

    event = events[str(draft.idempotency_key)]
    start = event.decoded("DTSTART")
    assert start == draft.scheduled_at and start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in event.to_ical().decode()  # in UTC, no TZID
    assert event.decoded("DTEND") - start == timedelta(minutes=15)
    assert event.decoded("DTSTAMP") == draft.updated_at.astimezone(UTC).replace(microsecond=0)
    with translation.override(org.language):
        tier = str(Tier.MODERATE.label)
        status = str(PostStatus.DRAFT.label)
    assert (
        str(event["SUMMARY"])
        == f"[{tier}] Mastodon @biblio@mastodon.social: Club de lectura juvenil: este jueves leemos «Momo»…"
    )
    description = str(event["DESCRIPTION"])
    assert draft.text in description
    assert status in description and tier in description
    assert "Un título en pregunta trae más respuestas" in description
    page = f"https://mesm.example.org/o/norte/calendar/posts/{draft.pk}/"
    assert page in description and str(event["URL"]) == page
    assert str(event["STATUS"]) == "TENTATIVE"
    assert [str(c) for c in event["CATEGORIES"].cats] == [tier]
    assert str(events[str(approved.idempotency_key)]["STATUS"]) == "CONFIRMED"
    assert str(events[str(published.idempotency_key)]["STATUS"]) == "CONFIRMED"


def test_it_answers_whatever_the_calendar_program_accepts(client, org, token, profile):
    PlannedPostFactory(org=org, profile=profile)
    response = client.get(URL, {"token": token}, HTTP_ACCEPT="text/calendar")
    assert len(_events(response)[1]) == 1
    response = client.get(URL, {"token": token}, HTTP_ACCEPT="application/json")
    assert len(_events(response)[1]) == 1


@pytest.mark.parametrize("given", ["", "wrong-token", "ñandú-no-es-ascii"])
def test_it_hides_the_feed_without_the_right_token(client, org, token, profile, given):
    PlannedPostFactory(org=org, profile=profile)
    response = client.get(URL, {"token": given} if given else {})
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"VEVENT" not in response.content


def test_a_revoked_token_stops_working(client, org, token):
    assert client.get(URL, {"token": token}).status_code == 200
    ConversationSettings.for_org(org).revoke_calendar_token()
    assert client.get(URL, {"token": token}).status_code == 404
    assert client.get(URL, {"token": ""}).status_code == 404


def test_a_token_of_another_organisation_opens_nothing_here(client, org, other_org, profile):
    ConversationSettings.for_org(org).new_calendar_token()
    foreign = ConversationSettings.for_org(other_org).new_calendar_token()
    PlannedPostFactory(org=org, profile=profile)
    assert client.get(URL, {"token": foreign}).status_code == 404
    assert client.get("/api/v1/orgs/nowhere/calendar.ics", {"token": foreign}).status_code == 404
    # …and it opens its own organisation's calendar, without anything of norte.
    _, events = _events(client.get("/api/v1/orgs/sur/calendar.ics", {"token": foreign}))
    assert events == {}


def test_the_feed_runs_a_fixed_number_of_queries(client, org, token, profile):
    PlannedPostFactory(org=org, profile=profile)
    with CaptureQueriesContext(connection) as one:
        assert len(_events(client.get(URL, {"token": token}))[1]) == 1
    for n in range(20):
        PlannedPostFactory(org=org, profile=factories.ProfileFactory(org=org), scheduled_at=in_days(n + 1))
    with CaptureQueriesContext(connection) as many:
        assert len(_events(client.get(URL, {"token": token}))[1]) == 21
    assert len(many) == len(one) <= 3
