"""The content calendar as an iCalendar feed, for the calendar programs the team already uses.

The feed has one event of 15 minutes per planned post (rejected ones left out) from 90 days back
to 365 days ahead. It is read without logging in, with the organisation's secret calendar token,
so it says only what the team needs to see the plan: no comments, no history.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from mesm.models import Organization
from strategy.models import ConversationSettings, PlannedPost, PostStatus

DAYS_BACK = 90
DAYS_AHEAD = 365
EVENT_LENGTH = timedelta(minutes=15)
SUMMARY_WORDS = 8
SUMMARY_CHARS = 60
# Approved, scheduled and published posts are settled; the rest may still change.
CONFIRMED = (PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED)


def access_feed_org(org_slug: str, token: str) -> Organization | None:
    """The organisation whose calendar token this is, or None (unknown, empty or revoked token)."""
    if not token:
        return None
    found = ConversationSettings.objects.select_related("org").filter(org__slug=org_slug).first()
    if found is None or not found.calendar_token:
        return None
    # Bytes, because compare_digest refuses str with non-ASCII characters (anyone can type those).
    if not secrets.compare_digest(token.encode(), found.calendar_token.encode()):
        return None
    return found.org


def feed_posts(org: Organization, *, now: datetime | None = None):
    now = now or timezone.now()
    return (
        PlannedPost.objects.planned()
        .filter(
            org=org,
            scheduled_at__gte=now - timedelta(days=DAYS_BACK),
            scheduled_at__lte=now + timedelta(days=DAYS_AHEAD),
        )
        .select_related("profile")
        .order_by("scheduled_at", "id")
    )


def post_page_url(post: PlannedPost, org: Organization) -> str:
    return f"{settings.SITE_URL}/o/{org.slug}/calendar/posts/{post.pk}/"


def first_words(text: str) -> str:
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    words = line.split()
    short = " ".join(words[:SUMMARY_WORDS])
    if len(short) > SUMMARY_CHARS:
        short = short[: SUMMARY_CHARS - 1].rstrip()
    return short + "…" if short != line else short


def _event(post: PlannedPost, org: Organization) -> Event:
    event = Event()
    start = post.scheduled_at.astimezone(UTC)
    tier = post.get_tier_display()
    profile = post.profile
    url = post_page_url(post, org)
    event.add("uid", str(post.idempotency_key))
    event.add("dtstamp", post.updated_at.astimezone(UTC))
    event.add("created", post.created_at.astimezone(UTC))
    event.add("last-modified", post.updated_at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", f"[{tier}] {profile.get_platform_display()} {profile.handle}: {first_words(post.text)}")
    lines = [post.text.strip(), "", _("Status: %(status)s") % {"status": post.get_status_display()}]
    lines.append(_("Tier: %(tier)s") % {"tier": tier})
    if post.hypothesis.strip():
        lines.append(_("Hypothesis: %(hypothesis)s") % {"hypothesis": post.hypothesis.strip()})
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("status", "CONFIRMED" if post.status in CONFIRMED else "TENTATIVE")
    event.add("categories", [tier])
    return event


def calendar_feed(org: Organization, *, now: datetime | None = None) -> bytes:
    """The organisation's planned posts as an iCalendar file, in the organisation's language."""
    with translation.override(org.language):
        calendar = Calendar()
        calendar.add("prodid", "-//MESM//Content calendar//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Content calendar · %(org)s") % {"org": org.name})
        for post in feed_posts(org, now=now):
            calendar.add_component(_event(post, org))
        return calendar.to_ical()
