"""Each metric on a constructed data set with a known answer."""

from datetime import UTC, date, datetime, timedelta

import pytest

from listening.models import MentionDaily
from listening.services.ingest import ALL_MENTIONS
from metrics.engine import UnknownMetric, buckets, metric_series, metric_value
from metrics.models import ProfileSnapshot
from tests import factories
from tests.listening.factories import MentionFactory, QueryFactory

D = date(2026, 11, 2)  # a Monday


def daily(org, day, sentiment, count, query_id=ALL_MENTIONS):
    MentionDaily.objects.create(
        org=org, day=day, query_id=query_id, platform="mastodon", sentiment=sentiment, language="es", count=count
    )


def test_buckets_cover_the_range_by_day_week_and_month():
    assert [b.start for b in buckets(D, D + timedelta(days=3), "day")] == [D, D + timedelta(1), D + timedelta(2)]
    weeks = buckets(D + timedelta(days=2), D + timedelta(days=10), "week")
    assert [(b.start, b.end) for b in weeks] == [
        (D + timedelta(2), D + timedelta(7)),
        (D + timedelta(7), D + timedelta(10)),
    ]
    months = buckets(date(2026, 10, 15), date(2026, 12, 5), "month")
    assert [(b.start, b.end) for b in months] == [
        (date(2026, 10, 15), date(2026, 11, 1)),
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2026, 12, 5)),
    ]


@pytest.mark.django_db
def test_volume_and_sentiment_shares(org):
    daily(org, D, "positive", 6)
    daily(org, D, "neutral", 3)
    daily(org, D, "negative", 1)
    daily(org, D + timedelta(days=1), "negative", 10)
    # A per-query row must not be counted in the totals.
    daily(org, D, "positive", 99, query_id=QueryFactory(org=org).pk)
    end = D + timedelta(days=2)
    assert metric_series(org, "mention_volume", D, end) == [(D, 10.0), (D + timedelta(1), 10.0)]
    assert metric_value(org, "mention_volume", D, end) == 20.0
    assert metric_value(org, "positive_share", D, end) == 30.0
    assert metric_value(org, "negative_share", D, end) == 55.0
    assert metric_value(org, "net_sentiment", D, end) == -25.0
    assert metric_series(org, "net_sentiment", D, end) == [(D, 50.0), (D + timedelta(1), -100.0)]
    assert metric_value(org, "positive_share", D + timedelta(days=5), D + timedelta(days=6)) is None


@pytest.mark.django_db
def test_share_of_voice_compares_own_and_peer_queries(org):
    own = QueryFactory(org=org, role="own")
    peer = QueryFactory(org=org, role="peer")
    daily(org, D, "neutral", 30, query_id=own.pk)
    daily(org, D, "neutral", 10, query_id=peer.pk)
    assert metric_value(org, "share_of_voice", D, D + timedelta(days=1)) == 75.0


@pytest.mark.django_db
def test_followers_and_growth_from_snapshots(org):
    first = factories.ProfileFactory(org=org)
    second = factories.ProfileFactory(org=org)
    for profile, start_count, end_count in ((first, 1000, 1100), (second, 500, 400)):
        ProfileSnapshot.objects.create(org=org, profile=profile, date=D - timedelta(days=1), followers=start_count)
        ProfileSnapshot.objects.create(org=org, profile=profile, date=D + timedelta(days=6), followers=end_count)
    week = D + timedelta(days=7)
    assert metric_value(org, "followers", D, week) == 1500
    assert metric_value(org, "follower_growth", D, week) == 0.0
    ProfileSnapshot.objects.filter(profile=second, date=D + timedelta(days=6)).update(followers=650)
    assert metric_value(org, "follower_growth", D, week) == 16.67  # 1500 → 1750


@pytest.mark.django_db
def test_response_rate_and_median_first_response(org):
    for hours in (1, 3, 8):
        collected = datetime(2026, 11, 2, 9, tzinfo=UTC)
        MentionFactory(
            org=org,
            published_at=collected,
            collected_at=collected,
            first_response_at=collected + timedelta(hours=hours),
        )
    MentionFactory(org=org, published_at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    daily(org, D, "neutral", 4)
    end = D + timedelta(days=1)
    assert metric_value(org, "response_rate", D, end) == 75.0
    assert metric_value(org, "first_response_time", D, end) == 3.0


def _post(org, profile, day, tier, status, likes=0, reposts=0, replies=0):
    from strategy.models import PlannedPost

    return PlannedPost.objects.create(
        org=org,
        profile=profile,
        text="x",
        hypothesis="h",
        tier=tier,
        status=status,
        scheduled_at=datetime(day.year, day.month, day.day, 11, tzinfo=org.zoneinfo),
        likes=likes,
        reposts=reposts,
        replies=replies,
    )


@pytest.mark.django_db
def test_metrics_of_publishing_without_posts_answer_no_data(org):
    assert metric_value(org, "engagement_rate", D, D + timedelta(days=7)) is None
    assert metric_value(org, "posts_published", D, D + timedelta(days=7)) is None
    assert metric_value(org, "tier_adherence", D, D + timedelta(days=7)) is None


@pytest.mark.django_db
def test_engagement_rate_is_interactions_over_the_profiles_followers(org):
    profile = factories.ProfileFactory(org=org)
    ProfileSnapshot.objects.create(org=org, profile=profile, date=D - timedelta(days=1), followers=1000)
    _post(org, profile, D, "proven", "published", likes=30, reposts=10, replies=10)  # 5 %
    _post(org, profile, D + timedelta(days=1), "proven", "published", likes=10)  # 1 %
    _post(org, profile, D + timedelta(days=2), "proven", "scheduled", likes=999)  # not published: ignored
    assert metric_value(org, "engagement_rate", D, D + timedelta(days=7)) == 3.0
    series = dict(metric_series(org, "engagement_rate", D, D + timedelta(days=3), "day"))
    assert series == {D: 5.0, D + timedelta(days=1): 1.0, D + timedelta(days=2): None}


@pytest.mark.django_db
def test_posts_published_against_planned_ignores_rejected_posts(org):
    profile = factories.ProfileFactory(org=org)
    for status in ("published", "published", "published", "scheduled"):
        _post(org, profile, D, "proven", status)
    _post(org, profile, D, "proven", "rejected")
    assert metric_value(org, "posts_published", D, D + timedelta(days=1)) == 75.0


@pytest.mark.django_db
def test_tier_adherence_is_100_at_70_20_10_and_drops_with_the_distance(org):
    profile = factories.ProfileFactory(org=org)
    for tier, n in (("proven", 7), ("moderate", 2), ("radical", 1)):
        for _ in range(n):
            _post(org, profile, D, tier, "published")
    assert metric_value(org, "tier_adherence", D, D + timedelta(days=1)) == 100.0
    # Next day: only proven posts → 30 % of posts would have to change tier.
    for _ in range(4):
        _post(org, profile, D + timedelta(days=1), "proven", "published")
    assert metric_value(org, "tier_adherence", D + timedelta(days=1), D + timedelta(days=2)) == 70.0


@pytest.mark.django_db
def test_an_unknown_metric_names_the_valid_ones(org):
    with pytest.raises(UnknownMetric) as error:
        metric_value(org, "likes_per_cat", D, D + timedelta(days=1))
    assert "mention_volume" in str(error.value)
