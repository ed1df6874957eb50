"""Social media inside the organisation: proposals by any member, review by editors, pilots, comments."""

import pytest
from django.urls import reverse

from learning.models import Activity, ActivityComment, ActivityPilot
from tests.learning.work_factories import ActivityFactory

pytestmark = pytest.mark.django_db

DATA = {
    "name": "Organizar reuniones de trabajo",
    "purpose": "Reunir al equipo",
    "current_tool": "Correo y reserva de sala en la intranet",
    "social_platform": "Grupo privado en Mastodon",
    "social_way": "Un hilo por reunión",
    "changes": "La conversación previa queda junto al acta",
    "gains": "Reuniones más cortas",
    "losses": "Quien no está en el grupo se queda fuera",
}


def test_a_viewer_proposes_an_activity_that_waits_for_an_editor(client_for, org, viewer):
    client = client_for(viewer)
    response = client.post(reverse("learning-activity-create", args=[org.slug]), DATA)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert (activity.org, activity.status, activity.proposed_by) == (org, "proposed", viewer)
    assert activity.gains == "Reuniones más cortas"


def test_an_editors_new_activity_is_in_the_catalogue_at_once(client_for, org, editor):
    client_for(editor).post(reverse("learning-activity-create", args=[org.slug]), DATA)
    activity = Activity.objects.get()
    assert (activity.status, activity.reviewed_by) == ("accepted", editor)


def test_an_editor_accepts_or_declines_a_proposal_and_a_viewer_cannot(client_for, org, editor, viewer):
    activity = ActivityFactory(org=org, status="proposed", proposed_by=viewer)
    url = reverse("learning-activity-review", args=[org.slug, activity.pk])
    client = client_for(viewer)
    assert client.post(url, {"status": "accepted"}).status_code == 403
    activity.refresh_from_db()
    assert activity.status == "proposed"
    client.force_login(editor)
    client.post(url, {"status": "declined"})
    activity.refresh_from_db()
    assert (activity.status, activity.reviewed_by) == ("declined", editor)
    client.post(url, {"status": "nonsense"})
    activity.refresh_from_db()
    assert activity.status == "declined"


def test_the_list_hides_declined_entries_unless_asked(client_for, org, viewer):
    ActivityFactory(org=org, name="Aceptada")
    ActivityFactory(org=org, name="Propuesta", status="proposed")
    ActivityFactory(org=org, name="Rechazada", status="declined")
    client = client_for(viewer)
    url = reverse("learning-activity-list", args=[org.slug])
    assert [a.name for a in client.get(url).context["activities"]] == ["Aceptada", "Propuesta"]
    assert [a.name for a in client.get(url + "?status=declined").context["activities"]] == ["Rechazada"]
    assert [a.name for a in client.get(url + "?q=propu").context["activities"]] == ["Propuesta"]


def test_a_duplicate_name_is_refused(client_for, org, editor):
    ActivityFactory(org=org, name="Organizar reuniones de trabajo")
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("learning-activity-create", args=[org.slug]), {**DATA, "name": "organizar reuniones de trabajo"}
    )
    assert response.status_code == 400
    assert "There is already an activity with this name." in response.content.decode()
    assert Activity.objects.count() == 1


def test_any_member_comments_and_an_empty_comment_is_refused(client_for, org, viewer):
    activity = ActivityFactory(org=org)
    client = client_for(viewer)
    url = reverse("learning-activity-comment", args=[org.slug, activity.pk])
    assert client.post(url, {"text": "Lo probamos y funcionó"}).status_code == 302
    assert client.post(url, {"text": ""}).status_code == 400
    comment = ActivityComment.objects.get()
    assert (comment.author, comment.text) == (viewer, "Lo probamos y funcionó")
    html = client.get(reverse("learning-activity-detail", args=[org.slug, activity.pk])).content.decode()
    assert "Lo probamos y funcionó" in html


def test_an_editor_plans_a_pilot_and_its_dates_must_make_sense(client_for, org, editor, viewer):
    activity = ActivityFactory(org=org, status="proposed")
    url = reverse("learning-pilot-create", args=[org.slug, activity.pk])
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    data = {"owner": editor.pk, "start": "2026-11-10", "end": "2026-11-01", "status": "planned", "outcome": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "The pilot cannot end before it starts." in response.content.decode()
    response = client.post(url, {**data, "end": "2026-12-10", "status": "finished"})
    assert "Write the outcome of a finished pilot" in response.content.decode()
    assert not ActivityPilot.objects.exists()
    assert client.post(url, {**data, "end": "2026-12-10", "status": "running"}).status_code == 302
    pilot = ActivityPilot.objects.get()
    assert (pilot.org, pilot.activity, pilot.owner, pilot.status) == (org, activity, editor, "running")
    activity.refresh_from_db()
    assert activity.status == "accepted"  # piloting a proposal puts it in the catalogue
    client.force_login(viewer)
    assert client.post(url, {**data, "end": ""}).status_code == 403
    assert ActivityPilot.objects.count() == 1
