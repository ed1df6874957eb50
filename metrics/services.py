"""Writes of the metrics stage."""

from django.db import transaction
from django.utils import timezone

from metrics.progress import objective_status
from strategy.models import Objective, ObjectiveStatus


@transaction.atomic
def objectives_close_due(*, today=None) -> int:
    """Mark active objectives whose deadline has passed as achieved or missed, by their KPIs."""
    today = today or timezone.localdate()
    closed = 0
    due = Objective.objects.active().filter(status=ObjectiveStatus.ACTIVE, deadline__lt=today)
    for objective in due.select_related("org").prefetch_related("kpis"):
        status, _ = objective_status(objective, today=today)
        if status in ("achieved", "missed"):
            objective.status = ObjectiveStatus.ACHIEVED if status == "achieved" else ObjectiveStatus.MISSED
            objective.save(update_fields=["status", "updated_at"])
            closed += 1
    return closed
