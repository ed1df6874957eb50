from celery import shared_task

from metrics import services


@shared_task(ignore_result=True)
def close_due_objectives() -> int:
    """Run daily by beat: objectives past their deadline become achieved or missed."""
    return services.objectives_close_due()


@shared_task(ignore_result=True)
def collect_profile_snapshots() -> dict:
    """Run daily by beat: today's follower, following and post counts of every owned profile."""
    from metrics.collect import snapshots_collect

    return snapshots_collect()


@shared_task(acks_late=True, ignore_result=True)
def build_report(report_id: int) -> None:
    """Build one queued report (PDF, CSV, XLSX, e-mail). A failure is recorded on the report, never raised."""
    from metrics.models import Report
    from metrics.reports import report_build

    report = Report.objects.select_related("org").filter(pk=report_id).first()
    if report is None or report.status == Report.Status.DONE:
        return  # deleted since it was queued, or already built (a redelivery)
    report_build(report=report)


@shared_task(ignore_result=True)
def queue_monthly_reports() -> int:
    """Run by beat on the 1st of each month: last month's report for every organisation."""
    from metrics.reports import monthly_reports_queue

    return len(monthly_reports_queue())
