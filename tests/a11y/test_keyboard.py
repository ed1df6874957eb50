"""Keyboard-only journeys: Tab, Shift+Tab, Enter, Space and arrow keys, never a mouse click.

Every element the journey reaches must show where the focus is (an outline or a ring), the skip
link must move the focus to the main content, htmx updates must land in a live region without
losing the focus, and a whole page can be tabbed through to its last control (no trap).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from listening.models import Mention
from strategy.models import PlannedPost, PostStatus
from tests import factories
from tests.listening.factories import MentionFactory

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '', type: e.type || '',
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 80),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    ring: s.boxShadow !== 'none',
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.left < innerWidth,
  };
}"""

LAST_FOCUSABLE = """() => {
  const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
    .filter(e => !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
  const last = all[all.length - 1];
  return last ? (last.innerText || last.value || last.getAttribute('aria-label') || '').trim() : null;
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def assert_visible_focus(state):
    assert state["outline"] or state["ring"], f"no visible focus indicator on {state}"
    assert state["onScreen"], f"the focused element is off screen: {state}"


def tab_to(page, match, limit=120, key="Tab"):
    """Press Tab until ``match(state)`` is true; every element passed must show its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        if state is None:
            continue
        assert_visible_focus(state)
        seen.append(state["id"] or state["text"])
        if match(state):
            return state
    raise AssertionError(f"never reached the wanted element with {key}; went through: {seen}")


def by_id(element_id):
    return lambda s: s["id"] == element_id


def by_text(text):
    return lambda s: s["text"] == text


def login(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    tab_to(page, by_id("id_username"))
    page.keyboard.type(username)
    tab_to(page, by_id("id_password"))
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{next_path}")


def use_skip_link(page):
    """The first Tab on a page reaches the skip link, visibly; Enter moves the focus to <main>."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    state = focused(page)
    assert state and state["tag"] == "a" and "contenido principal" in state["text"], state
    assert_visible_focus(state)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def tab_through_whole_page(page, limit=400):
    """Tab from the top to the last control of the page: proves there is no keyboard trap."""
    last = page.evaluate(LAST_FOCUSABLE)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    state = tab_to(page, lambda s: s["text"] == last, limit=limit)
    # …and back with Shift+Tab to the skip link.
    tab_to(page, lambda s: "contenido principal" in s["text"], limit=limit, key="Shift+Tab")
    return state


@pytest.fixture
def norte(db):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    luis = factories.UserFactory(username="luis", first_name="Luis")
    ana = factories.UserFactory(username="ana", first_name="Ana")
    factories.MembershipFactory(org=org, user=luis, role="editor")
    factories.MembershipFactory(org=org, user=ana, role="admin")
    return org


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_log_in_and_answer_a_mention_with_the_keyboard_only(live_server, page, norte):
    complaint = MentionFactory(org=norte, text="El wifi de la sala de estudio no funciona", sentiment="negative")
    MentionFactory(org=norte, text="Gracias por el club de lectura", sentiment="positive")
    base = live_server.url

    login(page, base, "luis", "/o/norte/listening/")
    use_skip_link(page)
    assert page.locator(".mention").count() == 2

    # The filter bar swaps the results (htmx) into a live region and leaves the focus where it was.
    tab_to(page, by_id("id_sentiment"))
    page.keyboard.press("ArrowDown")  # the first choice after "all"
    expect(page.locator(".mention")).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "id_sentiment"
    # The new count is announced by a live region that stays in the page (the swap fills it).
    expect(page.locator("#results-status[role=status]")).to_have_text("1 menciones")
    page.keyboard.press("Home")
    expect(page.locator(".mention")).to_have_count(2)

    # Open the complaint, answer it, back to the page with the confirmation.
    detail = f"/o/norte/listening/mentions/{complaint.pk}/"
    tab_to(
        page,
        lambda s: (
            s["text"].startswith("Abrir") and page.evaluate("document.activeElement.getAttribute('href')") == detail
        ),
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/o/norte/listening/mentions/{complaint.pk}/")
    tab_to(page, by_id("id_answer"))
    page.keyboard.type("Lo sentimos: el técnico viene mañana a primera hora.")
    tab_to(page, by_text("Guardar respuesta y marcar como respondida"))
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages[role=status]")
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    assert Mention.objects.get(pk=complaint.pk).first_response_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_plan_a_post_and_approve_it_as_a_second_person_with_the_keyboard_only(live_server, browser, page, norte):
    profile = factories.ProfileFactory(org=norte, platform="mastodon", handle="@norte@example.social")
    day = timezone.localdate() + timedelta(days=3)
    base = live_server.url

    login(page, base, "luis", f"/o/norte/calendar/posts/new/?date={day.isoformat()}")
    use_skip_link(page)
    tab_to(page, by_id("id_profile"))
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == str(profile.pk)
    tab_to(page, by_id("id_text"))
    page.keyboard.type("Este jueves, club de lectura juvenil: elegimos el libro entre todos.")
    state = tab_to(page, lambda s: s["name"] == "tier")
    page.keyboard.press("Space")  # choose the focused tier (the first one)
    assert page.evaluate("document.activeElement.checked"), state
    tab_to(page, by_text("Guardar la publicación"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/o/norte/calendar/posts/\d+/"))
    post = PlannedPost.objects.get(org=norte)
    tab_to(page, by_text("Enviar a revisión"))
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages[role=status]")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW

    reviewer = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900}).new_page()
    login(reviewer, base, "ana", f"/o/norte/calendar/posts/{post.pk}/")
    tab_to(reviewer, by_text("Aprobar"))
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_selector(".messages[role=status]")
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    tab_through_whole_page(reviewer)
    reviewer.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_read_the_director_dashboard_with_the_keyboard_only(live_server, page, norte):
    objective = factories.ObjectiveFactory(org=norte, title="Más jóvenes en los clubes")
    factories.KPIFactory(objective=objective)
    base = live_server.url

    login(page, base, "ana", "/o/norte/metrics/")
    use_skip_link(page)
    assert page.get_by_role("heading", level=1).count() == 1
    # The stage's help box and the explanation of the status rule both open with the keyboard.
    tab_to(page, lambda s: s["tag"] == "summary" and s["text"] == "Por qué importa esta etapa")
    page.keyboard.press("Enter")
    assert page.locator("details.stage-help").get_attribute("open") is not None
    tab_to(page, lambda s: s["tag"] == "summary" and s["text"] == "Cómo se decide el estado")
    page.keyboard.press("Enter")
    assert page.locator("details.rule").get_attribute("open") is not None
    tab_through_whole_page(page)
