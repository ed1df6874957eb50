"""The 70/20/10 balance: for a period and (optionally) a profile, the share of posts per tier.

Counted posts are the ones still in the plan (every status but rejected) whose scheduled time falls
in the period, in the organisation's time zone. A tier is *off balance* when its share is further
from its target than the organisation's tolerance (10 points by default). With no posts there is
nothing to judge, so no tier is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils.translation import gettext as _

from mesm.models import Organization
from strategy.models import PLANNED_STATUSES, TIER_TARGETS, ConversationSettings, PlannedPost, Tier


@dataclass
class TierShare:
    tier: str
    label: str
    count: int
    share: float  # percent, 0–100
    target: int
    within: bool

    @property
    def fraction(self) -> float:
        return self.share / 100

    @property
    def deviation(self) -> float:
        return self.share - self.target


@dataclass
class Balance:
    start: date
    end: date
    total: int
    tolerance: int
    tiers: list[TierShare] = field(default_factory=list)

    @property
    def is_balanced(self) -> bool:
        return all(tier.within for tier in self.tiers)

    @property
    def off(self) -> list[TierShare]:
        return [tier for tier in self.tiers if not tier.within]

    def warnings(self) -> list[str]:
        """One plain-words sentence per tier off balance."""
        sentences = []
        for tier in self.off:
            values = {
                "tier": tier.label,
                "share": round(tier.share),
                "target": tier.target,
                "tolerance": self.tolerance,
            }
            if tier.deviation > 0:
                sentences.append(
                    _(
                        "%(tier)s posts are %(share)s%% of the plan; the aim is %(target)s%% "
                        "(±%(tolerance)s points). Plan fewer of them or more of the other tiers."
                    )
                    % values
                )
            else:
                sentences.append(
                    _(
                        "%(tier)s posts are only %(share)s%% of the plan; the aim is %(target)s%% "
                        "(±%(tolerance)s points). Plan more of them."
                    )
                    % values
                )
        return sentences


def _bounds(org: Organization, start: date, end: date) -> tuple[datetime, datetime]:
    zone = org.zoneinfo
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def balance_compute(org: Organization, start: date, end: date, *, profile_id: int | None = None) -> Balance:
    """Counts and shares per tier for posts planned between start and end (both included)."""
    lower, upper = _bounds(org, start, end)
    posts = PlannedPost.objects.filter(
        org=org, status__in=PLANNED_STATUSES, scheduled_at__gte=lower, scheduled_at__lt=upper
    )
    if profile_id:
        posts = posts.filter(profile_id=profile_id)
    counts = dict(posts.values_list("tier").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    tolerance = ConversationSettings.for_org(org).tier_tolerance
    tiers = []
    for tier in Tier:
        count = counts.get(tier.value, 0)
        share = 100.0 * count / total if total else 0.0
        target = TIER_TARGETS[tier]
        within = total == 0 or abs(share - target) <= tolerance
        tiers.append(TierShare(tier.value, str(tier.label), count, share, target, within))
    return Balance(start=start, end=end, total=total, tolerance=tolerance, tiers=tiers)
