"""A real Celery worker, over the real Redis broker, publishes a due post once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from mesm.celery import app
from strategy.models import PlannedPost, PostStatus
from tests.factories import OrganizationFactory
from tests.strategy.publishing_factories import (
    configure_publishing,
    mastodon_profile,
    scheduled_post,
    serve_demo_platforms,
)


@pytest.fixture
def demo_platforms():
    yield from serve_demo_platforms()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_publishes_a_due_post_once_even_when_dispatched_twice(demo_platforms, settings, tmp_path):
    configure_publishing(settings, tmp_path)
    org = OrganizationFactory(slug="celery-pub")
    post = scheduled_post(mastodon_profile(org, f"{demo_platforms.base_url}/mastodon"))
    later = scheduled_post(post.profile, minutes_ago=-60)  # due in an hour: left alone

    from strategy.tasks import publish_due_posts, publish_post

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        publish_due_posts.delay()
        publish_post.delay(post.pk)  # a duplicate, as a second beat or a redelivery would send
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if PlannedPost.objects.filter(pk=post.pk, status=PostStatus.PUBLISHED).exists():
                break
            time.sleep(0.2)
        time.sleep(1)  # let the duplicate run too

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert demo_platforms.publishing.status_requests == 1
    assert len(demo_platforms.publishing.statuses) == 1
    assert PlannedPost.objects.get(pk=later.pk).status == PostStatus.SCHEDULED
