"""The in-app guide (docs/guide/<lang>/*.md) and the "why this stage matters" box on each stage page."""

import re

import pytest
from django.urls import reverse

from mesm import guide
from tests import factories
from tests.a11y.test_axe import AXE, axe_violations, describe

STAGE_PAGES = {
    "strategy-overview": "objectives",
    "strategy-objective-list": "objectives",
    "listening-inbox": "listening",
    "listening-source-list": "listening",
    "strategy-calendar": "conversation",
    "strategy-calendar-week": "conversation",
    "strategy-post-list": "conversation",
    "metrics-director": "metrics",
    "learning-home": "learning",
}


def test_it_has_every_page_in_spanish_and_english():
    english = {p.stem for p in (guide.GUIDE_DIR / "en").glob("*.md")}
    spanish = {p.stem for p in (guide.GUIDE_DIR / "es").glob("*.md")}
    assert english == set(guide.PAGES)
    assert spanish == english, f"missing in Spanish: {english - spanish}; only in Spanish: {spanish - english}"


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("page", guide.PAGES)
def test_it_renders_every_page_with_working_links(page, language):
    # reverse() raises NoReverseMatch for an app:/guide: link to a page that does not exist.
    rendered = guide.render_page(page, org_slug="norte", language=language)
    assert rendered["language"] == language
    assert rendered["title"] and rendered["toc"]
    assert "app:" not in rendered["html"] and "guide:" not in rendered["html"]
    for _level, anchor, _text in rendered["toc"]:
        assert f'id="{anchor}"' in rendered["html"]


def test_it_falls_back_to_english_when_a_language_has_no_file():
    file, language = guide.guide_file("roles", "fr")
    assert language == "en" and file.parent.name == "en"


def test_it_never_passes_html_through():
    html = guide.MD.render('<script>alert("x")</script>\n\n<b onclick="x()">hi</b>')
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html


def test_it_drops_app_links_for_a_reader_without_organisation():
    rendered = guide.render_page("listening", org_slug=None, language="en")
    assert "/listening/sources/" not in rendered["html"]
    assert "Sources" in rendered["html"]
    assert 'href="/guide/conversation/"' in rendered["html"]


def test_it_shows_a_page_in_the_readers_language_inside_the_layout(client_for, viewer, org):
    client = client_for(viewer)
    client.cookies["django_language"] = "es"
    response = client.get(reverse("guide-listening", kwargs={"org_slug": org.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Etapa 2: Escucha activa</h1>" in html
    assert 'class="skip-link"' in html and 'aria-label="Secciones"' in html
    assert 'id="trabajar-la-bandeja"' in html and 'href="#trabajar-la-bandeja"' in html
    assert f'href="/o/{org.slug}/listening/"' in html
    assert f'href="/o/{org.slug}/guide/listening/" aria-current="page"' in html

    client.cookies["django_language"] = "en"
    html = client.get(reverse("guide-listening", kwargs={"org_slug": org.slug})).content.decode()
    assert "<h1>Stage 2: Active listening</h1>" in html and 'id="work-the-inbox"' in html


def test_it_lists_every_page_on_the_index(client_for, viewer, org):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("guide-index", kwargs={"org_slug": org.slug})).content.decode()
    for page in guide.PAGES:
        assert f'href="/o/{org.slug}/guide/{page}/"' in html
    assert "Roles and permissions" in html


def test_it_sends_a_member_to_their_organisations_guide(client_for, viewer, org):
    response = client_for(viewer).get("/guide/metrics/")
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/guide/metrics/"


def test_it_shows_the_guide_to_a_user_without_organisation(client, db):
    client.force_login(factories.UserFactory())
    client.cookies["django_language"] = "en"
    response = client.get("/guide/roles/")
    assert response.status_code == 200
    assert "<h1>Roles and permissions</h1>" in response.content.decode()


def test_it_asks_anonymous_visitors_to_log_in(client, org):
    response = client.get(reverse("guide-index", kwargs={"org_slug": org.slug}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/guide/").status_code == 302


def test_it_hides_another_organisations_guide(client_for, outsider, org):
    assert client_for(outsider).get(reverse("guide-index", kwargs={"org_slug": org.slug})).status_code == 404


@pytest.mark.parametrize("url_name,stage", STAGE_PAGES.items())
def test_every_stage_page_explains_why_it_matters_and_links_to_its_guide(client_for, viewer, org, url_name, stage):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse(url_name, kwargs={"org_slug": org.slug})).content.decode()
    box = re.search(r'<details class="stage-help[^"]*">(.*?)</details>', html, re.S)
    assert box, f"{url_name} has no stage help"
    assert "<summary>Why this stage matters</summary>" in box.group(1)
    assert f'href="/o/{org.slug}/guide/{stage}/"' in box.group(1)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guide_and_the_open_help_box_have_no_serious_axe_violation(live_server, browser):
    org = factories.OrganizationFactory(slug="axe-guide")
    user = factories.UserFactory()
    org.memberships.create(user=user, role="viewer")
    from django.test import Client

    django_client = Client()
    django_client.force_login(user)
    failures = []
    for lang in ("es", "en"):
        context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
        context.add_cookies(
            [
                {"name": "sessionid", "value": django_client.cookies["sessionid"].value, "url": live_server.url},
                {"name": "django_language", "value": lang, "url": live_server.url},
            ]
        )
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        for url in [f"/o/{org.slug}/guide/", *[f"/o/{org.slug}/guide/{p}/" for p in guide.PAGES], f"/o/{org.slug}/"]:
            page.goto(live_server.url + url)
            page.evaluate("document.querySelectorAll('details.stage-help').forEach(d => d.open = true)")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                failures.append(f"{url} ({lang}) scrolls sideways by {overflow} px at 360 px")
            violations = axe_violations(page)
            if violations:
                failures.append(f"{url} ({lang}):\n{describe(violations)}")
        # The help box opens from the keyboard: focus its summary and press Enter.
        page.goto(live_server.url + f"/o/{org.slug}/listening/")
        page.focus("details.stage-help > summary")
        page.keyboard.press("Enter")
        assert page.evaluate("document.querySelector('details.stage-help').open")
        context.close()
    assert not failures, "\n".join(failures)


def test_a_posts_time_names_the_organisations_time_zone_in_spanish_format(client_for, viewer, org):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.strategy.calendar_factories import PlannedPostFactory

    org.timezone = "America/Bogota"
    org.save()
    post = PlannedPostFactory(org=org, scheduled_at=datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("America/Bogota")))
    client = client_for(viewer)
    client.cookies["django_language"] = "es"
    html = client.get(reverse("strategy-post-detail", kwargs={"org_slug": org.slug, "pk": post.pk})).content.decode()
    assert re.search(r"26 de noviembre de 2026 a las 09:30\s*\(America/Bogota\)", html), re.findall(
        r"2026[^<]{0,40}", html
    )
