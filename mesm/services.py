"""Writes of the core app: organisations, memberships and invitations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mesm.models import Invitation, Membership, Organization, Role


@transaction.atomic
def organization_create(
    *, name: str, slug: str, creator, timezone_name: str = "Europe/Madrid", language: str = "es"
) -> Organization:
    """Create an organisation; its creator becomes its first administrator."""
    org = Organization(name=name, slug=slug, timezone=timezone_name, language=language)
    org.full_clean()
    org.save()
    Membership.objects.create(user=creator, org=org, role=Role.ADMIN)
    return org


def _check_keeps_an_admin(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    others = Membership.objects.filter(org=membership.org, role=Role.ADMIN).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one administrator; name another one first."))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role, refusing to leave the organisation without an administrator."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_keeps_an_admin(membership, role)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member, refusing to remove the last administrator."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_keeps_an_admin(membership, None)
    membership.delete()


def invitation_create(*, org: Organization, email: str, role: str, invited_by) -> Invitation:
    """Invite someone by e-mail; the link lets them create an account (or use theirs) and join."""
    email = email.strip().lower()
    if Membership.objects.filter(org=org, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    invitation = Invitation(org=org, email=email, role=role, invited_by=invited_by)
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    """E-mail the invitation link, in the organisation's language."""
    link = settings.SITE_URL + reverse("invitation-accept", args=[invitation.token])
    with translation.override(invitation.org.language):
        context = {"invitation": invitation, "link": link, "days": settings.INVITATION_MAX_AGE_DAYS}
        subject = _("You are invited to %(org)s on MESM") % {"org": invitation.org.name}
        body = render_to_string("mesm/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Join the invited organisation with the invited role (an existing membership keeps the higher role)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has expired or was already used. Ask for a new one."))
    membership, created = Membership.objects.get_or_create(
        user=user, org=invitation.org, defaults={"role": invitation.role}
    )
    if not created and not membership.has_role(invitation.role):
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
