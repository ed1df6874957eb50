"""Reads for the dashboards: tiles, breakdowns and correlations, all from rollups and snapshots."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from listening.models import AuthorDaily, HashtagDaily
from metrics.engine import buckets, daily_totals, metric_series, metric_value, rollup_cached
from metrics.models import InstitutionalValue, MetricMapping
from metrics.registry import BY_KEY

RANGES = {"30": 30, "90": 90, "365": 365}


@dataclass
class Period:
    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def period_for(choice: str | None, today: date) -> Period:
    days = RANGES.get(choice or "", 30)
    end = today + timedelta(days=1)
    return Period(end - timedelta(days=days), end)


def granularity_for(period: Period) -> str:
    return "day" if period.days <= 31 else ("week" if period.days <= 120 else "month")


@dataclass
class Tile:
    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    series: list[float | None]

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)


def tiles(org, period: Period, keys: list[str]) -> list[Tile]:
    result = []
    for key in keys:
        metric = BY_KEY[key]
        series = [v for _, v in metric_series(org, key, period.start, period.end, "week")]
        result.append(
            Tile(
                key=key,
                label=str(metric.label),
                unit=metric.unit,
                value=metric_value(org, key, period.start, period.end),
                previous=metric_value(org, key, period.previous.start, period.previous.end),
                series=series,
            )
        )
    return result


def volume_by(org, period: Period, dimension: str) -> tuple[list[date], dict[str, list[float]]]:
    """New mentions per period bucket split by platform or sentiment (one grouped read of the daily
    rollup, shared with the tiles inside ``engine.reading``)."""
    granularity = granularity_for(period)
    periods = buckets(period.start, period.end, granularity)
    starts = [bucket.start for bucket in periods]
    if dimension not in ("platform", "sentiment"):
        raise ValueError(dimension)
    split: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(periods))
    for day, counts in daily_totals(org, period.start, period.end, dimension).items():
        index = bisect_right(starts, day) - 1
        if index >= 0 and day < periods[index].end:
            for key, total in counts.items():
                split[key][index] += total
    return starts, dict(sorted(split.items()))


def top_hashtags(org, period: Period, limit: int = 10) -> list[tuple[str, int]]:
    def compute():
        rows = (
            HashtagDaily.objects.filter(org=org, day__gte=period.start, day__lt=period.end)
            .values("tag")
            .annotate(total=Sum("count"))
            .order_by("-total", "tag")[:limit]
        )
        return [(row["tag"], row["total"]) for row in rows]

    return rollup_cached(org, "hashtags", (period.start, period.end, limit), compute)


def top_authors(org, period: Period, limit: int = 10) -> list[tuple[str, int]]:
    """The authors who mentioned the library most in the period, from the author rollup."""

    def compute():
        rows = (
            AuthorDaily.objects.filter(org=org, day__gte=period.start, day__lt=period.end)
            .values("author_handle")
            .annotate(total=Sum("count"))
            .order_by("-total", "author_handle")[:limit]
        )
        return [(row["author_handle"], row["total"]) for row in rows]

    return rollup_cached(org, "authors", (period.start, period.end, limit), compute)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Correlation of two equally long series; None below 3 pairs or with a flat series."""
    if len(xs) < 3:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if not var_x or not var_y:
        return None
    return round(cov / math.sqrt(var_x * var_y), 2)


@dataclass
class MappingView:
    mapping: MetricMapping
    months: list[date]
    social: list[float | None]
    institutional: list[float | None]
    correlation: float | None
    pairs: int


def mapping_span(today: date, months: int = 12) -> tuple[date, date]:
    """[start, end) of the last ``months`` calendar months, this one included."""
    end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    start = end
    for _ in range(months):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def mapping_views(org, today: date, months: int = 12) -> list[MappingView]:
    """Each mapped pair as two monthly series over the last ``months`` months, with their correlation."""
    start, end = mapping_span(today, months)
    mappings = list(MetricMapping.objects.filter(org=org).select_related("institutional_kpi"))
    values = defaultdict(dict)
    for kpi_id, period_start, value in InstitutionalValue.objects.filter(
        org=org, kpi__in=[m.institutional_kpi_id for m in mappings], period_start__gte=start, period_start__lt=end
    ).values_list("kpi_id", "period_start", "value"):
        values[kpi_id][period_start.replace(day=1)] = float(value)
    result = []
    for mapping in mappings:
        series = metric_series(org, mapping.metric_key, start, end, "month")
        month_starts = [day for day, _ in series]
        social = [value for _, value in series]
        institutional = [values[mapping.institutional_kpi_id].get(day) for day in month_starts]
        paired = [(s, i) for s, i in zip(social, institutional, strict=True) if s is not None and i is not None]
        result.append(
            MappingView(
                mapping=mapping,
                months=month_starts,
                social=social,
                institutional=institutional,
                correlation=pearson([p[0] for p in paired], [p[1] for p in paired]),
                pairs=len(paired),
            )
        )
    return result
