from functools import partial

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mesm import forms, services
from mesm.models import Invitation, Membership, Role
from mesm.tasks import HEARTBEAT_KEY
from mesm.tenancy import get_scoped_or_404, org_view


@login_required
def home(request):
    memberships = list(Membership.objects.filter(user=request.user).select_related("org"))
    if len(memberships) == 1:
        return redirect("strategy-overview", org_slug=memberships[0].org.slug)
    return render(request, "mesm/home.html", {"memberships": memberships})


@login_required
def organization_create(request):
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = services.organization_create(
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            timezone_name=form.cleaned_data["timezone"],
            language=form.cleaned_data["language"],
            creator=request.user,
        )
        messages.success(
            request, _("The organisation “%(name)s” was created. You are its administrator.") % {"name": org}
        )
        return redirect("strategy-overview", org_slug=org.slug)
    return render(request, "mesm/organization_form.html", {"form": form})


@org_view(Role.ADMIN)
def organization_settings(request):
    form = forms.OrganizationForm(request.POST or None, instance=request.org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            org = form.save()
            if "timezone" in form.changed_data:
                # The dashboards' days are the organisation's: recount the rollups into the new ones.
                from listening.tasks import rebuild_day_rollups

                transaction.on_commit(partial(rebuild_day_rollups.delay, org.pk))
        messages.success(request, _("The organisation's settings were saved."))
        if "timezone" in form.changed_data:
            messages.info(
                request,
                _(
                    "Mention counts per day are being recounted in the new time zone; the dashboards show them in a few minutes."
                ),
            )
        return redirect("org-settings", org_slug=org.slug)
    return render(request, "mesm/organization_form.html", {"form": form, "editing": True})


@org_view(Role.VIEWER, write_role=Role.ADMIN)
def members(request):
    invite_form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        try:
            invitation = services.invitation_create(
                org=request.org, invited_by=request.user, **invite_form.cleaned_data
            )
        except ValidationError as error:
            invite_form.add_error(None, error)
        else:
            messages.success(request, _("An invitation was e-mailed to %(email)s.") % {"email": invitation.email})
            return redirect("org-members", org_slug=request.org.slug)
    memberships = Membership.objects.filter(org=request.org).select_related("user").order_by("user__username")
    invitations = Invitation.objects.filter(org=request.org, accepted_at__isnull=True).select_related("invited_by")
    return render(
        request,
        "mesm/members.html",
        {"memberships": memberships, "invitations": invitations, "invite_form": invite_form, "roles": Role.choices},
    )


@require_POST
@org_view(Role.ADMIN)
def member_update(request, pk):
    membership = get_scoped_or_404(Membership, request.org, pk=pk)
    try:
        if request.POST.get("remove") == "1":
            services.membership_remove(membership=membership)
            messages.success(request, _("%(user)s is no longer a member.") % {"user": membership.user})
        else:
            role = request.POST.get("role", "")
            if role not in Role.values:
                raise ValidationError(_("Choose a role from the list."))
            services.membership_change_role(membership=membership, role=role)
            messages.success(request, _("The role of %(user)s was changed.") % {"user": membership.user})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("org-members", org_slug=request.org.slug)


@require_POST
@org_view(Role.ADMIN)
def invitation_revoke(request, pk):
    invitation = get_scoped_or_404(Invitation.objects.filter(accepted_at__isnull=True), request.org, pk=pk)
    invitation.delete()
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("org-members", org_slug=request.org.slug)


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("org"), token=token)
    if not invitation.is_usable:
        return render(request, "mesm/invitation_invalid.html", {"invitation": invitation}, status=410)
    if request.user.is_authenticated:
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, user=request.user)
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.org})
            return redirect("strategy-overview", org_slug=invitation.org.slug)
        return render(request, "mesm/invitation_accept.html", {"invitation": invitation})
    form = forms.SignupForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.invitation_accept(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.org})
        return redirect("strategy-overview", org_slug=invitation.org.slug)
    return render(request, "mesm/invitation_accept.html", {"invitation": invitation, "form": form})


@never_cache
def healthz(request):
    """Database and Redis status for load balancers and people: 200 when both answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "down"; the reason is reported
        checks["database"] = f"down: {error.__class__.__name__}"
    try:
        cache._cache.get_client(write=True).ping()
        checks["redis"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["redis"] = f"down: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "down", **checks}
    if checks["redis"] == "ok":
        # Informative only: beat queues a heartbeat every minute and a worker records it.
        body["worker_heartbeat"] = cache.get(HEARTBEAT_KEY)
    return JsonResponse(body, status=200 if healthy else 503)
