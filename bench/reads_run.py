"""``python -m bench.reads_run``: only the reads of ``make bench``, on a database an earlier run kept
(``BENCH_KEEP_DB=1``) — to profile and measure read changes without paying for the ingest again.

Environment: BENCH_DB (the kept database, required), BENCH_REQUESTS (default 50). The database is
migrated first (new indexes), then analysed; the last line printed is one JSON object with the
reads' keys of ``bench.run``.
"""

from __future__ import annotations

import json
import os
import sys
import time


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> int:
    db_name = os.environ.get("BENCH_DB", "")
    requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    os.environ["CACHE_KEY_PREFIX"] = "mesm-bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesm.settings")
    import django
    from django.conf import settings

    configured = None
    if db_name:
        django.setup()
        configured = settings.DATABASES["default"]["NAME"]
    if not db_name or db_name == configured:
        raise SystemExit("Set BENCH_DB to a database kept by `BENCH_KEEP_DB=1 make bench` (not the configured one).")
    settings.DATABASES["default"]["NAME"] = db_name
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench import reads
    from listening.models import Mention
    from mesm.models import Organization

    setup_test_environment()
    log(f"reads only, on {db_name}: migrate, VACUUM ANALYZE")
    call_command("migrate", verbosity=0)
    reads.vacuum_analyze()
    user = get_user_model().objects.get(username="bench-admin")
    org, one = Organization.objects.get(slug="bench"), Organization.objects.get(slug="bench-one")
    timings, baseline, counts_one, counts_full = reads.measure_all(org, one, user, requests=requests, log=log)
    print()
    print(f"{'READS':<24}{'p50 ms':>9}{'p95 ms':>9}{'queries 1 row':>15}{'queries full':>14}")
    for name, timing in timings.items():
        print(
            f"{name:<24}{timing['p50_ms']:>9.1f}{timing['p95_ms']:>9.1f}{counts_one[name]:>15}{counts_full[name]:>14}"
        )
    for name, timing in baseline.items():
        print(f"{'aggregate ' + name:<24}{timing['p50_ms']:>9.1f}{timing['p95_ms']:>9.1f}")
    print(
        json.dumps(
            reads.summary_line(timings, baseline, counts_one, counts_full, Mention.objects.filter(org=org).count())
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
