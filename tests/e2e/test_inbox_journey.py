"""A librarian filters and searches the inbox, opens a complaint, takes it and records the answer."""

import pytest

from listening.models import Mention
from tests import factories
from tests.listening.factories import MentionFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_librarian_answers_a_complaint_from_the_inbox(live_server, page, screenshot):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    user = factories.UserFactory(username="marta", first_name="Marta")
    factories.MembershipFactory(org=org, user=user, role="editor")
    complaint = MentionFactory(
        org=org, text="El wifi de la biblioteca lleva dos días sin funcionar", sentiment="negative"
    )
    MentionFactory(org=org, text="Gracias por el club de lectura, ¡qué bien lo pasamos!", sentiment="positive")
    MentionFactory(org=org, text="¿A qué hora abre la biblioteca el sábado?", sentiment="neutral")

    page.goto(f"{live_server.url}/accounts/login/?next=/o/norte/listening/")
    page.get_by_label("Nombre de usuario").fill("marta")
    page.get_by_label("Contraseña").fill(factories.PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{live_server.url}/o/norte/listening/")
    assert page.locator(".mention").count() == 3

    # The filter bar updates the list in place (htmx) and keeps the address shareable.
    page.get_by_label("Sentimiento").select_option("negative")
    page.wait_for_function("document.querySelectorAll('.mention').length === 1")
    assert "sentiment=negative" in page.url
    page.get_by_label("Sentimiento").select_option("")
    page.wait_for_function("document.querySelectorAll('.mention').length === 3")
    page.get_by_label("Buscar").fill("wifi")  # searching as one types, without pressing Enter
    page.wait_for_function("document.querySelectorAll('.mention').length === 1")
    assert "q=wifi" in page.url
    screenshot("inbox-filtered")

    page.locator(".mention").first.get_by_role("link", name="Abrir").click()
    page.wait_for_url(f"{live_server.url}/o/norte/listening/mentions/{complaint.pk}/")
    page.get_by_label("Responsable").select_option(str(user.pk))
    page.get_by_role("button", name="Guardar", exact=True).click()
    page.get_by_label("Qué respondimos en la plataforma").fill("Lo sentimos, el técnico viene mañana a primera hora.")
    page.get_by_role("button", name="Guardar respuesta y marcar como respondida").click()
    page.wait_for_selector(".messages")
    screenshot("mention-answered")

    complaint = Mention.objects.get(pk=complaint.pk)
    assert complaint.status == "answered"
    assert complaint.assignee == user
    assert complaint.first_response_at is not None
    assert "el técnico viene mañana" in page.content()
