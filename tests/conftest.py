import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mesm.models import Role
from tests import factories


@pytest.fixture
def org(db):
    return factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")


@pytest.fixture
def other_org(db):
    return factories.OrganizationFactory(name="Biblioteca Sur", slug="sur")


def _member(org, role):
    return factories.MembershipFactory(
        org=org, role=role, user=factories.UserFactory(username=f"{role}-{org.slug}")
    ).user


@pytest.fixture
def admin_user(org):
    return _member(org, Role.ADMIN)


@pytest.fixture
def editor(org):
    return _member(org, Role.EDITOR)


@pytest.fixture
def viewer(org):
    return _member(org, Role.VIEWER)


@pytest.fixture
def outsider(other_org):
    """An administrator of another organisation: must never see ``org``'s data."""
    return _member(other_org, Role.ADMIN)


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    def make(user):
        api = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make
