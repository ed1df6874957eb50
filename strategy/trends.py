"""Rising hashtags and terms in an organisation's mentions, detected from the daily rollups.

For each hashtag (``HashtagDaily``) and term (``TermDaily``):

- ``window_count``: mentions using it in the last ``window_days`` days;
- ``baseline_average``: mentions using it in the ``baseline_days`` days before the window, scaled to
  one window (total × window_days / baseline_days): what a window of that length usually holds;
- ``growth`` = window_count / max(baseline_average, SMOOTHING): the floor keeps a word seen once
  before from looking like a hundredfold rise, and gives words never seen before a finite ratio;
- it is a trend when window_count ≥ MIN_WINDOW_COUNT (one-off words are noise), growth ≥ MIN_GROWTH
  and the rise is more than chance: counts of independent mentions vary like a Poisson count, whose
  spread is the square root of its mean, so (window_count − baseline_average) must reach MIN_Z
  times √max(baseline_average, SMOOTHING) — 7 after an average of 4 is an ordinary week, 12 is
  not; ``is_new`` when the baseline period never used it;
- trends are ranked by ``score`` = log2(growth) × √window_count, which favours growth and volume
  together: doubling from 100 mentions outranks tripling from 3.

Detection reads only the rollups; the raw mentions are read once, for the few sample mentions of
the trends returned. Days are those of the organisation's time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from listening.enrichment.terms import hashtag_surface_form, surface_form
from listening.models import HashtagDaily, TermDaily

KINDS = ("all", "hashtag", "term")
WINDOW_CHOICES = (7, 14, 30)
BASELINE_CHOICES = (28, 56, 90)
MAX_WINDOW_DAYS = 90
MAX_BASELINE_DAYS = 365
MAX_LIMIT = 100

MIN_WINDOW_COUNT = 3  # mentions in the window before anything counts as a trend
MIN_GROWTH = 1.5  # at least half as much again as a usual window
MIN_Z = 2.0  # how many "usual spreads" above the usual count (see the module docstring)
SMOOTHING = 1.0  # the smallest baseline (mentions per window) a growth ratio divides by
SAMPLES_PER_TREND = 3
SAMPLE_POOL = 12  # latest mentions read per trend, to pick samples that do not repeat one text


@dataclass(frozen=True)
class TrendPeriod:
    baseline_start: date
    window_start: date
    end: date  # exclusive

    @property
    def days(self) -> list[date]:
        return [self.baseline_start + timedelta(days=n) for n in range((self.end - self.baseline_start).days)]

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass
class Sample:
    id: int
    author_handle: str
    author_name: str
    text: str
    url: str
    published_at: datetime


@dataclass
class Trend:
    term: str  # the counted key: a case- and accent-folded word, or a hashtag without "#"
    kind: str  # "hashtag" or "term"
    window_count: int
    baseline_total: int
    baseline_average: float
    growth: float
    score: float
    label: str = ""  # as people write it: "#ClubDeLectura", "programación"
    daily: list[tuple[date, int]] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.baseline_total == 0

    @property
    def search_text(self) -> str:
        """What to type in the inbox search to find the mentions behind it."""
        return self.label


def trend_period(org, *, window_days: int = 7, baseline_days: int = 28, end: date | None = None) -> TrendPeriod:
    """The window ends with today (in the organisation's time zone) unless ``end`` (exclusive) is given."""
    if end is None:
        end = timezone.localdate(timezone=org.zoneinfo) + timedelta(days=1)
    window_start = end - timedelta(days=window_days)
    return TrendPeriod(baseline_start=window_start - timedelta(days=baseline_days), window_start=window_start, end=end)


def check_trend_params(*, window_days: int, baseline_days: int, kind: str, limit: int) -> None:
    """Raise ValueError for parameters the callers (form, API serializer) should have refused."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be between 1 and {MAX_WINDOW_DAYS}")
    if not 1 <= baseline_days <= MAX_BASELINE_DAYS:
        raise ValueError(f"baseline_days must be between 1 and {MAX_BASELINE_DAYS}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")


# (kind, rollup model, key field)
_ROLLUPS = [("hashtag", HashtagDaily, "tag"), ("term", TermDaily, "term")]


def _is_rising(window_count: int, baseline_average: float) -> bool:
    floor = max(baseline_average, SMOOTHING)
    return (
        window_count >= MIN_WINDOW_COUNT
        and window_count / floor >= MIN_GROWTH
        and window_count - baseline_average >= MIN_Z * math.sqrt(floor)
    )


def _detect(org, period: TrendPeriod, kinds, *, window_days: int, baseline_days: int) -> list[Trend]:
    """One aggregate query per rollup over the baseline and the window."""
    found = []
    for kind, model, key in _ROLLUPS:
        if kind not in kinds:
            continue
        rows = (
            model.objects.filter(org=org, day__gte=period.baseline_start, day__lt=period.end)
            .values(key)
            .annotate(
                window=Sum("count", filter=Q(day__gte=period.window_start), default=0),
                baseline=Sum("count", filter=Q(day__lt=period.window_start), default=0),
            )
            .filter(window__gte=MIN_WINDOW_COUNT)
            .values_list(key, "window", "baseline")
        )
        for term, window, baseline in rows:
            average = baseline * window_days / baseline_days
            if _is_rising(window, average):
                growth = window / max(average, SMOOTHING)
                found.append(
                    Trend(term, kind, window, baseline, average, growth, math.log2(growth) * math.sqrt(window))
                )
    return found


DAILY_SQL = """
SELECT 'hashtag', tag, day, count FROM listening_hashtagdaily
 WHERE org_id = %(org)s AND day >= %(start)s AND day < %(end)s AND tag = ANY(%(hashtags)s::text[])
UNION ALL
SELECT 'term', term, day, count FROM listening_termdaily
 WHERE org_id = %(org)s AND day >= %(start)s AND day < %(end)s AND term = ANY(%(terms)s::text[])
"""


def _fill_daily(org, period: TrendPeriod, found: list[Trend]) -> None:
    """The daily counts of the chosen trends in one query for both rollups, zeros filled in. The
    query runs even when nothing was found, so the page's query count never depends on the data."""
    index = {day: n for n, day in enumerate(period.days)}
    chosen = {(t.kind, t.term): t for t in found}
    series = {key: [0] * len(index) for key in chosen}
    params = {
        "org": org.pk,
        "start": period.baseline_start,
        "end": period.end,
        "hashtags": [t.term for t in found if t.kind == "hashtag"],
        "terms": [t.term for t in found if t.kind == "term"],
    }
    with connection.cursor() as cursor:
        cursor.execute(DAILY_SQL, params)
        for kind, term, day, count in cursor.fetchall():
            series[(kind, term)][index[day]] += count
    for key, trend in chosen.items():
        trend.daily = list(zip(period.days, series[key], strict=True))


# How each folded letter may be written (``ñ`` stays itself: "año" is not "ano").
_VARIANTS = {
    "a": "aáàâäãåā",
    "e": "eéèêëē",
    "i": "iíìîïī",
    "o": "oóòôöõōø",
    "u": "uúùûüū",
    "c": "cç",
    "y": "yýÿ",
}


def _pattern(trend: Trend) -> str:
    """A PostgreSQL regular expression (for ``~*``) finding the trend in a mention's text."""
    if trend.kind == "hashtag":
        body = "".join(ch if ch.isalnum() else "\\" + ch for ch in trend.term)
        return f"(?<![[:alnum:]_])#{body}(?![[:alnum:]_])"
    body = ""
    for ch in trend.term:
        if ch in _VARIANTS:
            body += f"[{_VARIANTS[ch]}{_VARIANTS[ch].upper()}]"
        else:
            body += ch if ch.isalnum() else "\\" + ch
    # Not inside a longer word, a #hashtag or an @handle (the term rollup leaves those out).
    return f"(?<![[:alnum:]_#@]){body}(?![[:alnum:]_])"


SAMPLES_SQL = """
SELECT v.n, m.id, m.author_handle, m.author_name, m.text, m.url, m.published_at
FROM unnest(%(n)s::int[], %(pattern)s::text[]) AS v(n, pattern)
CROSS JOIN LATERAL (
    SELECT id, author_handle, author_name, text, url, published_at
    FROM listening_mention
    WHERE org_id = %(org)s AND published_at >= %(start)s AND published_at < %(end)s AND text ~* v.pattern
    ORDER BY published_at DESC, id DESC
    LIMIT %(per)s
) AS m
ORDER BY v.n, m.published_at DESC, m.id DESC
"""


def _fill_samples(org, period: TrendPeriod, found: list[Trend]) -> None:
    """The latest mentions of the window behind each trend, in one query for all of them; a text
    already shown (a repost, a copied announcement) is skipped for the next one. It runs even
    when nothing was found (an empty list), so the query count never depends on the data."""
    tz = org.zoneinfo
    params = {
        "n": list(range(len(found))),
        "pattern": [_pattern(t) for t in found],
        "org": org.pk,
        "start": datetime.combine(period.window_start, time.min, tz),
        "end": datetime.combine(period.end, time.min, tz),
        "per": SAMPLE_POOL,
    }
    with connection.cursor() as cursor:
        cursor.execute(SAMPLES_SQL, params)
        rows = cursor.fetchall()
    seen = [set() for _ in found]
    for n, *values in rows:
        sample = Sample(*values)
        text = " ".join(sample.text.casefold().split())
        if len(found[n].samples) < SAMPLES_PER_TREND and text not in seen[n]:
            seen[n].add(text)
            found[n].samples.append(sample)


def _label(trend: Trend) -> str:
    texts = [s.text for s in trend.samples]
    if trend.kind == "hashtag":
        return "#" + (hashtag_surface_form(texts, trend.term) or trend.term)
    return surface_form(texts, trend.term) or trend.term


def trends(
    org,
    *,
    window_days: int = 7,
    baseline_days: int = 28,
    kind: str = "all",
    limit: int = 20,
    end: date | None = None,
) -> list[Trend]:
    """The organisation's rising hashtags and/or terms, best first, with daily counts and samples.

    A fixed number of queries whatever the data: one aggregate per rollup kind asked for, one daily
    read for every trend, and one query for every sample. ``end`` is the day after the window (default: tomorrow, so the
    window ends today).
    """
    check_trend_params(window_days=window_days, baseline_days=baseline_days, kind=kind, limit=limit)
    period = trend_period(org, window_days=window_days, baseline_days=baseline_days, end=end)
    kinds = {"hashtag", "term"} if kind == "all" else {kind}
    found = _detect(org, period, kinds, window_days=window_days, baseline_days=baseline_days)
    found.sort(key=lambda t: (-t.score, -t.window_count, t.term, t.kind))
    found = found[:limit]
    _fill_daily(org, period, found)
    _fill_samples(org, period, found)
    for trend in found:
        trend.label = _label(trend)
    return found
