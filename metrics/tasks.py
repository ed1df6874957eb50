from celery import shared_task

from metrics import services


@shared_task(ignore_result=True)
def close_due_objectives() -> int:
    """Run daily by beat: objectives past their deadline become achieved or missed."""
    return services.objectives_close_due()
