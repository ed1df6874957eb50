"""Thin Celery tasks of the strategy app: take ids, call a service. Safe to run twice."""

from celery import shared_task
from django.db import transaction

from strategy import publishing


@shared_task(ignore_result=True)
def publish_due_posts() -> int:
    """Run by beat every minute: queue one publication per scheduled post whose time has come."""
    ids = publishing.posts_due_for_publishing()
    for post_id in ids:
        transaction.on_commit(lambda post_id=post_id: publish_post.delay(post_id))
    return len(ids)


@shared_task(acks_late=True, ignore_result=True)
def publish_post(post_id: int) -> str:
    # The service claims the post under a row lock, so a duplicate or redelivered task does nothing.
    return str(publishing.post_publish(post_id=post_id))


@shared_task(ignore_result=True)
def refresh_post_metrics() -> int:
    """Run by beat every hour: likes, reposts and replies of the posts published in the last 30 days."""
    return publishing.posts_refresh_metrics()
