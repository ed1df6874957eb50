import pytest
from django.core.management import call_command

from listening.models import AlertRule, Mention, MentionDaily, Query, Source
from mesm.models import Membership, Organization
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose

MODELS = [
    Organization, Membership, Purpose, Objective, KPI, Audience, Profile, Campaign,
    Query, Source, AlertRule, Mention, MentionDaily,
    ProfileSnapshot, InstitutionalKPI, InstitutionalValue, MetricMapping,
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

    call_command("seed_demo")
    assert {model: model.objects.count() for model in MODELS} == counts


@pytest.mark.django_db
def test_the_demo_logins_work(client):
    call_command("seed_demo")
    for username in ("ana", "luis", "carmen"):
        assert client.login(username=username, password="mesm-demo-2026")
