"""Referents and influencers: suggestions ranked from listening, and the services that change the registry."""

import math
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from listening.models import AuthorDaily, Mention
from strategy.models import Referent, ReferentInteraction, ReferentStatus

WEIGHTS = {"relevance": 0.5, "reach": 0.3, "engagement": 0.2}
# Candidates considered before scoring, as a multiple of the limit: an author with fewer mentions
# but a much larger reach may still reach the top once every factor counts.
CANDIDATE_FACTOR = 3


def registered_handles(org) -> set[str]:
    """Every handle already in the organisation's registry, lower-cased, whatever the platform."""
    handles = set()
    for mapping in Referent.objects.filter(org=org).values_list("handles", flat=True):
        if isinstance(mapping, dict):
            handles.update(str(value).strip().lower() for value in mapping.values() if value)
    return handles


def referent_suggestions(org, *, days: int = 90, limit: int = 20) -> list[dict]:
    """Authors who mentioned the organisation's queries in the last ``days``, best candidates first.

    score = 0.5·relevance + 0.3·reach + 0.2·engagement, each factor between 0 and 1:
    relevance is mentions over the top author's, reach is log10(followers) over the top author's,
    engagement is likes+reposts+replies per mention over the top author's. Authors already in the
    registry (any handle, case-insensitive) are left out. Two queries whatever the number of authors.
    """
    today = timezone.localdate()
    since_day = today - timedelta(days=days)
    excluded = registered_handles(org)
    rows = (
        AuthorDaily.objects.filter(org=org, day__gt=since_day)
        .exclude(author_handle="")
        .annotate(handle_lower=Lower("author_handle"))
        .exclude(handle_lower__in=excluded)
        .values("author_handle")
        .annotate(mentions=Sum("count"))
        .filter(mentions__gt=0)
        .order_by("-mentions", "author_handle")[: limit * CANDIDATE_FACTOR]
    )
    mentions = {row["author_handle"]: row["mentions"] for row in rows}
    if not mentions:
        return []
    since = timezone.now() - timedelta(days=days)
    stats = {
        row["author_handle"]: row
        for row in Mention.objects.filter(org=org, author_handle__in=list(mentions), published_at__gte=since)
        .values("author_handle")
        .annotate(
            name=Max("author_name"),
            platform=Max("platform"),
            followers=Max("author_followers"),
            interactions=Sum(F("likes") + F("reposts") + F("replies")),
            posts=Count("id"),
        )
        .order_by()
    }
    suggestions = []
    for handle, count in mentions.items():
        row = stats.get(handle, {})
        posts = row.get("posts") or 0
        suggestions.append(
            {
                "handle": handle,
                "name": row.get("name") or "",
                "platform": row.get("platform") or "",
                "mentions": count,
                "followers": row.get("followers") or 0,
                "engagement": round((row.get("interactions") or 0) / posts, 2) if posts else 0.0,
            }
        )
    top_mentions = max(s["mentions"] for s in suggestions)
    top_reach = max(math.log10(1 + s["followers"]) for s in suggestions)
    top_engagement = max(s["engagement"] for s in suggestions)
    for s in suggestions:
        s["relevance"] = round(s["mentions"] / top_mentions, 3) if top_mentions else 0.0
        s["reach"] = round(math.log10(1 + s["followers"]) / top_reach, 3) if top_reach else 0.0
        s["engagement_score"] = round(s["engagement"] / top_engagement, 3) if top_engagement else 0.0
        s["score"] = round(
            WEIGHTS["relevance"] * s["relevance"]
            + WEIGHTS["reach"] * s["reach"]
            + WEIGHTS["engagement"] * s["engagement_score"],
            3,
        )
    suggestions.sort(key=lambda s: (-s["score"], -s["mentions"], s["handle"]))
    return suggestions[:limit]


@transaction.atomic
def referent_add_from_suggestion(org, handle: str, name: str = "", platform: str = "", by=None) -> Referent:
    """Add a suggested author to the registry (or return the referent that already has this handle)."""
    handle = handle.strip()
    for referent in Referent.objects.select_for_update().filter(org=org):
        if any(str(value).strip().lower() == handle.lower() for value in (referent.handles or {}).values()):
            return referent
    base = (name or "").strip() or handle
    candidate, n = base, 1
    while Referent.objects.filter(org=org, name__iexact=candidate).exists():
        n += 1
        candidate = f"{base} ({n})"
    return Referent.objects.create(
        org=org,
        name=candidate[:200],
        handles={(platform or "other"): handle},
        status=ReferentStatus.IDENTIFIED,
        owner=by,
    )


def referent_set_status(referent: Referent, status: str) -> Referent:
    if status not in ReferentStatus.values:
        raise ValueError(status)
    referent.status = status
    referent.save(update_fields=["status", "updated_at"])
    return referent


def interaction_add(referent: Referent, *, by=None, **fields) -> ReferentInteraction:
    return ReferentInteraction.objects.create(referent=referent, by=by, **fields)
