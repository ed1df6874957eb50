"""Log in, log out, password reset, organisations and invitations."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from mesm.models import Invitation, Membership, Organization, Role
from tests import factories


@pytest.mark.django_db
def test_it_logs_in_to_the_only_organisation_and_out_again(client, org, editor):
    response = client.post(
        "/accounts/login/", {"username": editor.username, "password": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/norte/"
    response = client.post("/accounts/logout/", follow=True)
    assert "_auth_user_id" not in client.session
    assert client.get("/o/norte/").status_code == 302


@pytest.mark.django_db
def test_it_says_plainly_when_the_password_is_wrong(client, editor):
    response = client.post(
        "/accounts/login/", {"username": editor.username, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_it_lists_organisations_when_there_are_several(client_for, org, other_org, editor):
    Membership.objects.create(user=editor, org=other_org, role=Role.VIEWER)
    body = client_for(editor).get("/").content.decode()
    assert "Biblioteca Norte" in body and "Biblioteca Sur" in body
    assert 'id="org-switcher"' in body


@pytest.mark.django_db
def test_it_resets_a_forgotten_password_by_email(client, editor):
    response = client.post("/accounts/password_reset/", {"email": editor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    post_to = form_page.redirect_chain[-1][0]
    response = client.post(
        post_to, {"new_password1": "a-new-long-password-42", "new_password2": "a-new-long-password-42"}
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("a-new-long-password-42")


@pytest.mark.django_db
def test_it_creates_an_organisation_with_its_creator_as_admin(client):
    user = factories.UserFactory(username="nuevo")
    client.force_login(user)
    response = client.post(
        "/orgs/new/", {"name": "Biblioteca Oeste", "slug": "oeste", "timezone": "Europe/Madrid", "language": "es"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(org__slug="oeste", user=user).role == Role.ADMIN


@pytest.mark.django_db
def test_it_invites_by_email_and_the_link_creates_a_member(
    client, client_for, org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post("/o/norte/members/", {"email": "Nueva@Example.org", "role": "editor"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nueva@example.org"]
    assert "Biblioteca Norte" in mail.outbox[0].subject
    path = re.search(r"/invitations/\S+/", mail.outbox[0].body).group(0)

    client.logout()
    response = client.post(
        path,
        {
            "username": "nueva",
            "email": "nueva@example.org",
            "password1": "una-clave-larga-2026",
            "password2": "una-clave-larga-2026",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="nueva")
    assert Membership.objects.get(user=user, org=org).role == Role.EDITOR
    assert Invitation.objects.get().accepted_by == user
    # A used link cannot be used again.
    assert client.get(path).status_code == 410


@pytest.mark.django_db
def test_it_refuses_to_invite_a_current_member(client_for, org, admin_user, editor):
    response = client_for(admin_user).post("/o/norte/members/", {"email": editor.email, "role": "viewer"})
    assert response.status_code == 200
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_it_never_leaves_an_organisation_without_an_admin(client_for, org, admin_user):
    membership = Membership.objects.get(user=admin_user)
    response = client_for(admin_user).post(f"/o/norte/members/{membership.pk}/", {"role": "viewer"}, follow=True)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    assert "al menos un administrador" in response.content.decode()


@pytest.mark.django_db
def test_it_changes_a_role_and_removes_a_member(client_for, org, admin_user, editor):
    membership = Membership.objects.get(user=editor)
    client = client_for(admin_user)
    client.post(f"/o/norte/members/{membership.pk}/", {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    client.post(f"/o/norte/members/{membership.pk}/", {"remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Organization.objects.filter(pk=org.pk).exists()
