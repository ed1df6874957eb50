import calendar

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import Executive, Experiment, Lesson, PolicyAcknowledgement, Survey, SurveyResponse
from listening.models import AlertRule, Mention, MentionDaily, Query, Source
from mesm.models import Membership, Organization
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from strategy.balance import balance_compute
from strategy.models import (
    KPI,
    Audience,
    Campaign,
    ConversationIdea,
    Objective,
    PlannedPost,
    PostMetric,
    Profile,
    Purpose,
)

MODELS = [
    Organization, Membership, Purpose, Objective, KPI, Audience, Profile, Campaign,
    Query, Source, AlertRule, Mention, MentionDaily,
    ProfileSnapshot, InstitutionalKPI, InstitutionalValue, MetricMapping,
    PlannedPost, PostMetric, ConversationIdea,
    Executive, Survey, SurveyResponse, PolicyAcknowledgement, Experiment, Lesson,
]  # fmt: skip


@pytest.mark.django_db
def test_it_creates_the_demo_library_once(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "mesm-demo-2026" in out
    counts = {model: model.objects.count() for model in MODELS}
    org = Organization.objects.get(slug="biblioteca-demo")
    assert org.name == "Biblioteca Pública Demo"
    assert sorted(Membership.objects.filter(org=org).values_list("role", flat=True)) == ["admin", "editor", "viewer"]
    assert Objective.objects.filter(org=org).count() == 3
    assert KPI.objects.filter(org=org).count() >= 3
    assert org.purpose.is_written
    assert Campaign.objects.get(org=org).objectives.exists()
    # Listening and metrics: a year of history, three live sources on the demo platform server.
    assert Mention.objects.filter(org=org).count() > 1000
    assert Source.objects.filter(org=org, enabled=True).count() == 3
    assert ProfileSnapshot.objects.filter(org=org).count() >= 4 * 365
    assert InstitutionalValue.objects.filter(org=org).count() == 4 * 12
    # Conversation: a month of posts in the three tiers, off balance this month, one to publish now.
    today = timezone.localdate()
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    balance = balance_compute(org, today.replace(day=1), month_end)
    assert {tier.tier for tier in balance.tiers if tier.count} == {"proven", "moderate", "radical"}
    assert [tier.tier for tier in balance.off] == ["proven"] and balance.warnings()
    assert PlannedPost.objects.filter(org=org, status="scheduled", profile__platform="mastodon").exists()
    assert PostMetric.objects.filter(post__org=org).exists()
    assert ConversationIdea.objects.filter(org=org).exclude(trend="").exists()
    # Learning: a programme half-way, a closed survey with answers, a policy acknowledged, experiments.
    assert Executive.objects.filter(org=org).exists()
    closed = [
        survey for survey in Survey.objects.filter(org=org) if survey.closes_at and survey.closes_at < timezone.now()
    ]
    assert closed and SurveyResponse.objects.filter(survey__in=closed).count() >= 20
    assert PolicyAcknowledgement.objects.exists() and Experiment.objects.filter(org=org).count() == 2

    call_command("seed_demo")
    assert {model: model.objects.count() for model in MODELS} == counts


@pytest.mark.django_db
def test_the_demo_logins_work(client):
    call_command("seed_demo")
    for username in ("ana", "luis", "carmen"):
        assert client.login(username=username, password="mesm-demo-2026")
