"""The KPI engine: every metric key of the registry computed for a period, from rollups.

Counts come from the listening rollups (``MentionDaily``), followers from profile snapshots.
The inbox metrics (response rate, first-response time) read only the answered mentions, a small
indexed subset, never a count over all raw mentions. The post metrics (engagement rate, posts
published against planned, 70/20/10 adherence) read the content calendar's planned posts — a few
hundred rows a year — with their latest likes, reposts and replies.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Sum
from django.utils import timezone
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


# --- one read per kind of fact per page ----------------------------------------------------------
#
# A dashboard asks for the same facts (daily counts, answered mentions, snapshots, planned posts)
# for several ranges: the period, the previous period, each KPI's window, each tile's weekly
# series, a year of months for the mapped KPIs. Inside ``reading(org, start, end)`` every kind of
# fact is read once for the whole span and each call filters it in memory, so a page runs a fixed
# handful of queries. Outside it (or for a range beyond what was read) each call reads just what it
# needs, as before.


@dataclass
class _Read:
    start: date
    end: date
    data: object


@dataclass
class _Scope:
    org: object
    start: date
    end: date
    reads: dict = field(default_factory=dict)
    version: str | None = None


_scope: ContextVar[_Scope | None] = ContextVar("metrics_reading", default=None)


@contextmanager
def reading(org, start: date, end: date):
    """Read each kind of fact once for [start, end) while the block runs (see above)."""
    token = _scope.set(_Scope(org, start, end))
    try:
        yield
    finally:
        _scope.reset(token)


def _fact(org, name: str, start: date, end: date, load, key: tuple = ()):
    """``load(org, start, end)`` once per scope, over the scope's span (widened when needed);
    returns (data, filtered) where ``filtered`` is False when the data is exactly [start, end).
    ``key``: what else the data depends on (part of the cache key)."""
    scope = _scope.get()
    if scope is None or scope.org.pk != org.pk:
        return load(org, start, end), False
    read = scope.reads.get(name)
    if read is None or start < read.start or end > read.end:
        low = min(start, scope.start, read.start if read else start)
        high = max(end, scope.end, read.end if read else end)
        if name in _ROLLUP_FACTS:
            data = rollup_cached(org, name, (low, high, *key), lambda: load(org, low, high))
        else:
            data = load(org, low, high)
        read = scope.reads[name] = _Read(low, high, data)
    return read.data, True


def rollup_cached(org, name: str, parts: tuple, compute):
    """Inside ``reading``: ``compute()`` through the per-organisation cache of rollup reads (see
    ``metrics.cache``); outside it, straight from the database."""
    from metrics import cache

    scope = _scope.get()
    if scope is None or scope.org.pk != org.pk:
        return compute()
    if scope.version is None:
        scope.version = cache.data_version(org)
    return cache.cached(org, scope.version, name, parts, compute)


# Facts read from the listening rollups, which the per-organisation cache may serve.
_ROLLUP_FACTS = {"daily", "voice"}


def _daily_totals(org, start, end) -> dict[str, dict[date, dict[str, int]]]:
    """New mentions per day by sentiment and per day by platform, every mention counted once,
    from one grouped read of the daily rollup."""
    rows = (
        MentionDaily.objects.filter(org=org, query_id=ALL_MENTIONS, day__gte=start, day__lt=end)
        .values("day", "platform", "sentiment")
        .annotate(total=Sum("count"))
        .values_list("day", "platform", "sentiment", "total")
    )
    totals: dict[str, dict[date, dict[str, int]]] = {"sentiment": {}, "platform": {}}
    for day, platform, sentiment, total in rows:
        for dimension, value in (("sentiment", sentiment), ("platform", platform)):
            counts = totals[dimension].setdefault(day, {})
            counts[value] = counts.get(value, 0) + total
    return totals


def daily_totals(org, start: date, end: date, dimension: str) -> dict[date, dict[str, int]]:
    """day → {sentiment or platform → new mentions} over [start, end) (shared by the tiles and
    the volume charts inside ``reading``)."""
    totals, filtered = _fact(org, "daily", start, end, _daily_totals)
    days = totals[dimension]
    return {day: counts for day, counts in days.items() if start <= day < end} if filtered else days


def _sentiment_counts(org, start, end) -> dict[date, dict[str, int]]:
    return daily_totals(org, start, end, "sentiment")


def _in(bucket: Bucket, day: date) -> bool:
    return bucket.start <= day < bucket.end


def _bucket_of(periods: list[Bucket]):
    """day → index of its bucket (or None), by bisection over the buckets' starts."""
    starts = [bucket.start for bucket in periods]

    def index(day: date) -> int | None:
        position = bisect_right(starts, day) - 1
        return position if position >= 0 and day < periods[position].end else None

    return index


def _bucket_sums(days: dict[date, dict[str, int]], periods: list[Bucket]) -> list[dict[str, int]]:
    """Per bucket: mentions by sentiment, and all of them under ``None``."""
    sums = [defaultdict(int) for _ in periods]
    index = _bucket_of(periods)
    for day, counts in days.items():
        position = index(day)
        if position is not None:
            for sentiment, count in counts.items():
                sums[position][sentiment] += count
                sums[position][None] += count
    return sums


def _roles(org) -> dict[int, str]:
    return dict(Query.objects.filter(org=org).values_list("id", "role"))


def _voice_days(org, start, end) -> dict[date, tuple[int, int]]:
    """day → (mentions of our own queries, of the peers'), each query counted apart."""
    roles, _filtered = _fact(org, "roles", start, end, lambda org, _start, _end: _roles(org))

    def load(org, start, end):
        rows = (
            MentionDaily.objects.filter(org=org, day__gte=start, day__lt=end, query_id__gt=0)
            .values("day", "query_id")
            .annotate(total=Sum("count"))
            .values_list("day", "query_id", "total")
        )
        days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for day, query_id, total in rows:
            role = roles.get(query_id)  # a deleted query's rows count for no one
            if role == "own":
                days[day][0] += total
            elif role == "peer":
                days[day][1] += total
        return {day: (own, peer) for day, (own, peer) in days.items()}

    days, _filtered = _fact(org, "voice", start, end, load, key=tuple(sorted(roles.items())))
    return days


def _share_of_voice(org, start, end, periods):
    own, peer = [0] * len(periods), [0] * len(periods)
    index = _bucket_of(periods)
    for day, (mine, theirs) in _voice_days(org, start, end).items():
        position = index(day) if start <= day < end else None
        if position is not None:
            own[position] += mine
            peer[position] += theirs
    return [_ratio(o, o + p) if p else None for o, p in zip(own, peer, strict=True)]


def _followers_at(snapshots, day: date) -> int | None:
    """Sum over profiles of each profile's latest follower count on or before ``day``."""
    latest: dict[int, int] = {}
    for profile_id, snapshot_day, followers in snapshots:
        if snapshot_day <= day and followers is not None:
            latest[profile_id] = followers  # snapshots are ordered by date
    return sum(latest.values()) if latest else None


def _load_snapshots(org, start, end):
    return list(
        ProfileSnapshot.objects.filter(org=org, date__gte=start, date__lt=end, profile__archived_at__isnull=True)
        .order_by("date")
        .values_list("profile_id", "date", "followers")
    )


def _snapshots(org, start, end):
    # A look-back of 60 days finds each profile's count at the start of the range.
    start = start - timedelta(days=60)
    rows, filtered = _fact(org, "snapshots", start, end, _load_snapshots)
    return [row for row in rows if start <= row[1] < end] if filtered else rows


def _load_answered(org, start, end):
    # The range as instants of the current time zone (what ``published_at__date`` compares in),
    # so the partial index on answered mentions serves it.
    zone = timezone.get_current_timezone()
    rows = Mention.objects.filter(
        org=org,
        first_response_at__isnull=False,
        published_at__gte=datetime.combine(start, time.min, zone),
        published_at__lt=datetime.combine(end, time.min, zone),
    ).values_list("published_at", "collected_at", "first_response_at")
    return [
        (
            timezone.localtime(published, zone).date(),
            published.date(),
            max((responded - collected).total_seconds(), 0) / 3600,
        )
        for published, collected, responded in rows
    ]


def _answered(org, start, end):
    """(published day, response hours) of answered mentions published in the range."""
    rows, _filtered = _fact(org, "answered", start, end, _load_answered)
    return [(day, hours) for local_day, day, hours in rows if start <= local_day < end]


def _load_posts(org, start, end):
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


def _posts(org, start, end):
    """(local day, profile id, tier, status, interactions) of the planned posts of [start, end)
    (rejected ones excluded), by their scheduled day in the organisation's time zone."""
    rows, filtered = _fact(org, "posts", start, end, _load_posts)
    return [row for row in rows if start <= row[0] < end] if filtered else rows


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
        values = []
        for sums in _bucket_sums(_sentiment_counts(org, start, end), periods):
            total = sums[None]
            if key == "mention_volume":
                values.append(float(total))
                continue
            positive, negative = sums["positive"], sums["negative"]
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
        totals = _bucket_sums(_sentiment_counts(org, start, end), periods) if key == "response_rate" else []
        per_bucket: list[list[float]] = [[] for _ in periods]
        index = _bucket_of(periods)
        for day, h in answered:  # in the order read, as the medians were always taken
            position = index(day)
            if position is not None:
                per_bucket[position].append(h)
        values = []
        for position, hours in enumerate(per_bucket):
            if key == "response_rate":
                values.append(_ratio(len(hours), totals[position][None]))
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
