import os
import shutil

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


# --- Browser journeys (Playwright + Debian's Chromium), shared by every test folder ---------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "test-artifacts")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium to run browser tests)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    # The app's Content Security Policy forbids eval, which Playwright's wait_for_function uses;
    # the policy itself is tested in tests/mesm/test_security.py.
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    def take(name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)

    return take
