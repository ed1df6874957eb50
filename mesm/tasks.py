from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "mesm:worker-heartbeat"


@shared_task
def heartbeat() -> str:
    """Run by beat every minute: proves beat and a worker are alive (shown on /healthz)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
