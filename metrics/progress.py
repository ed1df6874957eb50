"""Is each KPI, and so each objective, on track? A rule users can read:

A KPI is expected to move in a straight line from its baseline (the day it was set) to its target
(its deadline). Progress is how much of that way the current value has covered. It is
- **on track** when progress is at most 10 points behind the time elapsed,
- **at risk** when it is 10 to 25 points behind,
- **off track** when it is more than 25 points behind;
and at the deadline **achieved** (the target reached) or **missed**. The current value of flow
metrics (mentions, shares, response times…) is measured over the last 30 days; followers are the
latest count. An objective takes the worst status of its KPIs; it is achieved when all are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics.engine import metric_value
from strategy.models import KPI, Objective

ON_TRACK_TOLERANCE = 0.10
AT_RISK_TOLERANCE = 0.25
WINDOW_DAYS = 30

STATUS_LABELS = {
    "on_track": _("On track"),
    "at_risk": _("At risk"),
    "off_track": _("Off track"),
    "achieved": _("Achieved"),
    "missed": _("Missed"),
    "no_data": _("No data yet"),
    "no_deadline": _("No deadline"),
}
# Worst first: an objective takes the first of these that any of its KPIs has.
SEVERITY = ["missed", "off_track", "at_risk", "no_data", "no_deadline", "on_track", "achieved"]


@dataclass
class KPIProgress:
    kpi_id: int
    metric_key: str
    baseline: float
    target: float
    current: float | None
    progress: float | None  # share of the way from baseline to target covered (1.0 = target)
    expected: float | None  # share of the time from start to deadline elapsed
    status: str
    window_start: date
    window_end: date
    deadline: date | None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict:
        return {**asdict(self), "status_label": self.status_label}


def classify(
    *, baseline: float, target: float, current: float | None, started: date, deadline: date | None, today: date
) -> tuple[str, float | None, float | None]:
    """(status, progress, expected) by the rule in this module's docstring."""
    if current is None:
        return "no_data", None, None
    span = target - baseline
    progress = (current - baseline) / span if span else (1.0 if current == target else 0.0)
    if deadline is None:
        return "no_deadline", round(progress, 4), None
    if today >= deadline:
        return ("achieved" if progress >= 1 else "missed"), round(progress, 4), 1.0
    total_days = max((deadline - started).days, 1)
    expected = min(max((today - started).days / total_days, 0.0), 1.0)
    if progress >= 1 or progress >= expected - ON_TRACK_TOLERANCE:
        status = "on_track"
    elif progress >= expected - AT_RISK_TOLERANCE:
        status = "at_risk"
    else:
        status = "off_track"
    return status, round(progress, 4), round(expected, 4)


def kpi_progress(kpi: KPI, *, today: date | None = None, org=None, cache: dict | None = None) -> KPIProgress:
    """``cache`` (shared across KPIs of one page) computes each metric once, so a dashboard's
    queries do not grow with the number of objectives and KPIs."""
    today = today or timezone.localdate()
    window_end = today + timedelta(days=1)
    window_start = window_end - timedelta(days=WINDOW_DAYS)
    org = org or kpi.org
    cache = {} if cache is None else cache
    cache_key = (org.pk, kpi.metric_key, window_start, window_end)
    if cache_key not in cache:
        cache[cache_key] = metric_value(org, kpi.metric_key, window_start, window_end)
    current = cache[cache_key]
    deadline = kpi.effective_deadline
    status, progress, expected = classify(
        baseline=float(kpi.baseline),
        target=float(kpi.target),
        current=current,
        started=timezone.localtime(kpi.created_at).date(),
        deadline=deadline,
        today=today,
    )
    return KPIProgress(
        kpi_id=kpi.pk, metric_key=kpi.metric_key, baseline=float(kpi.baseline), target=float(kpi.target),
        current=current, progress=progress, expected=expected, status=status, window_start=window_start,
        window_end=window_end, deadline=deadline,
    )  # fmt: skip


def objective_status(
    objective: Objective, *, today: date | None = None, cache: dict | None = None
) -> tuple[str, list[KPIProgress]]:
    cache = {} if cache is None else cache
    kpis = [kpi_progress(kpi, today=today, org=objective.org, cache=cache) for kpi in objective.kpis.all()]
    if not kpis:
        return "no_data", []
    statuses = {k.status for k in kpis}
    if statuses == {"achieved"}:
        return "achieved", kpis
    return next(status for status in SEVERITY if status in statuses), kpis
