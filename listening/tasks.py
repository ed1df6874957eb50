"""Thin Celery tasks: take ids, call a service. Safe to run twice."""

import random

from celery import shared_task
from django.db import transaction

from listening.models import Alert, Source
from listening.services import alerts as alert_services
from listening.services.poll import source_poll, sources_claim_due
from mesm.task_retry import DATABASE_ERRORS, retry_after_database_error


@shared_task(ignore_result=True)
def dispatch_due_sources() -> int:
    """Run by beat every minute: claim due sources and queue one poll each."""
    ids = sources_claim_due()
    for source_id in ids:
        transaction.on_commit(lambda source_id=source_id: poll_source.delay(source_id))
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=3, ignore_result=True)
def poll_source(self, source_id: int) -> None:
    try:
        source = Source.objects.select_related("org").filter(pk=source_id).first()
        if source is None:
            return  # deleted since it was queued
        source_poll(source=source)
    except DATABASE_ERRORS as error:
        # The page being stored rolled back whole with its cursor: polling again from the stored
        # cursor neither loses nor repeats a post.
        raise retry_after_database_error(self, error) from error


@shared_task(acks_late=True, ignore_result=True)
def evaluate_alerts(org_id: int, mention_ids: list[int]) -> None:
    alert_services.alerts_evaluate(org_id=org_id, new_mention_ids=mention_ids)


@shared_task(bind=True, acks_late=True, max_retries=6, ignore_result=True)
def deliver_webhook(self, alert_id: int) -> None:
    alert = Alert.objects.select_related("rule").filter(pk=alert_id).first()
    if alert is None:
        return
    delivered = alert_services.alert_webhook_deliver(alert=alert)
    if not delivered and self.request.retries < self.max_retries:
        # Exponential backoff with jitter: 30 s, 1 min, 2 min… (capped by max_retries).
        countdown = 30 * (2**self.request.retries) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
        raise self.retry(countdown=countdown)


@shared_task(ignore_result=True)
def expire_raw_payloads() -> int:
    """Run daily by beat: raw platform payloads are kept RAW_RETENTION_DAYS for re-processing."""
    from django.conf import settings

    from listening.services.mentions import raw_payloads_expire

    return raw_payloads_expire(older_than_days=settings.RAW_RETENTION_DAYS)


@shared_task(acks_late=True, ignore_result=True)
def rebuild_day_rollups(org_id: int) -> int:
    """Recount an organisation's day-keyed rollups, after its time zone changed (the days move)."""
    from listening.services.ingest import day_rollups_rebuild
    from mesm.models import Organization

    if not Organization.objects.filter(pk=org_id).exists():
        return 0  # deleted meanwhile
    return day_rollups_rebuild(org_id=org_id)
