"""A select's empty choice says something: "Elige…" when a value is needed, "(ninguno)" when the
field may stay empty, a filter's own word ("Cualquiera") — never Django's "---------", which a
screen reader reads out as dashes."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mesm.models import Organization
from tests.a11y.pages import discover

pytestmark = pytest.mark.django_db

DEMO_USERS = {"admin": "ana", "editor": "luis", "viewer": "carmen"}


def _first_option(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.search(r"<option[^>]*>([^<]*)</option>", select.group(1)).group(1).strip()


@pytest.mark.parametrize(("language", "choose", "none"), [("es", "Elige…", "(ninguno)"), ("en", "Choose…", "(none)")])
def test_a_required_and_an_optional_select_name_their_empty_choice(client_for, editor, org, language, choose, none):
    client = client_for(editor)
    client.cookies["django_language"] = language
    html = client.get(reverse("strategy-post-create", kwargs={"org_slug": org.slug})).content.decode()
    assert _first_option(html, "profile") == choose  # required
    assert _first_option(html, "owner") == none  # optional
    assert "---------" not in html


def test_the_audit_log_filter_says_anyone(client_for, admin_user, org):
    client = client_for(admin_user)
    client.cookies["django_language"] = "es"
    html = client.get(reverse("org-audit-log", kwargs={"org_slug": org.slug})).content.decode()
    assert _first_option(html, "actor") == "Cualquiera"


def test_no_page_of_the_demo_shows_django_dashes_in_a_select():
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="biblioteca-demo")
    users = {role: get_user_model().objects.get(username=name) for role, name in DEMO_USERS.items()}
    pages, _unfilled, _broken = discover(org, users)
    assert len(pages) > 50
    client = Client()
    client.force_login(users["admin"])
    client.cookies["django_language"] = "es"
    dashes = [spec["url"] for spec in pages if "---------" in client.get(spec["url"]).content.decode()]
    assert dashes == []
