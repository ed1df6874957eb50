"""Read measurement through the real Django stack (the test Client, a logged-in user), and the
raw-aggregate baseline for the dashboards."""

from __future__ import annotations

import base64
import statistics
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "n": len(samples),
    }


def pages(org, *, queries, user_id: int, deep_cursor: str | None) -> dict[str, tuple[str, dict]]:
    """Name → (path, extra request headers) for every page and endpoint measured."""
    o, api = f"/o/{org.slug}", f"/api/v1/orgs/{org.slug}"
    today = timezone.localdate()
    filters = {
        "query": str(queries[0]),
        "platform": "mastodon",
        "sentiment": "negative",
        "language": "en",
        "status": "new",
        "assignee": str(user_id),
        "author": "lector1",
        "since": (today - timedelta(days=30)).isoformat(),
        "until": today.isoformat(),
    }
    found = {
        "director_30d": (f"{o}/metrics/?range=30", {}),
        "director_365d": (f"{o}/metrics/?range=365", {}),
        "listening_30d": (f"{o}/metrics/listening/?range=30", {}),
        "listening_365d": (f"{o}/metrics/listening/?range=365", {}),
        "inbox": (f"{o}/listening/", {}),
    }
    for name, value in filters.items():
        found[f"inbox_{name}"] = (f"{o}/listening/?{urlencode({name: value})}", {})
    found["search"] = (f"{o}/listening/?{urlencode({'q': 'taller lectura'})}", {})
    found["api_first"] = (f"{api}/mentions/", {})
    found["api_deep"] = (f"{api}/mentions/?cursor={deep_cursor}" if deep_cursor else f"{api}/mentions/", {})
    found["trends"] = (f"{api}/trends/", {})
    return found


def deep_cursor(org_id: int, depth: float = 0.9) -> str | None:
    """A DRF cursor pointing ``depth`` of the way down the newest-first list (as the ``next`` links
    encode it: ``p`` = the last row's published_at)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listening_mention WHERE org_id = %s", [org_id])
        count = cursor.fetchone()[0]
        if count < 2:
            return None
        cursor.execute(
            "SELECT published_at FROM listening_mention WHERE org_id = %s ORDER BY published_at DESC, id DESC "
            "OFFSET %s LIMIT 1",
            [org_id, int(count * depth)],
        )
        position = cursor.fetchone()[0]
    return base64.b64encode(urlencode({"p": str(position)}).encode()).decode()


def measure(client, targets: dict[str, tuple[str, dict]], *, requests: int) -> dict[str, dict]:
    results = {}
    for name, (path, headers) in targets.items():
        response = client.get(path, **headers)  # warm-up, and proof that it works
        if response.status_code != 200:
            raise RuntimeError(f"{name}: GET {path} answered {response.status_code}")
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path, **headers)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: GET {path} answered {response.status_code}")
        results[name] = summary(samples)
    return results


RAW_SQL = """
SELECT (published_at AT TIME ZONE (SELECT timezone FROM mesm_organization WHERE id = %(org)s))::date AS day,
       platform, sentiment, count(*)
  FROM listening_mention
 WHERE org_id = %(org)s AND published_at >= %(start)s
 GROUP BY 1, 2, 3
"""
ROLLUP_SQL = """
SELECT day, platform, sentiment, sum(count)
  FROM listening_mentiondaily
 WHERE org_id = %(org)s AND query_id = -1 AND day >= %(start)s
 GROUP BY 1, 2, 3
"""


def aggregates(org_id: int, *, requests: int) -> dict[str, dict]:
    """The dashboards' volume-by-platform-and-sentiment aggregate, from raw mentions (the baseline)
    and from the daily rollup the dashboards read; same result set."""
    results = {}
    for days in (30, 365):
        start = timezone.now() - timedelta(days=days)
        for name, sql, param in (("raw", RAW_SQL, start), ("rollup", ROLLUP_SQL, start.date())):
            samples = []
            for _ in range(requests + 1):
                began = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, {"org": org_id, "start": param})
                    cursor.fetchall()
                samples.append(time.perf_counter() - began)
            results[f"{name}_{days}d"] = summary(samples[1:])
        results[f"cached_{days}d"] = _cached_aggregate(org_id, start.date(), requests=requests)
    return results


def _cached_aggregate(org_id: int, start, *, requests: int) -> dict:
    """The same aggregate as the dashboards get it on a repeat view: through ``metrics.engine``'s
    per-organisation cache (the version query included; the first, uncached read is left out)."""
    from mesm.models import Organization
    from metrics.engine import daily_totals, reading

    org = Organization.objects.get(pk=org_id)
    end = timezone.localdate() + timedelta(days=1)
    samples = []
    for _ in range(requests + 1):
        began = time.perf_counter()
        with reading(org, start, end):
            daily_totals(org, start, end, "platform")
        samples.append(time.perf_counter() - began)
    return summary(samples[1:])


def summary_line(timings: dict, baseline: dict, counts_one: dict, counts_full: dict, stored: int) -> dict:
    """The reads' keys of the JSON line (as ``bench.run`` prints them), plus the dashboard pages
    against the raw aggregate (``dashboard_page_vs_raw_*``: raw aggregate p95 ÷ page p95)."""
    dashboard = {
        days: max(timings[f"director_{days}d"]["p95_ms"], timings[f"listening_{days}d"]["p95_ms"]) for days in (30, 365)
    }
    raw_vs_rollup = {
        days: baseline[f"raw_{days}d"]["p95_ms"] / max(baseline[f"rollup_{days}d"]["p95_ms"], 0.01)
        for days in (30, 365)
    }
    return {
        "mentions": stored,
        "dashboard_30d_p95_ms": dashboard[30],
        "dashboard_365d_p95_ms": dashboard[365],
        "dashboard_raw_vs_rollup": round(raw_vs_rollup[365], 1),
        "dashboard_raw_vs_rollup_30d": round(raw_vs_rollup[30], 1),
        "dashboard_raw_vs_cached": round(
            baseline["raw_365d"]["p95_ms"] / max(baseline["cached_365d"]["p95_ms"], 0.01), 1
        ),
        "dashboard_raw_vs_cached_30d": round(
            baseline["raw_30d"]["p95_ms"] / max(baseline["cached_30d"]["p95_ms"], 0.01), 1
        ),
        "dashboard_page_vs_raw_30d": round(baseline["raw_30d"]["p95_ms"] / max(dashboard[30], 0.01), 2),
        "dashboard_page_vs_raw_365d": round(baseline["raw_365d"]["p95_ms"] / max(dashboard[365], 0.01), 2),
        "raw_aggregate_365d_p95_ms": baseline["raw_365d"]["p95_ms"],
        "inbox_p95_ms": max(timing["p95_ms"] for name, timing in timings.items() if name.startswith("inbox")),
        "search_p95_ms": timings["search"]["p95_ms"],
        "api_first_page_p95_ms": timings["api_first"]["p95_ms"],
        "api_deep_page_p95_ms": timings["api_deep"]["p95_ms"],
        "trends_p95_ms": timings["trends"]["p95_ms"],
        "max_queries_per_page": max(counts_full.values()),
        "queries_constant": counts_one == counts_full,
        "requests_per_page": next(iter(timings.values()))["n"],
    }


ROLLUP_AND_MENTION_TABLES = (
    "listening_mention", "listening_mentiondaily", "listening_mentionhourly",
    "listening_hashtagdaily", "listening_authordaily", "listening_termdaily",
)  # fmt: skip


def vacuum_analyze() -> None:
    """What autovacuum does after a bulk load, so the planner sees the loaded tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ROLLUP_AND_MENTION_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure_all(org, one, user, *, requests: int, log) -> tuple[dict, dict, dict, dict]:
    """Query counts in ``one`` (1 mention) and ``org`` (all), then the timed reads and aggregates.

    Returns (timings, baseline, counts_one, counts_full); used by bench.run and bench.reads_run.
    """
    from django.test import Client

    from bench import queries
    from listening.models import Query

    client = Client()
    client.force_login(user)
    targets = {}
    for current in (org, one):
        query_ids = list(Query.objects.filter(org=current).order_by("id").values_list("id", flat=True))
        targets[current.slug] = pages(current, queries=query_ids, user_id=user.id, deep_cursor=deep_cursor(current.id))
    log("query counts (1 row and full)")
    counts_one = queries.count(client, targets[one.slug])
    counts_full = queries.count(client, targets[org.slug])
    log(f"reads: {requests} requests per page")
    timings = measure(client, targets[org.slug], requests=requests)
    baseline = aggregates(org.id, requests=requests)
    return timings, baseline, counts_one, counts_full
