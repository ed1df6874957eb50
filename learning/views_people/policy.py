"""Governance: the social media policy in versions, and who has acknowledged the current one."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_people import PolicyVersionForm, StaffAcknowledgementForm
from learning.models import PolicyAcknowledgement, PolicyVersion
from learning.people import staff as service
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped


def _page(request, version, *, staff_form=None, status=200):
    """The policy page for one version: its text, versions, and (if current) who has acknowledged it."""
    versions = scoped(PolicyVersion, request.org).annotate(ack_count=Count("acknowledgements"))
    ack_status = service.policy_ack_status(request.org, version) if version else None
    mine = None
    if version is not None:
        mine = PolicyAcknowledgement.objects.filter(version=version, user=request.user).first()
    return render(
        request,
        "learning/people/policy/page.html",
        {
            "version": version,
            "body_html": service.policy_render(version.body) if version else "",
            "versions": versions,
            "ack": ack_status,
            "mine": mine,
            "staff_form": staff_form or StaffAcknowledgementForm(org=request.org),
            "can_edit": request.membership.can_edit,
        },
        status=status,
    )


@org_view()
def policy_list(request):
    """The current version (or the first steps when there is none yet)."""
    return _page(request, service.policy_current(request.org))


@org_view()
def policy_detail(request, pk):
    return _page(request, get_scoped_or_404(PolicyVersion, request.org, pk=pk))


@org_view(Role.EDITOR)
def policy_create(request):
    current = service.policy_current(request.org)
    initial = {}
    if current:
        # A new version starts from the current text: most versions change a few lines.
        initial = {"title": current.title, "body": current.body}
    form = PolicyVersionForm(request.POST or None, org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PolicyVersionForm.Meta.fields}
        version = service.policy_version_create(
            org=request.org, by=request.user, make_current=form.cleaned_data["make_current"], **fields
        )
        messages.success(request, _("Version %(label)s was saved.") % {"label": version.display_label})
        return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)
    return render(request, "learning/people/policy/form.html", {"form": form, "object": None})


@org_view(Role.EDITOR)
def policy_edit(request, pk):
    version = get_scoped_or_404(PolicyVersion, request.org, pk=pk)
    if version.acknowledgements.exists():
        messages.error(
            request,
            _("People have already acknowledged this version, so its text cannot change. Write a new version instead."),
        )
        return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)
    form = PolicyVersionForm(request.POST or None, instance=version, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Version %(label)s was saved.") % {"label": version.display_label})
        return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)
    return render(request, "learning/people/policy/form.html", {"form": form, "object": version})


@require_POST
@org_view(Role.EDITOR)
def policy_make_current(request, pk):
    version = get_scoped_or_404(PolicyVersion, request.org, pk=pk)
    service.policy_make_current(version)
    messages.success(request, _("Version %(label)s is now the current policy.") % {"label": version.display_label})
    return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)


@require_POST
@org_view(Role.VIEWER)
def policy_acknowledge(request, pk):
    """Any member acknowledges the current version for themselves; an older version is refused."""
    version = get_scoped_or_404(PolicyVersion, request.org, pk=pk)
    try:
        service.policy_acknowledge(version, user=request.user)
    except service.PolicyNotCurrent as error:
        messages.error(request, error.message)
        return redirect("learning-policy-list", org_slug=request.org.slug)
    messages.success(
        request,
        _("Thank you: your acknowledgement of version %(label)s was recorded.") % {"label": version.display_label},
    )
    return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)


@require_POST
@org_view(Role.EDITOR)
def policy_acknowledge_staff(request, pk):
    """An editor records that a staff member without a MESM account acknowledged (e.g. on paper)."""
    version = get_scoped_or_404(PolicyVersion, request.org, pk=pk)
    form = StaffAcknowledgementForm(request.POST, org=request.org)
    if not form.is_valid():
        return _page(request, version, staff_form=form, status=400)
    person = form.cleaned_data["staff_member"]
    try:
        service.policy_acknowledge(version, staff_member=person, by=request.user)
    except service.PolicyNotCurrent as error:
        messages.error(request, error.message)
        return redirect("learning-policy-list", org_slug=request.org.slug)
    messages.success(request, _("The acknowledgement of “%(name)s” was recorded.") % {"name": person})
    return redirect("learning-policy-detail", org_slug=request.org.slug, pk=version.pk)
