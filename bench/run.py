"""``make bench``: generate, ingest, read, count and measure memory on a separate database.

Environment:
  BENCH_MENTIONS  size of the data set (default 1,000,000)
  BENCH_REQUESTS  requests per page for p50/p95 (default 50, at least 50 for published figures)
  BENCH_PAGE      items per ingest page / transaction (default 100, a typical connector page)
  BENCH_WORKERS   processes for the parallel ingest run (default 2, a worker with concurrency 2;
                  1 skips it)
  BENCH_ORDER     "newest" (default): each platform's posts newest first, as the platforms page
                  through them; "shuffled": every page samples the whole year (worst case for rollups)
  BENCH_ONLY      "ingest" runs only the ingest part (no reads, query counts or memory)
  BENCH_DB        database created, migrated and dropped by the run (default mesm_bench)
  BENCH_KEEP_DB   1 keeps the database afterwards (to look at it)

The last line printed is one JSON object (see docs/performance.md).
"""

from __future__ import annotations

import json
import os
import sys
import time

BANNER = "MESM bench"
ORDER_NAMES = {"newest": "each platform's posts newest first", "shuffled": "posts in random time order"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> int:
    size = int(os.environ.get("BENCH_MENTIONS", "1000000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    page_size = int(os.environ.get("BENCH_PAGE", "100"))
    db_name = os.environ.get("BENCH_DB", "mesm_bench")
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    only = os.environ.get("BENCH_ONLY", "")
    order = os.environ.get("BENCH_ORDER", "newest")
    if order not in ORDER_NAMES:
        raise SystemExit(f"BENCH_ORDER must be 'newest' or 'shuffled', not {order!r}")
    if only not in ("", "ingest"):
        raise SystemExit(f"BENCH_ONLY must be empty or 'ingest', not {only!r}")
    # Never the dev or demo database: Django's test-database machinery creates ``db_name`` next to
    # the configured one, migrates it, and drops it at the end. Cache keys get their own prefix.
    os.environ["TEST_DATABASE_NAME"] = db_name
    os.environ["CACHE_KEY_PREFIX"] = "mesm-bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesm.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    log(
        f"{BANNER}: {size:,} mentions, {requests} requests per page, pages of {page_size}, {ORDER_NAMES[order]}; database {db_name}"
    )
    original_name = connection.settings_dict["NAME"]
    if db_name == original_name:
        raise SystemExit(f"BENCH_DB must differ from the configured database ({original_name})")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        result = _bench(
            size=size, requests=requests, page_size=page_size, db_name=db_name, workers=workers, only=only, order=order
        )
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1":
            connection.creation.destroy_test_db(original_name, verbosity=0)
    _print(result)
    return 0


def _setup_orgs():
    from django.contrib.auth import get_user_model

    from bench import data
    from listening.models import Query, Source
    from mesm.models import Membership, Organization, Role

    user = get_user_model().objects.create_user(username="bench-admin", password="bench-not-secret")  # noqa: S106
    orgs = []
    for slug in ("bench", "bench-one", "bench-parallel"):
        org = Organization.objects.create(name=f"Bench {slug}", slug=slug, language="es")
        Membership.objects.create(user=user, org=org, role=Role.ADMIN)
        for name, expression, languages in data.QUERIES:
            Query.objects.create(org=org, name=name, expression=expression, languages=languages)
        for platform in data.PLATFORMS:
            Source.objects.create(
                org=org, name=f"{platform} bench", platform=platform, kind="search", target="bench", enabled=False
            )
        orgs.append(org)
    return user, orgs


def _bench(*, size: int, requests: int, page_size: int, db_name: str, workers: int, only: str, order: str) -> dict:

    from bench import data, memory, reads
    from bench.ingest import copy_rate, drop_org_rows, ingest, ingest_parallel
    from listening.models import Mention

    user, (org, one, parallel_org) = _setup_orgs()
    log("generating posts")
    started = time.perf_counter()
    items = data.items(size, order=order)
    log(f"generated {size:,} posts in {time.perf_counter() - started:.1f} s")

    def progress(done, total, seconds):
        log(f"  ingest {done:,}/{total:,} ({done / seconds:,.0f}/s)")

    log("ingest through the pipeline")
    first = ingest(org.id, items, page_size=page_size, progress=progress)
    log(
        f"ingested {first.inserted:,} in {first.seconds:.1f} s: {first.per_s:,.0f}/s; "
        f"storage step {first.storage_seconds:.1f} s"
    )
    log("raw COPY of the same rows into a bare table")
    copied, copy_seconds = copy_rate(org.id, page_size=page_size)
    log("raw COPY of the same rows into a copy of the mentions table with all its indexes")
    indexed_copied, indexed_copy_seconds = copy_rate(org.id, page_size=page_size, indexes=True)
    log("re-ingest of the same batch")
    again = ingest(org.id, items, page_size=page_size, progress=progress)
    parallel = None
    if workers > 1:
        # Another organisation, so its rows are all new; dropped again before the reads.
        log(f"ingest of the same batch in {workers} parallel processes (another organisation)")
        parallel = ingest_parallel(parallel_org.id, items, page_size=page_size, workers=workers)
        log(f"ingested {parallel.inserted:,} in {parallel.seconds:.1f} s: {parallel.per_s:,.0f}/s")
        drop_org_rows(parallel_org.id)
    del items
    ingest(one.id, data.items(1, seed=99), page_size=page_size)
    ingest_only = {
        "size": size, "first": first, "again": again, "parallel": parallel, "copied": copied,
        "copy_seconds": copy_seconds, "copy_per_s": copied / copy_seconds if copy_seconds else 0.0,
        "indexed_copied": indexed_copied, "indexed_copy_seconds": indexed_copy_seconds,
        "indexed_copy_per_s": indexed_copied / indexed_copy_seconds if indexed_copy_seconds else 0.0,
        "stored": Mention.objects.filter(org=org).count(), "only": only, "order": order,
    }  # fmt: skip
    if only == "ingest":
        return ingest_only
    log("VACUUM ANALYZE (what autovacuum does after a bulk load)")
    reads.vacuum_analyze()
    timings, baseline, counts_one, counts_full = reads.measure_all(org, one, user, requests=requests, log=log)
    log("peak memory: worker and web processes")
    probe_items = min(size, 5_000)
    worker = memory.run_child(
        "worker", db_name=db_name, org_slug=one.slug, username=user.username, items=probe_items, page_size=page_size
    )
    web = memory.run_child(
        "web", db_name=db_name, org_slug=org.slug, username=user.username, items=0, page_size=page_size
    )
    inbox_names = [name for name in timings if name.startswith("inbox")]
    return {
        **ingest_only,
        "timings": timings,
        "baseline": baseline,
        "counts_one": counts_one,
        "counts_full": counts_full,
        "worker": worker,
        "web": web,
        "probe_items": probe_items,
        "inbox_names": inbox_names,
    }


def _print_ingest(r: dict) -> dict:
    """The ingest table; returns the ingest keys of the JSON line."""
    first, again, parallel = r["first"], r["again"], r["parallel"]
    ratio = first.per_s / r["copy_per_s"] if r["copy_per_s"] else 0.0
    storage_ratio = first.storage_per_s / r["copy_per_s"] if r["copy_per_s"] else 0.0
    indexed_ratio = first.storage_per_s / r["indexed_copy_per_s"] if r["indexed_copy_per_s"] else 0.0
    print()
    print(f"{'INGEST':<44}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    rows = [
        ("pipeline (normalise…rollups), 1 process", first.items, first.seconds, first.per_s),
        ("  of which storage step (COPY+SQL time)", first.items, first.storage_seconds, first.storage_per_s),
        ("raw COPY into a bare table (no indexes)", r["copied"], r["copy_seconds"], r["copy_per_s"]),
        (
            "raw COPY into a table with all its indexes",
            r["indexed_copied"],
            r["indexed_copy_seconds"],
            r["indexed_copy_per_s"],
        ),
        ("re-ingest of the same batch", again.items, again.seconds, again.per_s),
    ]
    if parallel:
        rows.append(
            (f"pipeline, {parallel.workers} processes at once", parallel.items, parallel.seconds, parallel.per_s)
        )
    for label, count, seconds, per_s in rows:
        print(f"{label:<44}{count:>12,}{seconds:>10.1f}{per_s:>12,.0f}")
    print(
        f"pipeline ÷ COPY = {ratio:.3f}   storage ÷ COPY = {storage_ratio:.3f}   "
        f"storage ÷ indexed COPY = {indexed_ratio:.3f}   "
        f"inserted {first.inserted:,}, re-ingest inserted {again.inserted:,} (updated {again.updated:,})"
    )
    print(
        "storage step by statement (s): "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(first.by_table.items(), key=lambda kv: -kv[1]))
    )
    return {
        "mentions": r["stored"],
        "ingest_per_s": round(first.per_s, 1),
        "storage_per_s": round(first.storage_per_s, 1),
        "copy_per_s": round(r["copy_per_s"], 1),
        "ingest_vs_copy": round(ratio, 3),
        "storage_vs_copy": round(storage_ratio, 3),
        "indexed_copy_per_s": round(r["indexed_copy_per_s"], 1),
        "storage_vs_indexed_copy": round(indexed_ratio, 3),
        "reingest_inserted": again.inserted,
        "reingest_per_s": round(again.per_s, 1),
        "ingest_parallel_per_s": round(parallel.per_s, 1) if parallel else None,
        "ingest_workers": parallel.workers if parallel else 1,
        "ingest_order": r["order"],
        "parallel_inserted": parallel.inserted if parallel else None,
    }


def _print(r: dict) -> None:
    ingest_line = _print_ingest(r)
    if r["only"] == "ingest":
        print(json.dumps({**ingest_line, "storage_seconds_by_statement": _by_statement(r["first"])}))
        return
    timings, baseline = r["timings"], r["baseline"]
    raw_vs_rollup = {
        days: baseline[f"raw_{days}d"]["p95_ms"] / max(baseline[f"rollup_{days}d"]["p95_ms"], 0.01)
        for days in (30, 365)
    }
    dashboard = {
        days: max(timings[f"director_{days}d"]["p95_ms"], timings[f"listening_{days}d"]["p95_ms"]) for days in (30, 365)
    }
    print()
    print(f"{'READS':<24}{'p50 ms':>9}{'p95 ms':>9}{'queries 1 row':>15}{'queries full':>14}")
    for name, timing in timings.items():
        print(
            f"{name:<24}{timing['p50_ms']:>9.1f}{timing['p95_ms']:>9.1f}"
            f"{r['counts_one'][name]:>15}{r['counts_full'][name]:>14}"
        )
    for name, timing in baseline.items():
        print(f"{'aggregate ' + name:<24}{timing['p50_ms']:>9.1f}{timing['p95_ms']:>9.1f}")
    print(f"raw aggregate ÷ rollup aggregate (p95): 30 d {raw_vs_rollup[30]:.1f}×, 365 d {raw_vs_rollup[365]:.1f}×")
    print()
    print(
        f"MEMORY  worker peak {r['worker']['peak_mb']} MB (ingest of {r['probe_items']:,} posts; "
        f"{r['worker']['start_mb']} MB after start)   web peak {r['web']['peak_mb']} MB "
        f"({r['web']['start_mb']} MB after start)"
    )
    line = {
        **ingest_line,
        "dashboard_30d_p95_ms": dashboard[30],
        "dashboard_365d_p95_ms": dashboard[365],
        "dashboard_raw_vs_rollup": round(raw_vs_rollup[365], 1),
        "dashboard_raw_vs_rollup_30d": round(raw_vs_rollup[30], 1),
        "raw_aggregate_365d_p95_ms": baseline["raw_365d"]["p95_ms"],
        "inbox_p95_ms": max(timings[name]["p95_ms"] for name in r["inbox_names"]),
        "search_p95_ms": timings["search"]["p95_ms"],
        "api_first_page_p95_ms": timings["api_first"]["p95_ms"],
        "api_deep_page_p95_ms": timings["api_deep"]["p95_ms"],
        "trends_p95_ms": timings["trends"]["p95_ms"],
        "max_queries_per_page": max(r["counts_full"].values()),
        "queries_constant": r["counts_one"] == r["counts_full"],
        "worker_peak_mb": r["worker"]["peak_mb"],
        "web_peak_mb": r["web"]["peak_mb"],
        "requests_per_page": next(iter(timings.values()))["n"],
        "storage_seconds_by_statement": _by_statement(r["first"]),
    }
    print(json.dumps(line))


def _by_statement(first) -> dict:
    return {name: round(seconds, 2) for name, seconds in first.by_table.items()}


if __name__ == "__main__":
    sys.exit(main())
