"""Thin Celery tasks of learning (work half): take ids, call a service. Safe to run twice."""

from celery import shared_task
from django.db import transaction

from learning.models import TrustedFeed
from mesm.task_retry import DATABASE_ERRORS, retry_after_database_error


@shared_task(ignore_result=True)
def dispatch_due_feeds() -> int:
    """Run by beat every 5 minutes: claim the trusted feeds that are due and queue one read each."""
    from learning.services.feeds import feeds_claim_due

    ids = feeds_claim_due()
    for feed_id in ids:
        transaction.on_commit(lambda feed_id=feed_id: poll_feed.delay(feed_id))
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=3, ignore_result=True)
def poll_feed(self, feed_id: int) -> None:
    from learning.services.feeds import feed_poll

    try:
        feed = TrustedFeed.objects.select_related("org").filter(pk=feed_id).first()
        if feed is None:
            return  # deleted since it was queued
        feed_poll(feed=feed)
    except DATABASE_ERRORS as error:
        raise retry_after_database_error(self, error) from error


@shared_task(ignore_result=True)
def send_lesson_digests() -> int:
    """Run by beat on Monday mornings: the weekly e-mail of new lessons to members who opted in."""
    from learning.services.lessons import lesson_digests_send

    return lesson_digests_send()
