"""Scale out: two Celery workers and two beats against one PostgreSQL and one Redis.

Each "beat" is a thread that, like ``celery beat``, only sends ``dispatch_due_sources`` on every
tick; the two workers are real ``celery worker`` processes (over the real Redis broker, on this
test's database and queue) that run the dispatches and the polls. The
feeds are a real local HTTP server. The dispatcher's claim (``FOR UPDATE SKIP LOCKED`` plus the
lease of ``next_poll_at``) must make every due source polled exactly once per interval, and the
mentions stored once.
"""

import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from werkzeug import Response

from listening.models import Mention, Source
from listening.tasks import dispatch_due_sources
from tests import factories
from tests.listening.factories import QueryFactory, SourceFactory
from tests.listening.test_kill_midway import _subprocess_env

SOURCES = 4
TICK = 0.1  # seconds between two sends of one beat; a real beat sends every minute


def feed(number: int, entries: int) -> str:
    items = "".join(
        f"<item><title>Biblioteca {number}-{entry}</title><link>https://news.example/{number}/{entry}</link>"
        f"<guid>https://news.example/{number}/{entry}</guid><description>La biblioteca abre {entry}</description>"
        f"<pubDate>{(datetime.now(UTC) - timedelta(minutes=60 - entry)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        "</pubDate></item>"
        for entry in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>https://news.example/</link><description>d</description>{items}</channel></rss>"
    )


def beat(stop: threading.Event) -> None:
    while not stop.is_set():
        dispatch_due_sources.delay()
        stop.wait(TICK)


def run_interval(org, since, *, timeout: float = 120.0) -> None:
    """Two beats keep ticking until every source of ``org`` has been polled after ``since`` (and at
    least a couple of seconds), so late ticks race the polls; then the last sent dispatches drain."""
    stop = threading.Event()
    beats = [threading.Thread(target=beat, args=(stop,)) for _ in range(2)]
    for thread in beats:
        thread.start()
    deadline, earliest_end = time.monotonic() + timeout, time.monotonic() + 2
    try:
        while time.monotonic() < deadline:
            pending = Source.objects.filter(org=org).exclude(last_polled_at__gte=since).exists()
            if not pending and time.monotonic() > earliest_end:
                break
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in beats:
            thread.join()
    time.sleep(2)  # dispatches still queued run and find nothing due


@contextmanager
def worker_processes(count: int):
    """``count`` real Celery workers on this test's queue, stopped warmly (SIGTERM) at the end."""
    command = [sys.executable, "-m", "celery", "-A", "mesm", "worker", "--pool", "solo", "--loglevel", "WARNING",
               "--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip", "--without-mingle"]  # fmt: skip
    env = {**_subprocess_env(), "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE}
    workers = [
        subprocess.Popen(
            [*command, "--hostname", f"scale-{number}@%h"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
        )
        for number in range(count)
    ]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(10)


def polls_per_feed(httpserver) -> dict[str, int]:
    counts = {f"/feed-{number}.xml": 0 for number in range(SOURCES)}
    for request, _response in httpserver.log:
        counts[request.path] = counts.get(request.path, 0) + 1
    return counts


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_two_workers_and_two_beats_poll_each_due_source_once_per_interval(httpserver):
    org = factories.OrganizationFactory(slug="scale")
    query = QueryFactory(org=org, expression="biblioteca")
    entries = {"count": 2}  # every feed grows by one item in the second interval

    for number in range(SOURCES):
        httpserver.expect_request(f"/feed-{number}.xml").respond_with_handler(
            lambda request, number=number: Response(feed(number, entries["count"]), content_type="application/rss+xml")
        )
    sources = []
    for number in range(SOURCES):
        source = SourceFactory(
            org=org,
            target=httpserver.url_for(f"/feed-{number}.xml"),
            interval_minutes=15,
            next_poll_at=timezone.now() - timedelta(seconds=1),
        )
        source.queries.set([query])
        sources.append(source)

    with worker_processes(2) as workers:
        # First interval: many ticks from both beats, each source fetched exactly once.
        started = timezone.now()
        run_interval(org, started)
        assert polls_per_feed(httpserver) == {f"/feed-{number}.xml": 1 for number in range(SOURCES)}
        for source in Source.objects.filter(org=org):
            assert source.status == "ok", source.last_error
            # Leased/rescheduled a whole interval ahead, so later ticks found nothing due.
            assert source.next_poll_at >= started + timedelta(minutes=14)
        assert Mention.objects.filter(org=org).count() == SOURCES * 2

        # The interval passes (moved forward instead of waiting 15 minutes) and one item is new.
        entries["count"] = 3
        second = timezone.now()
        Source.objects.filter(org=org).update(next_poll_at=second - timedelta(seconds=1))
        run_interval(org, second)
        assert polls_per_feed(httpserver) == {f"/feed-{number}.xml": 2 for number in range(SOURCES)}
        assert all(worker.poll() is None for worker in workers)  # both stayed up the whole time

    external_ids = list(Mention.objects.filter(org=org).values_list("external_id", flat=True))
    assert len(external_ids) == len(set(external_ids)) == SOURCES * 3
    assert sorted(external_ids) == sorted(
        f"https://news.example/{number}/{entry}" for number in range(SOURCES) for entry in range(3)
    )
    assert sorted(Source.objects.filter(org=org).values_list("mentions_count", flat=True)) == [3] * SOURCES
