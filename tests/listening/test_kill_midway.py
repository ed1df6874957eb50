"""A poll killed between two pages keeps the first page (with its cursor) and loses nothing:
the next poll fetches from the stored cursor, and no mention is stored twice."""

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from werkzeug import Response

from listening.models import Mention, Source
from tests import factories
from tests.listening.factories import SourceFactory

NOW = datetime.now(UTC).replace(microsecond=0)


def status(number: int) -> dict:
    return {
        "id": str(number),
        "uri": f"https://demo.example/users/ana/statuses/{number}",
        "url": f"https://demo.example/@ana/{number}",
        "created_at": (NOW - timedelta(minutes=200 - number)).isoformat().replace("+00:00", "Z"),
        "content": f"<p>La biblioteca, mensaje {number}</p>",
        "language": "es",
        "account": {
            "id": "1",
            "acct": "ana",
            "display_name": "Ana",
            "followers_count": 10,
            "url": "https://demo.example/@ana",
        },
        "favourites_count": 0,
        "reblogs_count": 0,
        "replies_count": 0,
        "reblog": None,
    }


class SlowSecondPage:
    """Answers Mastodon's tag timeline with min_id paging; the second page hangs until released."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.release = threading.Event()
        self.second_page_asked = threading.Event()

    def __call__(self, request):
        import json

        min_id = int(request.args.get("min_id", "100"))
        if min_id >= 140 and not self.release.is_set():
            self.second_page_asked.set()
            self.release.wait(20)  # the poller is killed while it waits here
        numbers = list(range(min_id + 1, min(min_id + 40, 160) + 1))
        statuses = [status(n) for n in sorted(numbers, reverse=True)]
        headers = {}
        if statuses:
            headers["Link"] = f'<{self.base_url}?limit=40&min_id={numbers[-1]}>; rel="prev"'
        return Response(json.dumps(statuses), headers=headers, content_type="application/json")


def _subprocess_env() -> dict:
    """Point a child `manage.py` at this test's database and Redis."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    url = f"postgres://{db['USER']}@{host}{port}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL, "LISTENING_HOST_MIN_INTERVAL": "0"})
    return env


@pytest.mark.django_db(transaction=True)
def test_a_poll_killed_between_pages_loses_and_duplicates_nothing(httpserver):
    org = factories.OrganizationFactory()
    timeline = httpserver.url_for("/api/v1/timelines/tag/biblioteca")
    server = SlowSecondPage(timeline)
    httpserver.expect_request("/api/v1/timelines/tag/biblioteca").respond_with_handler(server)
    source = SourceFactory(
        org=org, platform="mastodon", kind="hashtag", target="biblioteca",
        base_url=httpserver.url_for("/").rstrip("/"), cursor={"min_id": "100"},
    )  # fmt: skip

    command = [sys.executable, "manage.py", "poll_sources", "--source", str(source.pk), "--sync"]
    child = subprocess.Popen(command, env=_subprocess_env(), cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)
    assert server.second_page_asked.wait(60), "the poller never reached the second page"
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    server.release.set()

    source.refresh_from_db()
    stored = set(Mention.objects.filter(org=org).values_list("external_id", flat=True))
    assert len(stored) == 40  # the first page, committed with its cursor
    assert source.cursor == {"min_id": "140"}

    done = subprocess.run(command, env=_subprocess_env(), cwd=settings.BASE_DIR, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    external_ids = list(Mention.objects.filter(org=org).values_list("external_id", flat=True))
    assert len(external_ids) == len(set(external_ids)) == 60  # 101…160, each once
    assert Source.objects.get(pk=source.pk).cursor == {"min_id": "160"}
    assert Source.objects.get(pk=source.pk).mentions_count == 60
