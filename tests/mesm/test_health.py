import pytest
from django.core.cache import cache
from django.db import connection

from mesm.tasks import HEARTBEAT_KEY


@pytest.mark.django_db
def test_it_reports_healthy_when_database_and_redis_answer(client):
    cache.set(HEARTBEAT_KEY, "2026-11-26T10:00:00+00:00")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "worker_heartbeat": "2026-11-26T10:00:00+00:00",
    }


@pytest.mark.django_db
def test_it_reports_503_when_redis_is_down(client, settings):
    # Point the cache at a port where nothing listens: a real connection failure (Django's
    # setting_changed signal rebuilds the cache connection).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == "ok"
    assert body["redis"].startswith("down")


@pytest.mark.django_db(transaction=True)
def test_it_reports_503_when_the_database_is_down(client):
    # A real failed connection: the same server settings with a port where nothing listens.
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json()["database"].startswith("down")
