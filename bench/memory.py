"""Peak memory (VmHWM, the resident-set high-water mark) of a worker process doing an ingest batch
and of a web process serving the measured pages, each run as a fresh child process:

    python -m bench.memory worker|web

The child loads Django and the Celery app with all tasks (what ``celery -A mesm worker`` imports),
points at the bench database and prints one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def vm_hwm_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_child(kind: str, *, db_name: str, org_slug: str, username: str, items: int, page_size: int) -> dict:
    env = {
        **os.environ,
        "BENCH_DB_NAME": db_name,
        "BENCH_ORG": org_slug,
        "BENCH_USER": username,
        "BENCH_PROBE_ITEMS": str(items),
        "BENCH_PAGE": str(page_size),
    }
    done = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.memory", kind], env=env, capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory probe {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesm.settings")
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = os.environ["BENCH_DB_NAME"]
    from mesm.celery import app

    app.loader.import_default_modules()


def _worker() -> dict:
    from bench import data
    from bench.ingest import ingest
    from mesm.models import Organization

    org = Organization.objects.get(slug=os.environ["BENCH_ORG"])
    after_start = vm_hwm_mb()
    total, page = int(os.environ["BENCH_PROBE_ITEMS"]), int(os.environ["BENCH_PAGE"])
    inserted = 0
    # One page generated at a time, as a poll holds one page of a connector's answer at a time.
    for number in range(0, total, page):
        batch = data.items(min(page, total - number), seed=100_000 + number)
        inserted += ingest(org.id, batch, page_size=page).inserted
    return {"peak_mb": round(vm_hwm_mb(), 1), "start_mb": round(after_start, 1), "inserted": inserted}


def _web() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import reads
    from listening.models import Query
    from mesm.models import Organization

    setup_test_environment()
    org = Organization.objects.get(slug=os.environ["BENCH_ORG"])
    user = get_user_model().objects.get(username=os.environ["BENCH_USER"])
    after_start = vm_hwm_mb()
    client = Client()
    client.force_login(user)
    query_ids = list(Query.objects.filter(org=org).values_list("id", flat=True))
    targets = reads.pages(org, queries=query_ids, user_id=user.id, deep_cursor=reads.deep_cursor(org.id))
    reads.measure(client, targets, requests=5)
    return {"peak_mb": round(vm_hwm_mb(), 1), "start_mb": round(after_start, 1)}


if __name__ == "__main__":
    _setup()
    print(json.dumps(_worker() if sys.argv[1] == "worker" else _web()))
