"""The KPI engine: every metric key of the registry computed for a period, from rollups.

Counts come from the listening rollups (``MentionDaily``), followers from profile snapshots.
The inbox metrics (response rate, first-response time) read only the answered mentions, a small
indexed subset, never a count over all raw mentions. The post metrics (engagement rate, posts
published against planned, 70/20/10 adherence) read the content calendar's planned posts — a few
hundred rows a year — with their latest likes, reposts and replies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from django.db.models import Sum
from django.utils.translation import gettext as _

from listening.models import Mention, MentionDaily, Query
from listening.services.ingest import ALL_MENTIONS
from metrics.models import ProfileSnapshot
from metrics.registry import BY_KEY

GRANULARITIES = ("day", "week", "month")


class UnknownMetric(ValueError):
    def __init__(self, key: str):
        valid = ", ".join(sorted(BY_KEY))
        super().__init__(_("“%(key)s” is not a metric. Valid metrics: %(valid)s.") % {"key": key, "valid": valid})


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date  # exclusive


def buckets(start: date, end: date, granularity: str | None) -> list[Bucket]:
    """Consecutive periods covering [start, end): days, ISO weeks (from Monday) or calendar months;
    ``None`` gives one period for the whole range."""
    if granularity is None:
        return [Bucket(start, end)]
    if granularity not in GRANULARITIES:
        raise ValueError(_("The granularity must be day, week or month."))
    result, cursor = [], start
    if granularity == "week":
        cursor = start - timedelta(days=start.weekday())
    elif granularity == "month":
        cursor = start.replace(day=1)
    while cursor < end:
        if granularity == "day":
            following = cursor + timedelta(days=1)
        elif granularity == "week":
            following = cursor + timedelta(days=7)
        else:
            following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        result.append(Bucket(max(cursor, start), min(following, end)))
        cursor = following
    return result


def _ratio(part, whole, scale=100.0):
    return round(scale * part / whole, 2) if whole else None


def _sentiment_counts(org, start, end) -> dict[date, dict[str, int]]:
    rows = (
        MentionDaily.objects.filter(org=org, query_id=ALL_MENTIONS, day__gte=start, day__lt=end)
        .values("day", "sentiment")
        .annotate(total=Sum("count"))
    )
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        days[row["day"]][row["sentiment"]] += row["total"]
    return days


def _in(bucket: Bucket, day: date) -> bool:
    return bucket.start <= day < bucket.end


def _sum(days, bucket, sentiment=None) -> int:
    return sum(
        (counts.get(sentiment, 0) if sentiment else sum(counts.values()))
        for day, counts in days.items()
        if _in(bucket, day)
    )


def _share_of_voice(org, start, end, periods):
    roles = dict(Query.objects.filter(org=org).values_list("id", "role"))
    rows = (
        MentionDaily.objects.filter(org=org, day__gte=start, day__lt=end, query_id__in=list(roles))
        .values("day", "query_id")
        .annotate(total=Sum("count"))
    )
    values = []
    for bucket in periods:
        own = sum(r["total"] for r in rows if _in(bucket, r["day"]) and roles[r["query_id"]] == "own")
        peer = sum(r["total"] for r in rows if _in(bucket, r["day"]) and roles[r["query_id"]] == "peer")
        values.append(_ratio(own, own + peer) if peer else None)
    return values


def _followers_at(snapshots, day: date) -> int | None:
    """Sum over profiles of each profile's latest follower count on or before ``day``."""
    latest: dict[int, int] = {}
    for profile_id, snapshot_day, followers in snapshots:
        if snapshot_day <= day and followers is not None:
            latest[profile_id] = followers  # snapshots are ordered by date
    return sum(latest.values()) if latest else None


def _snapshots(org, start, end):
    # A look-back of 60 days finds each profile's count at the start of the range.
    return list(
        ProfileSnapshot.objects.filter(
            org=org, date__gte=start - timedelta(days=60), date__lt=end, profile__archived_at__isnull=True
        )
        .order_by("date")
        .values_list("profile_id", "date", "followers")
    )


def _answered(org, start, end):
    """(published day, response hours) of answered mentions published in the range."""
    rows = Mention.objects.filter(
        org=org, first_response_at__isnull=False, published_at__date__gte=start, published_at__date__lt=end
    ).values_list("published_at", "collected_at", "first_response_at")
    return [
        (published.date(), max((responded - collected).total_seconds(), 0) / 3600)
        for published, collected, responded in rows
    ]


def _posts(org, start, end):
    """(local day, profile id, tier, status, interactions) of the planned posts of [start, end)
    (rejected ones excluded), by their scheduled day in the organisation's time zone."""
    from strategy.models import PLANNED_STATUSES, PlannedPost

    zone = org.zoneinfo
    rows = PlannedPost.objects.filter(
        org=org,
        status__in=PLANNED_STATUSES,
        scheduled_at__date__gte=start - timedelta(days=1),
        scheduled_at__date__lt=end + timedelta(days=1),
    ).values_list("scheduled_at", "profile_id", "tier", "status", "likes", "reposts", "replies")
    posts = []
    for scheduled, profile_id, tier, status, likes, reposts, replies in rows:
        day = scheduled.astimezone(zone).date()
        if start <= day < end:
            posts.append((day, profile_id, tier, status, (likes or 0) + (reposts or 0) + (replies or 0)))
    return posts


def _post_metric(org, key, start, end, periods):
    from strategy.models import TIER_TARGETS

    posts = _posts(org, start, end)
    snapshots = _snapshots(org, start, end) if key == "engagement_rate" else []
    values = []
    for bucket in periods:
        inside = [post for post in posts if _in(bucket, post[0])]
        published = [post for post in inside if post[3] == "published"]
        if key == "posts_published":
            values.append(_ratio(len(published), len(inside)))
        elif key == "tier_adherence":
            if not published:
                values.append(None)
                continue
            shares = {
                tier: 100.0 * sum(1 for post in published if post[2] == tier) / len(published) for tier in TIER_TARGETS
            }
            # 100 minus the share of posts that would have to change tier to reach 70/20/10.
            distance = sum(abs(shares[tier] - target) for tier, target in TIER_TARGETS.items()) / 2
            values.append(round(100.0 - distance, 2))
        else:  # engagement_rate: each post's interactions over its profile's followers when it went out
            rates = []
            for day, profile_id, _tier, _status, interactions in published:
                latest = [(d, f) for p, d, f in snapshots if p == profile_id and d <= day and f]
                if latest:
                    rates.append(100.0 * interactions / latest[-1][1])
            values.append(round(sum(rates) / len(rates), 2) if rates else None)
    return values


def metric_series(
    org, key: str, start: date, end: date, granularity: str | None = "day"
) -> list[tuple[date, float | None]]:
    """The metric for every period of [start, end); ``None`` where there is no data."""
    if key not in BY_KEY:
        raise UnknownMetric(key)
    periods = buckets(start, end, granularity)
    if key in ("mention_volume", "positive_share", "negative_share", "net_sentiment"):
        days = _sentiment_counts(org, start, end)
        values = []
        for bucket in periods:
            total = _sum(days, bucket)
            if key == "mention_volume":
                values.append(float(total))
                continue
            positive, negative = _sum(days, bucket, "positive"), _sum(days, bucket, "negative")
            if key == "positive_share":
                values.append(_ratio(positive, total))
            elif key == "negative_share":
                values.append(_ratio(negative, total))
            else:
                values.append(round(_ratio(positive, total) - _ratio(negative, total), 2) if total else None)
    elif key == "share_of_voice":
        values = _share_of_voice(org, start, end, periods)
    elif key in ("followers", "follower_growth"):
        snapshots = _snapshots(org, start, end)
        values = []
        for bucket in periods:
            at_end = _followers_at(snapshots, bucket.end - timedelta(days=1))
            if key == "followers":
                values.append(float(at_end) if at_end is not None else None)
            else:
                at_start = _followers_at(snapshots, bucket.start - timedelta(days=1))
                values.append(_ratio(at_end - at_start, at_start) if at_end is not None and at_start else None)
    elif key in ("response_rate", "first_response_time"):
        answered = _answered(org, start, end)
        days = _sentiment_counts(org, start, end) if key == "response_rate" else {}
        values = []
        for bucket in periods:
            hours = [h for day, h in answered if _in(bucket, day)]
            if key == "response_rate":
                values.append(_ratio(len(hours), _sum(days, bucket)))
            else:
                values.append(round(median(hours), 2) if hours else None)
    elif key in ("engagement_rate", "posts_published", "tier_adherence"):
        values = _post_metric(org, key, start, end, periods)
    else:  # manual: typed in by the team, nothing to compute
        values = [None for _ in periods]
    return [(bucket.start, value) for bucket, value in zip(periods, values, strict=True)]


def metric_value(org, key: str, start: date, end: date) -> float | None:
    """The metric over the whole of [start, end) (ratios and medians over the whole range,
    not averaged over smaller periods)."""
    if key not in BY_KEY:
        raise UnknownMetric(key)
    if key == "followers":
        return _followers_at(_snapshots(org, start, end), end - timedelta(days=1))
    return metric_series(org, key, start, end, granularity=None)[0][1]
