"""PostgreSQL goes away while a page is being stored (a restart, a failover): the page's transaction
rolls back whole with its cursor, and the poll task is retried instead of being acknowledged as
failed, so the posts are stored once, later. ``make chaos`` plays the same fault with a real restart."""

import json
import threading

import psycopg
import pytest
from django.db import connection
from werkzeug import Response

from listening.models import Mention, Source
from listening.tasks import poll_source
from tests import factories
from tests.listening.factories import SourceFactory
from tests.listening.test_kill_midway import status


class DropsTheDatabaseOnce:
    """Mastodon's tag timeline (min_id paging); the first time the second page is asked for, the
    poller's database connection is terminated, as a PostgreSQL restart does."""

    def __init__(self, base_url: str, dsn: str, backend_pid: int):
        self.base_url, self.dsn, self.backend_pid = base_url, dsn, backend_pid
        self.dropped = threading.Event()

    def __call__(self, request):
        min_id = int(request.args.get("min_id", "100"))
        if min_id >= 140 and not self.dropped.is_set():
            with psycopg.connect(self.dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [self.backend_pid])
            self.dropped.set()
        numbers = list(range(min_id + 1, min(min_id + 40, 160) + 1))
        headers = {"Link": f'<{self.base_url}?limit=40&min_id={numbers[-1]}>; rel="prev"'} if numbers else {}
        body = json.dumps([status(n) for n in sorted(numbers, reverse=True)])
        return Response(body, headers=headers, content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_a_poll_whose_database_goes_away_mid_page_is_retried_and_stores_each_post_once(httpserver):
    org = factories.OrganizationFactory()
    timeline = httpserver.url_for("/api/v1/timelines/tag/biblioteca")
    source = SourceFactory(
        org=org, platform="mastodon", kind="hashtag", target="biblioteca",
        base_url=httpserver.url_for("/").rstrip("/"), cursor={"min_id": "100"},
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    dsn = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")})
    server = DropsTheDatabaseOnce(timeline, dsn, backend_pid)
    httpserver.expect_request("/api/v1/timelines/tag/biblioteca").respond_with_handler(server)

    # apply() runs the task here; a retry it asks for runs here too, at once, instead of after its countdown.
    result = poll_source.apply(args=[source.pk])

    assert server.dropped.is_set()
    assert result.successful(), result.traceback
    external_ids = list(Mention.objects.filter(org=org).values_list("external_id", flat=True))
    assert len(external_ids) == len(set(external_ids)) == 60  # 101…160, each once
    stored = Source.objects.get(pk=source.pk)
    assert stored.cursor == {"min_id": "160"}
    assert stored.mentions_count == 60
