"""On a phone (360 px) the header folds its links and sections behind a "Menú" button, so a page
starts with its own content; the button works from the keyboard and says whether it is open.
On a wide screen nothing is folded, and without JavaScript nothing is either."""

import pytest
from django.test import Client

from tests import factories
from tests.a11y.test_axe import AXE, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, user, *, width, javascript=True):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        locale="es-ES", viewport={"width": width, "height": 800}, bypass_csp=True, java_script_enabled=javascript
    )
    context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
            {"name": "django_language", "value": "es", "url": live_server.url},
        ]
    )
    return context


@pytest.fixture
def member():
    org = factories.OrganizationFactory(slug="movil")
    user = factories.UserFactory()
    org.memberships.create(user=user, role="editor")
    return org, user


def test_at_360_px_the_sections_fold_behind_a_menu_button_that_opens_from_the_keyboard(live_server, browser, member):
    org, user = member
    context = _context(browser, live_server, user, width=360)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{live_server.url}/o/{org.slug}/listening/")
    menu = page.get_by_role("button", name="Menú")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    sections = page.locator("#site-sections")
    assert not sections.is_visible() and not page.locator("#site-links").is_visible()
    # The page's own heading is on the first screen instead of below thirty links.
    assert page.locator("main h1").bounding_box()["y"] < 200

    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert sections.is_visible() and page.get_by_role("link", name="Objetivos").is_visible()
    assert page.locator("#site-links").get_by_role("button", name="Cerrar sesión").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.keyboard.press("Space")  # the focus is still on the button: Space closes it again
    assert menu.get_attribute("aria-expanded") == "false" and not sections.is_visible()
    context.close()


def test_on_a_wide_screen_and_without_javascript_nothing_is_folded(live_server, browser, member):
    org, user = member
    for width, javascript in ((1280, True), (360, False)):
        context = _context(browser, live_server, user, width=width, javascript=javascript)
        page = context.new_page()
        page.goto(f"{live_server.url}/o/{org.slug}/listening/")
        assert not page.get_by_role("button", name="Menú").is_visible(), (width, javascript)
        assert page.locator("#site-sections").is_visible(), (width, javascript)
        assert page.get_by_role("link", name="Objetivos").is_visible(), (width, javascript)
        context.close()
