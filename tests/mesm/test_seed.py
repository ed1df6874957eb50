import pytest
from django.core.management import call_command

from mesm.models import Membership, Organization
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose

MODELS = [Organization, Membership, Purpose, Objective, KPI, Audience, Profile, Campaign]


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

    call_command("seed_demo")
    assert {model: model.objects.count() for model in MODELS} == counts


@pytest.mark.django_db
def test_the_demo_logins_work(client):
    call_command("seed_demo")
    for username in ("ana", "luis", "carmen"):
        assert client.login(username=username, password="mesm-demo-2026")
