"""The registry of metric keys that objectives' KPIs point to.

The metrics issue computes each of these from rollups; stage 1 only needs their names and
definitions so that planners can pick what will judge each KPI.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MetricDefinition:
    key: str
    label: str
    definition: str
    unit: str


METRICS = [
    MetricDefinition(
        "mention_volume",
        _("Mention volume"),
        _("Mentions collected by the listening queries in the period."),
        "mentions",
    ),
    MetricDefinition("positive_share", _("Positive share"), _("Share of mentions with positive sentiment."), "%"),
    MetricDefinition("negative_share", _("Negative share"), _("Share of mentions with negative sentiment."), "%"),
    MetricDefinition("net_sentiment", _("Net sentiment"), _("Positive share minus negative share."), "points"),
    MetricDefinition(
        "share_of_voice",
        _("Share of voice"),
        _("The organisation's mentions against those of the peer queries it compares with."),
        "%",
    ),
    MetricDefinition(
        "engagement_rate", _("Engagement rate"), _("Likes, reposts and replies of our posts divided by followers."), "%"
    ),
    MetricDefinition(
        "followers", _("Followers"), _("Followers of the owned profiles at the end of the period."), "followers"
    ),
    MetricDefinition(
        "follower_growth", _("Follower growth"), _("Change in followers of the owned profiles over the period."), "%"
    ),
    MetricDefinition("response_rate", _("Response rate"), _("Share of inbox mentions answered."), "%"),
    MetricDefinition(
        "first_response_time",
        _("Median first-response time"),
        _("Median time from a mention's arrival to the team's first answer."),
        "hours",
    ),
    MetricDefinition(
        "posts_published",
        _("Posts published against planned"),
        _("Published posts divided by planned posts in the period."),
        "%",
    ),
    MetricDefinition(
        "tier_adherence",
        _("70/20/10 adherence"),
        _("How close the published posts are to 70 % proven, 20 % moderate and 10 % radical."),
        "%",
    ),
    MetricDefinition(
        "manual", _("Entered by hand"), _("A value the team records itself, for what the platforms do not measure."), ""
    ),
]

BY_KEY = {metric.key: metric for metric in METRICS}
METRIC_CHOICES = [(metric.key, metric.label) for metric in METRICS]
