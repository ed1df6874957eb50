"""Writes of stage 1 that touch several rows; the HTML views, the API and seed_demo call these."""

from collections.abc import Iterable

from django.db import transaction

from mesm.models import Organization
from strategy.models import KPI, Objective, Purpose


def purpose_update(*, org: Organization, why: str, what_for: str, by=None) -> Purpose:
    """Write the organisation's purpose statement (created on first write)."""
    purpose, _ = Purpose.objects.get_or_create(org=org)
    purpose.why = why
    purpose.what_for = what_for
    purpose.updated_by = by
    purpose.full_clean()
    purpose.save()
    return purpose


def _kpi_build(*, org: Organization, objective: Objective, data: dict) -> KPI:
    kpi = KPI(org=org, objective=objective, **data)
    kpi.full_clean()
    return kpi


@transaction.atomic
def objective_create(
    *,
    org: Organization,
    title: str,
    why: str,
    owner=None,
    deadline=None,
    status: str = "active",
    audiences: Iterable = (),
    kpis: Iterable[dict] = (),
) -> Objective:
    """Create an objective with its audiences and KPIs, all or nothing."""
    objective = Objective(org=org, title=title, why=why, owner=owner, deadline=deadline, status=status)
    objective.full_clean()
    objective.save()
    objective.audiences.set(audiences)
    for data in kpis:
        _kpi_build(org=org, objective=objective, data=data).save()
    return objective
