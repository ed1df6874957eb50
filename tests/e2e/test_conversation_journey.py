"""An editor turns a rising trend into an idea, plans a radical post with its hypothesis and sends it
for review; a second person approves it; the 70/20/10 balance of the month shows the new post."""

import os
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from listening.models import HashtagDaily
from strategy.models import PlannedPost, PostStatus, Tier
from tests import factories
from tests.conftest import ARTIFACTS


def _login(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{base}{next_path}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_from_trend_to_an_approved_radical_post(live_server, browser, page, screenshot):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    author = factories.UserFactory(username="luis", first_name="Luis")
    reviewer = factories.UserFactory(username="ana", first_name="Ana")
    factories.MembershipFactory(org=org, user=author, role="editor")
    factories.MembershipFactory(org=org, user=reviewer, role="admin")
    profile = factories.ProfileFactory(org=org, platform="mastodon", handle="@norte@example.social")
    today = timezone.localdate()
    # A hashtag that rises: a few uses a week for a month, then a burst this week.
    for back in range(35):
        HashtagDaily.objects.create(
            org=org, day=today - timedelta(days=back), tag="clubdelectura", count=9 if back < 7 else 1
        )
    # The month of the new post already has nine proven posts and no radical one.
    day = today + timedelta(days=2)
    for i in range(9):
        PlannedPost.objects.create(
            org=org, profile=profile, text=f"Probada {i}", tier=Tier.PROVEN, status=PostStatus.DRAFT,
            scheduled_at=datetime.combine(day.replace(day=1) + timedelta(days=i), time(9), tzinfo=org.zoneinfo),
        )  # fmt: skip
    base = live_server.url

    _login(page, base, "luis", "/o/norte/trends/")
    row = (
        page.locator("tr, li, article", has_text="lubdelectura")
        .filter(has=page.get_by_role("link", name="Convertir en idea de conversación"))
        .first
    )
    row.get_by_role("link", name="Convertir en idea de conversación").click()
    page.get_by_label("Enfoque").fill("Abrir un club de lectura juvenil con quienes preguntan por él.")
    page.get_by_role("button", name="Guardar la idea").click()
    page.get_by_role("link", name="Planificar una publicación a partir de esta idea").click()

    page.get_by_label("Perfil").select_option(str(profile.pk))
    page.get_by_label("Programada para").fill(f"{day.isoformat()}T18:00")
    page.get_by_role("textbox", name="Texto", exact=True).fill(
        "¿Un club de lectura que elige sus libros por votación en Mastodon? Empezamos el jueves."
    )
    page.get_by_label("Experimento radical").check()
    page.get_by_label("Hipótesis que se prueba").fill(
        "Dejar que la comunidad vote los libros atraerá a lectores jóvenes."
    )
    page.get_by_role("button", name="Guardar la publicación").click()
    page.get_by_role("button", name="Enviar a revisión").click()
    assert "En revisión" in page.locator(".lead").inner_text()
    # The author cannot approve it: the page says who can.
    assert page.get_by_role("button", name="Aprobar").count() == 0
    post = PlannedPost.objects.get(tier=Tier.RADICAL)
    assert post.idea.trend and post.hypothesis

    reviewer_page = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900}).new_page()
    _login(reviewer_page, base, "ana", f"/o/norte/calendar/?month={day:%Y-%m}")
    balance = reviewer_page.locator(".balance-box")
    assert "Experimento radical" in balance.inner_text()
    assert "10 % / 10 %" in balance.inner_text()  # one radical post among ten
    reviewer_page.get_by_role("link", name="¿Un club de lectura").first.click()
    reviewer_page.get_by_role("button", name="Aprobar").click()
    assert "Aprobada" in reviewer_page.locator(".lead").inner_text()
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.reviewed_by == reviewer
    history = reviewer_page.locator("#history").inner_text()
    assert "«En revisión» a «Aprobada»" in history
    os.makedirs(ARTIFACTS, exist_ok=True)
    reviewer_page.screenshot(path=os.path.join(ARTIFACTS, "conversation-approved.png"), full_page=True)
    screenshot("conversation-author-view")
