"""A real Celery worker, over the real Redis broker, runs our tasks."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from mesm.celery import app
from mesm.tasks import HEARTBEAT_KEY, heartbeat


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_heartbeat_through_redis():
    cache.delete(HEARTBEAT_KEY)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        heartbeat.delay()
        deadline = time.monotonic() + 20
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(HEARTBEAT_KEY) is not None
