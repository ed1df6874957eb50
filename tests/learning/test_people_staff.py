"""Staff profiles and lists (CSV per platform), talks (notes → lesson) and the policy with acknowledgements."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import Lesson, PolicyAcknowledgement, PolicyVersion, StaffList, StaffMember, Talk
from learning.people import staff as service
from tests.learning.test_people_factories import make_list, make_policy, make_staff, make_talk

pytestmark = pytest.mark.django_db


# --- staff profiles and lists -------------------------------------------------------------------------------------------


def test_an_editor_adds_a_staff_member_with_handles_and_lists(client_for, org, editor, viewer):
    reference = make_list(org)
    response = client_for(editor).post(
        "/o/norte/learning/staff/new/",
        {
            "name": "Luis Gómez",
            "department": "Infantil",
            "email": "",
            "member": viewer.pk,
            "handle_mastodon": "@luis@mastodon.social",
            "handle_bluesky": " luis.bsky.social ",
            "handle_instagram": "",
            "lists": [reference.pk],
            "notes": "",
        },  # fmt: skip
    )
    person = StaffMember.objects.get(org=org)
    assert response.status_code == 302
    assert response["Location"] == f"/o/norte/learning/staff/{person.pk}/"
    assert person.handles == {"mastodon": "@luis@mastodon.social", "bluesky": "luis.bsky.social"}
    assert person.member == viewer
    assert list(person.lists.all()) == [reference]


def test_it_refuses_linking_one_account_to_two_staff_members(client_for, org, editor, viewer):
    make_staff(org, member=viewer)
    response = client_for(editor).post("/o/norte/learning/staff/new/", {"name": "Otra", "member": viewer.pk})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert StaffMember.objects.count() == 1


def test_it_refuses_linking_an_account_of_another_organisation(client_for, org, editor, outsider):
    response = client_for(editor).post("/o/norte/learning/staff/new/", {"name": "Intrusa", "member": outsider.pk})
    assert response.status_code == 200
    assert not StaffMember.objects.exists()


def test_the_staff_list_filters_by_platform_department_list_and_search(client_for, org, viewer):
    ana = make_staff(org, "Ana Pérez", department="Referencia", handles={"mastodon": "@ana@m.social"})
    make_staff(org, "Bea Ruiz", department="Infantil", handles={"instagram": "bea.lee"})
    make_list(org, "Solo Ana", [ana])
    client = client_for(viewer)

    def names(**params):
        html = client.get("/o/norte/learning/staff/", params).content.decode()
        return [n for n in ("Ana Pérez", "Bea Ruiz") if f">{n}</a>" in html]

    assert names() == ["Ana Pérez", "Bea Ruiz"]
    assert names(platform="instagram") == ["Bea Ruiz"]
    assert names(department="Referencia") == ["Ana Pérez"]
    assert names(list=StaffList.objects.get().pk) == ["Ana Pérez"]
    assert names(q="ruiz") == ["Bea Ruiz"]


def test_it_exports_a_list_per_platform_as_csv(client_for, org, viewer):
    ana = make_staff(org, "Ana Pérez", department="Referencia", handles={"mastodon": "@ana@m.social", "x": "@ana"})
    bea = make_staff(org, "=Bea", department="@Infantil", handles={"mastodon": "-bea@m.social"})
    carla = make_staff(org, "Carla", handles={"instagram": "carla"})
    staff_list = make_list(org, people=[ana, bea, carla])
    make_staff(org, "Fuera de la lista", handles={"mastodon": "@otra@m.social"})
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.get(f"/o/norte/learning/staff-lists/{staff_list.pk}/export.csv?platform=mastodon")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-mastodon.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Department", "Handle"],
        ["'=Bea", "'@Infantil", "'-bea@m.social"],
        ["Ana Pérez", "Referencia", "'@ana@m.social"],  # a spreadsheet reads a leading @ as a formula too
    ]


def test_the_export_asks_for_a_known_platform(client_for, org, viewer):
    staff_list = make_list(org)
    response = client_for(viewer).get(f"/o/norte/learning/staff-lists/{staff_list.pk}/export.csv?platform=myspace")
    assert response.status_code == 302
    assert response["Location"] == f"/o/norte/learning/staff-lists/{staff_list.pk}/"


def test_a_person_can_be_in_many_lists_and_deleting_a_list_keeps_them(client_for, org, editor):
    ana = make_staff(org)
    first, second = make_list(org, "Uno", [ana]), make_list(org, "Dos", [ana])
    assert set(ana.lists.all()) == {first, second}
    client_for(editor).post(f"/o/norte/learning/staff-lists/{first.pk}/delete/")
    assert StaffMember.objects.filter(pk=ana.pk).exists()
    assert list(ana.lists.all()) == [second]


def test_it_refuses_two_lists_with_the_same_name(client_for, org, editor):
    make_list(org, "Dirección")
    response = client_for(editor).post("/o/norte/learning/staff-lists/new/", {"name": "dirección"})
    assert response.status_code == 200
    assert StaffList.objects.count() == 1


def test_a_viewer_cannot_edit_staff(client_for, org, viewer):
    person = make_staff(org)
    client = client_for(viewer)
    assert client.get(f"/o/norte/learning/staff/{person.pk}/").status_code == 200
    assert client.post(f"/o/norte/learning/staff/{person.pk}/edit/", {"name": "Cambio"}).status_code == 403
    assert client.post(f"/o/norte/learning/staff/{person.pk}/delete/").status_code == 403
    person.refresh_from_db()
    assert person.name == "Ana Pérez"


# --- talks ---------------------------------------------------------------------------------------------------------------


def test_an_editor_records_a_talk_and_turns_its_notes_into_a_lesson(client_for, org, editor):
    client = client_for(editor)
    response = client.post(
        "/o/norte/learning/talks/new/",
        {
            "date": "2026-05-12",
            "topic": "Bluesky en diez minutos",
            "audience": "Toda la plantilla",
            "attendance": "23",
            "notes": "Crear cuenta, seguir a bibliotecas, listas.",
        },  # fmt: skip
    )
    talk = Talk.objects.get(org=org)
    assert response["Location"] == f"/o/norte/learning/talks/{talk.pk}/"
    assert talk.attendance == 23
    client.post(f"/o/norte/learning/talks/{talk.pk}/lesson/")
    talk.refresh_from_db()
    lesson = Lesson.objects.get(org=org)
    assert talk.lesson == lesson
    assert lesson.source_kind == "talk"
    assert lesson.title == "Bluesky en diez minutos"
    assert lesson.body == "Crear cuenta, seguir a bibliotecas, listas."
    assert lesson.source_url == f"/o/norte/learning/talks/{talk.pk}/"
    assert lesson.author == editor
    # Recording twice keeps one lesson.
    client.post(f"/o/norte/learning/talks/{talk.pk}/lesson/")
    assert Lesson.objects.count() == 1


def test_a_talk_without_notes_gives_no_lesson(client_for, org, editor):
    talk = make_talk(org, notes="")
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post(f"/o/norte/learning/talks/{talk.pk}/lesson/", follow=True)
    assert "Write the talk&#x27;s notes first" in response.content.decode()
    assert not Lesson.objects.exists()


def test_it_refuses_a_negative_attendance(client_for, org, editor):
    response = client_for(editor).post(
        "/o/norte/learning/talks/new/", {"date": "2026-05-12", "topic": "X", "attendance": "-3"}
    )
    assert response.status_code == 200
    assert not Talk.objects.exists()


def test_the_talks_page_separates_coming_and_past_talks(client_for, org, viewer):
    today = timezone.localdate()
    make_talk(org, topic="La que viene", date=today + timedelta(days=7))
    make_talk(org, topic="La que pasó", date=today - timedelta(days=7), attendance=12)
    html = client_for(viewer).get("/o/norte/learning/talks/").content.decode()
    assert html.index("La que viene") < html.index("La que pasó")


# --- policy --------------------------------------------------------------------------------------------------------------


def test_the_first_version_becomes_current_and_a_new_one_replaces_it(org):
    first = make_policy(org, label="1.0")
    assert first.number == 1 and first.is_current
    second = make_policy(org, label="2.0")
    first.refresh_from_db()
    assert second.number == 2
    assert second.is_current and not first.is_current
    draft = make_policy(org, label="3.0 borrador", make_current=False)
    assert not PolicyVersion.objects.get(pk=draft.pk).is_current
    assert PolicyVersion.objects.filter(org=org, is_current=True).count() == 1


def test_an_editor_publishes_a_new_version_from_the_page(client_for, org, editor):
    make_policy(org, label="1.0")
    client = client_for(editor)
    form = client.get("/o/norte/learning/policy/new/").content.decode()
    assert "Habla con respeto." in form  # the new version starts from the current text
    response = client.post(
        "/o/norte/learning/policy/new/",
        {
            "title": "Política",
            "label": "2.0",
            "effective_on": "2026-09-01",
            "body": "# Uno\n\n- a\n- b",
            "make_current": "on",
        },  # fmt: skip
    )
    version = PolicyVersion.objects.get(label="2.0")
    assert response["Location"] == f"/o/norte/learning/policy/{version.pk}/"
    assert version.is_current and version.created_by == editor


def test_a_member_acknowledges_the_current_version_once(client_for, org, viewer, editor):
    version = make_policy(org)
    client = client_for(viewer)
    response = client.post(f"/o/norte/learning/policy/{version.pk}/acknowledge/")
    assert response.status_code == 302
    client.post(f"/o/norte/learning/policy/{version.pk}/acknowledge/")
    assert PolicyAcknowledgement.objects.filter(version=version, user=viewer).count() == 1
    status = service.policy_ack_status(org)
    assert [u for u, _ack in status.members_done] == [viewer]
    assert editor in status.members_pending


def test_acknowledging_a_version_that_is_not_current_is_refused(client_for, org, viewer):
    old = make_policy(org, label="1.0")
    make_policy(org, label="2.0")
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    response = client.post(f"/o/norte/learning/policy/{old.pk}/acknowledge/", follow=True)
    assert "no longer current" in response.content.decode()
    assert not PolicyAcknowledgement.objects.exists()
    with pytest.raises(service.PolicyNotCurrent):
        service.policy_acknowledge(old, user=viewer)


def test_the_policy_page_shows_who_has_and_has_not_acknowledged(client_for, org, admin_user, editor, viewer):
    version = make_policy(org)
    service.policy_acknowledge(version, user=editor)
    paper = make_staff(org, "Pilar (sin cuenta)")
    make_staff(org, "Quique (sin cuenta)")
    service.policy_acknowledge(version, staff_member=paper, by=editor)
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    html = client.get("/o/norte/learning/policy/").content.decode()
    done, pending = html.split("Not yet (")[0], html.split("Not yet (")[1]
    assert editor.get_full_name() in done
    assert viewer.get_full_name() in pending and admin_user.get_full_name() in pending
    assert "1 of 3 members" in html
    assert "Pilar (sin cuenta)" in html and "Quique (sin cuenta)" in html
    assert "I have read and accept this version" in html


def test_an_editor_records_a_staff_members_acknowledgement(client_for, org, editor):
    version = make_policy(org)
    person = make_staff(org)
    response = client_for(editor).post(
        f"/o/norte/learning/policy/{version.pk}/acknowledge-staff/", {"staff_member": person.pk}
    )
    assert response.status_code == 302
    ack = PolicyAcknowledgement.objects.get()
    assert (ack.staff_member, ack.user, ack.recorded_by) == (person, None, editor)


def test_a_viewer_cannot_record_for_others_or_publish_versions(client_for, org, viewer):
    version = make_policy(org)
    person = make_staff(org)
    client = client_for(viewer)
    assert (
        client.post(
            f"/o/norte/learning/policy/{version.pk}/acknowledge-staff/", {"staff_member": person.pk}
        ).status_code
        == 403
    )
    assert client.post("/o/norte/learning/policy/new/", {"title": "x"}).status_code == 403
    assert not PolicyAcknowledgement.objects.exists()


def test_an_acknowledged_version_cannot_be_edited(client_for, org, editor, viewer):
    version = make_policy(org)
    service.policy_acknowledge(version, user=viewer)
    response = client_for(editor).post(
        f"/o/norte/learning/policy/{version.pk}/edit/",
        {"title": "Cambiada", "label": "", "effective_on": "2026-01-01", "body": "Otro texto"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.body.startswith("# Principios")


def test_making_an_older_version_current_again(client_for, org, editor):
    old = make_policy(org, label="1.0")
    new = make_policy(org, label="2.0")
    client_for(editor).post(f"/o/norte/learning/policy/{old.pk}/make-current/")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.is_current and not new.is_current


def test_the_policy_text_is_shown_safely():
    html = service.policy_render(
        "# Principios\n\nHabla con **respeto**.\nSin insultos.\n\n- Uno <script>alert(1)</script>\n- Dos\n\n1. Primero"
    )
    assert "<h2>Principios</h2>" in html
    assert "<p>Habla con <strong>respeto</strong>.<br>Sin insultos.</p>" in html
    assert "<ul>\n<li>Uno &lt;script&gt;alert(1)&lt;/script&gt;</li>\n<li>Dos</li>\n</ul>" in html
    assert "<ol>\n<li>Primero</li>\n</ol>" in html
    assert "<script>" not in html


def test_the_empty_policy_page_explains_what_to_write(client_for, org, editor):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    html = client.get("/o/norte/learning/policy/").content.decode()
    assert "There is no policy yet" in html
    assert "/o/norte/learning/policy/new/" in html


def test_the_effective_date_is_required(client_for, org, editor):
    response = client_for(editor).post("/o/norte/learning/policy/new/", {"title": "P", "body": "x"})
    assert response.status_code == 200
    assert not PolicyVersion.objects.exists()


# --- import --------------------------------------------------------------------------------------------------------------


def test_an_editor_imports_staff_from_csv_creating_and_updating(client_for, org, editor):
    make_staff(org, "Marta Vidal", department="Antigua", email="marta@example.org", handles={"x": "@marta"})
    csv_text = (
        "Nombre;Departamento;email;Mastodon;Instagram;listas\n"
        "Marta V.;Referencia;MARTA@example.org;@marta@masto.es;;Sala de referencia\n"
        'Pablo Ruiz;Infantil;;;pablo.ilustra;"Infantil; Embajadores"\n'
        ";;;;;\n"
    )
    response = client_for(editor).post("/o/norte/learning/staff/import/", {"text": csv_text})
    assert response.status_code == 302
    marta = StaffMember.objects.get(email__iexact="marta@example.org")
    assert (marta.name, marta.department) == ("Marta V.", "Referencia")
    assert marta.handles == {"x": "@marta", "mastodon": "@marta@masto.es"}
    pablo = StaffMember.objects.get(name="Pablo Ruiz")
    assert pablo.handles == {"instagram": "pablo.ilustra"}
    assert sorted(pablo.lists.values_list("name", flat=True)) == ["Embajadores", "Infantil"]
    assert StaffMember.objects.count() == 2


def test_an_import_with_a_bad_line_saves_nothing(client_for, org, editor):
    upload = io.BytesIO(b"name,email\nAna,ana@example.org\n,sin-nombre@example.org\nLuis,no-es-correo\n")
    upload.name = "personal.csv"
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post("/o/norte/learning/staff/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 3" in html and "The name is missing." in html
    assert "Line 4" in html and "is not a valid e-mail address" in html
    assert not StaffMember.objects.exists()


def test_an_import_with_unknown_columns_is_refused(client_for, org, editor):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    response = client.post("/o/norte/learning/staff/import/", {"text": "name,myspace\nAna,ana\n"})
    assert response.status_code == 400
    assert "Unknown columns: myspace." in response.content.decode()
    assert not StaffMember.objects.exists()


def test_a_viewer_cannot_import(client_for, org, viewer):
    assert client_for(viewer).post("/o/norte/learning/staff/import/", {"text": "name\nAna\n"}).status_code == 403
    assert not StaffMember.objects.exists()
