"""A NUL character (or other control garbage) in any query-string parameter of any page is a
clear 400, never a server error: PostgreSQL refuses NUL in text, so it must not reach a query."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from mesm.models import Membership, Organization, Role
from tests.a11y.pages import candidate_urls

pytestmark = pytest.mark.django_db

PARAMS = dict.fromkeys(
    ("q", "search", "author", "profile", "platform", "status", "tag", "from", "until", "month", "page"), "a\x00b"
)


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="biblioteca-demo")
    admin = Membership.objects.filter(org=org, role=Role.ADMIN).select_related("user").first().user
    return org, admin


def test_no_page_fails_on_a_nul_in_its_query_string(demo):
    org, admin = demo
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    checked, failures = 0, []
    for label, url in candidate_urls(org):
        if url is None:
            continue
        response = client.get(url, PARAMS)
        checked += 1
        if response.status_code >= 500:
            failures.append(f"{url} ({label}): {response.status_code}")
    assert checked > 50
    assert not failures, "\n".join(failures)


def test_the_answer_is_a_plain_words_400_in_the_users_language(demo):
    org, admin = demo
    client = Client()
    client.force_login(admin)
    url = f"/o/{org.slug}/listening/"
    with translation.override("es"):
        response = client.get(url, {"q": "hola\x00"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "carácter" in response.content.decode()
    response = client.get(f"/api/v1/orgs/{org.slug}/mentions/", {"q": "hola\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "character" in response.json()["error"]["message"]
