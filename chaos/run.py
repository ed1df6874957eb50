"""``make chaos``: start our own PostgreSQL, Redis, web, two Celery workers (and two beats), inject
the faults of issue 8 one after the other, print a table and, last, one JSON line.

Exits 1 when a figure that must be zero is not (or a fault could not be injected as planned).

Environment: ``CHAOS_KILLS`` (default 20), ``CHAOS_REDIS_DOWN`` seconds (default 30),
``CHAOS_KEEP=1`` keeps the temporary directory with every process's log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from chaos import faults
from chaos.faults import log
from chaos.servers import ROOT, Postgres, Processes, Redis, children_of, free_port, new_base, wait_for_port

MIN_INTERVAL = 0.5  # LISTENING_HOST_MIN_INTERVAL of the workers: the shared per-host spacing

# Figures that must be zero for the run to pass.
ZERO_DUE = (
    "lost", "duplicated", "count_drift", "unread", "pg_restart_partial_batches", "pg_restart_not_retried",
    "requests_before_retry_after", "spacing_violations", "backoff_out_of_bounds", "requests_during_backoff",
    "double_polls", "beats_missed", "double_publishes", "publish_unpublished", "publish_mismatched",
    "web_page_errors_during_outage",
)  # fmt: skip


class Chaos:
    def __init__(self, base: Path):
        self.base = base
        self.db = "mesm_chaos"
        self.pg = Postgres(base)
        self.redis = Redis(base)
        self.processes: Processes | None = None
        self.web_url = ""
        self.kills = 0

    # --- Processes ------------------------------------------------------------------------------------

    def workers(self) -> list[int]:
        return [p.pid for name, p in self.processes.running.items() if name.startswith("worker")]

    def pid_of_client(self, client_port: int) -> int | None:
        """The worker child whose TCP connection has this local port (the one that sent the request)."""
        import psutil

        for parent in self.workers():
            for pid in children_of(parent):
                try:
                    connections = psutil.Process(pid).net_connections(kind="tcp")
                except psutil.Error:
                    continue
                if any(c.laddr and c.laddr.port == client_port for c in connections):
                    return pid
        return None

    def kill(self, pid: int) -> None:
        # Only a process this run started (a child of one of our workers), never another one that got its pid.
        if any(pid in children_of(parent) for parent in self.workers()):
            os.kill(pid, signal.SIGKILL)
            self.kills += 1

    def redelivered(self, task: str) -> int:
        """Messages of ``task`` a worker received more than once: those of killed workers, requeued."""
        pattern = re.compile(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received")
        received = Counter()
        for name in ("worker1", "worker2"):
            received.update(pattern.findall((self.base / f"{name}.log").read_text(errors="replace")))
        return sum(1 for count in received.values() if count > 1)

    def start(self) -> None:
        log(f"PostgreSQL and Redis of our own under {self.base}")
        self.pg.init()
        self.pg.create_db(self.db)
        self.redis.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TEST_DATABASE", "CELERY_"))}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        env.update(
            DATABASE_URL=self.pg.url(self.db), REDIS_URL=self.redis.url(), ALLOW_PRIVATE_OUTBOUND="1",
            LISTENING_HOST_MIN_INTERVAL=str(MIN_INTERVAL), CACHE_KEY_PREFIX="mesm-chaos",
            DJANGO_SETTINGS_MODULE="mesm.settings", PYTHONUNBUFFERED="1",
        )  # fmt: skip
        os.environ.clear()
        os.environ.update(env)
        self.processes = Processes(self.base, env)
        log("migrating")
        migrate = self.processes.start("migrate", [sys.executable, "manage.py", "migrate", "--noinput"])
        if migrate.wait(300) != 0:
            raise RuntimeError(f"migrate failed; see {self.base / 'migrate.log'}")
        self.processes.running.pop("migrate")
        import django

        django.setup()
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request of the run's own checks
        port = free_port()
        self.processes.start("web", [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"])
        self.web_url = f"http://127.0.0.1:{port}"
        for name in ("worker1", "worker2"):
            self.processes.worker(name)
        wait_for_port(port, 60)
        self.wait_ready(["worker1", "worker2"])

    def wait_ready(self, names: list[str]) -> None:
        def ready() -> bool:
            return all(b" ready." in (self.base / f"{name}.log").read_bytes() for name in names)

        if not faults.wait_until(ready, 120, 0.5):
            raise RuntimeError("the Celery workers did not start; see their logs in " + str(self.base))

    def stop(self) -> None:
        if self.processes is not None:
            self.processes.stop_all()
        self.redis.stop()
        self.pg.stop()


def table(rows: list[tuple[str, str, object, str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    return "\n".join("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)) for row in rows)


def main() -> int:
    kills = int(os.environ.get("CHAOS_KILLS", "20"))
    outage = float(os.environ.get("CHAOS_REDIS_DOWN", "30"))
    keep = os.environ.get("CHAOS_KEEP") == "1"
    started = time.monotonic()
    base = new_base()
    chaos = Chaos(base)
    results: dict[str, dict] = {}
    failed = False
    try:
        chaos.start()
        log(f"ready after {time.monotonic() - started:.0f}s; 5. two beats and two dispatchers")
        for name in ("beat1", "beat2"):
            chaos.processes.beat(name)
        results["beats"] = faults.two_beats(chaos)
        log(f"2. Redis down for {outage:.0f}s (beats still running)")
        results["redis"] = faults.redis_outage(chaos, outage)
        for name in ("beat1", "beat2"):
            chaos.processes.stop(name)
        log(f"1. {kills} workers killed mid-batch")
        results["kills"] = faults.worker_killed(chaos, kills)
        log("3. PostgreSQL restarted mid-batch")
        results["pg"] = faults.postgres_restart(chaos)
        log("4. the platform misbehaves (429, rate-limit headers, 5xx, timeouts, a slow server)")
        results["platform"] = faults.platform_misbehaving(chaos, MIN_INTERVAL)
        log("6. publishing: crashes between the platform's reply and our commit")
        results["publish"] = faults.publishing(chaos)
    except Exception as error:  # noqa: BLE001 - reported, the run fails, the servers still stop
        import traceback

        traceback.print_exc()
        log(f"the run stopped early: {error}")
        failed = True
    finally:
        chaos.stop()
        if keep or failed:
            log(f"logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    k, r, p = results.get("kills", {}), results.get("redis", {}), results.get("pg", {})
    f, b, u = results.get("platform", {}), results.get("beats", {}), results.get("publish", {})
    figures = {
        "kills": k.get("kills"),
        "lost": sum(x.get("lost", 0) for x in (k, r, p)),
        "duplicated": k.get("duplicated", 0) + r.get("duplicated", 0),
        "redis_outage_recovered_s": r.get("recovered_s"),
        "pg_restart_partial_batches": p.get("partial_batches"),
        "requests_before_retry_after": f.get("requests_before_retry_after"),
        "double_polls": b.get("double_polls"),
        "double_publishes": u.get("double_publishes"),
        "served": k.get("served", 0) + r.get("served", 0),
        "count_drift": k.get("count_drift", 0) + r.get("count_drift", 0),
        "redelivered": k.get("redelivered"),
        "unread": k.get("unread"),
        "pg_restart_not_retried": (p["restarts"] - p["retried"]) if p else None,
        "pg_restart_retry_s": p.get("retry_s"),
        "spacing_violations": f.get("spacing_violations"),
        "min_gap_s": f.get("min_gap_s"),
        "backoff_out_of_bounds": f.get("backoff_out_of_bounds"),
        "backoff_jittered": f.get("backoff_jittered"),
        "requests_during_backoff": f.get("requests_during_backoff"),
        "slow_server_stall_s": f.get("slow_server_stall_s"),
        "beats_missed": b.get("missed"),
        "publish_crashes": u.get("crashes"),
        "publish_unpublished": u.get("unpublished"),
        "publish_mismatched": u.get("mismatched"),
        "web_page_errors_during_outage": r.get("page_errors"),
        "seconds": round(time.monotonic() - started),
    }
    problems = [key for key in ZERO_DUE if figures.get(key) != 0]
    if figures["kills"] != kills:
        problems.append("kills")
    if not figures["redelivered"]:
        problems.append("redelivered")
    if figures["redis_outage_recovered_s"] is None or not r.get("health_said_down"):
        problems.append("redis_outage_recovered_s")
    if f and not f.get("backoff_jittered"):
        problems.append("backoff_jittered")
    if f and not f.get("polls_while_slow"):
        problems.append("polls_while_slow")
    if u and u.get("crashes") != u.get("posts"):
        problems.append("publish_crashes")

    rows = [("fault", "figure", "value", "expected"), ("-----", "------", "-----", "--------")]
    rows += [
        ("1 worker killed", "kills (SIGKILL mid-batch)", figures["kills"], str(kills)),
        ("1 worker killed", "items served / lost / duplicated", f"{k.get('served')} / {k.get('lost')} / {k.get('duplicated')}", "n / 0 / 0"),
        ("1 worker killed", "killed polls redelivered (requeued)", k.get("redelivered"), "n > 0"),
        ("1 worker killed", "counters drift (source, rollup)", k.get("count_drift"), "0"),
        ("2 Redis down", f"recovered after (s), outage {outage:.0f}s", figures["redis_outage_recovered_s"], "a number"),
        ("2 Redis down", "health said Redis down / checks", f"{r.get('health_said_down')} / {r.get('health_checks')}", "all"),
        ("2 Redis down", "page errors / pages", f"{r.get('page_errors')} / {r.get('pages')}", "0 / n"),
        ("2 Redis down", "items served / lost / duplicated", f"{r.get('served')} / {r.get('lost')} / {r.get('duplicated')}", "n / 0 / 0"),
        ("3 PG restart", "restarts / partial batches", f"{p.get('restarts')} / {p.get('partial_batches')}", "2 / 0"),
        ("3 PG restart", "batches retried (after s)", f"{p.get('retried')} ({p.get('retry_s')})", "2"),
        ("4 platform", "requests before Retry-After/reset", f.get("requests_before_retry_after"), "0"),
        ("4 platform", f"gaps < {MIN_INTERVAL - 0.1:.1f}s between requests (min gap)", f"{f.get('spacing_violations')} ({f.get('min_gap_s')})", "0"),
        ("4 platform", "backoff outside interval*2^n ±20%, cap", f.get("backoff_out_of_bounds"), "0"),
        ("4 platform", "backoff jittered (some delay off 2^n by > 1%)", f.get("backoff_jittered"), "True"),
        ("4 platform", "requests during backoff", f.get("requests_during_backoff"), "0"),
        ("4 platform", "other polls while a server hangs (max stall s)", f"{f.get('polls_while_slow')} ({f.get('slow_server_stall_s')})", "n > 0"),
        ("5 two beats", "double polls / missed sources", f"{b.get('double_polls')} / {b.get('missed')}", "0 / 0"),
        ("6 publishing", "crashes (after reply) / double publishes", f"{u.get('crashes')} ({u.get('crashes_after_reply')}) / {u.get('double_publishes')}", "6 / 0"),
        ("6 publishing", "create requests / unpublished / wrong id", f"{u.get('create_requests')} / {u.get('unpublished')} / {u.get('mismatched')}", "n / 0 / 0"),
    ]  # fmt: skip
    print()
    print(table(rows))
    print()
    print("FAILED: " + ", ".join(problems) if problems or failed else "All faults handled.")
    print(json.dumps(figures), flush=True)
    return 1 if problems or failed else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
