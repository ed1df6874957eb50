"""Pages for the registry of referents and influencers, and the suggestions fed by listening."""

import json

from django import forms
from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped
from strategy import referents as service
from strategy.forms import DateInput, OrgModelForm
from strategy.models import Referent, ReferentInteraction, ReferentKind, ReferentStatus


class HandlesField(forms.CharField):
    """One "platform: handle" per line, stored as a dict."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{platform}: {handle}" for platform, handle in value.items())
        if isinstance(value, str) and value.startswith("{"):
            try:
                return self.prepare_value(json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value):
        value = super().to_python(value)
        handles = {}
        for line in (value or "").splitlines():
            line = line.strip()
            if not line:
                continue
            platform, sep, handle = line.partition(":")
            if not sep or not platform.strip() or not handle.strip():
                raise forms.ValidationError(_("Write one “platform: handle” per line."))
            handles[platform.strip().lower()] = handle.strip()
        return handles


class ReferentForm(OrgModelForm):
    handles = HandlesField(
        label=gettext_lazy("Handles"),
        required=False,
        help_text=gettext_lazy("One per line, as “platform: handle”, e.g. “mastodon: @ana@mastodon.social”."),
    )

    class Meta:
        model = Referent
        fields = ["name", "kind", "handles", "topics", "why", "status", "owner", "notes"]
        widgets = {"why": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Referent.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("There is already a referent with this name."))
        return name


class InteractionForm(forms.ModelForm):
    class Meta:
        model = ReferentInteraction
        fields = ["date", "kind", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}


@org_view()
def referent_list(request):
    referents = scoped(Referent.objects.all(), request.org).select_related("owner")
    referents = referents.annotate(interaction_count=Count("interactions"), last_contact=Max("interactions__date"))
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in ReferentStatus.values:
        referents = referents.filter(status=status)
    if kind in ReferentKind.values:
        referents = referents.filter(kind=kind)
    return render(
        request,
        "strategy/referents/list.html",
        {
            "referents": referents,
            "statuses": ReferentStatus.choices,
            "kinds": ReferentKind.choices,
            "status": status,
            "kind": kind,
            "can_edit": request.membership.can_edit,
        },
    )


def _referent_form(request, referent=None):
    form = ReferentForm(request.POST or None, instance=referent, org=request.org)
    if request.method == "POST" and form.is_valid():
        referent = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": referent})
        return redirect("strategy-referent-detail", org_slug=request.org.slug, pk=referent.pk)
    return render(request, "strategy/referents/form.html", {"form": form, "object": referent})


@org_view(Role.EDITOR)
def referent_create(request):
    return _referent_form(request)


@org_view(Role.EDITOR)
def referent_edit(request, pk):
    return _referent_form(request, get_scoped_or_404(Referent, request.org, pk=pk))


@org_view(write_role=Role.EDITOR)
def referent_detail(request, pk):
    """The referent with its interactions; a POST with ``status`` moves it along the workflow."""
    referent = get_scoped_or_404(Referent.objects.select_related("owner"), request.org, pk=pk)
    if request.method == "POST":
        status = request.POST.get("status", "")
        if status in ReferentStatus.values:
            service.referent_set_status(referent, status)
            messages.success(
                request,
                _("“%(name)s” is now %(status)s.") % {"name": referent, "status": referent.get_status_display()},
            )
        else:
            messages.error(request, _("Choose a valid status."))
        return redirect("strategy-referent-detail", org_slug=request.org.slug, pk=referent.pk)
    return _detail(request, referent, InteractionForm())


def _detail(request, referent, interaction_form, status=200):
    interactions = referent.interactions.select_related("by")
    return render(
        request,
        "strategy/referents/detail.html",
        {
            "referent": referent,
            "interactions": interactions,
            "interaction_form": interaction_form,
            "statuses": ReferentStatus.choices,
            "can_edit": request.membership.can_edit,
        },
        status=status,
    )


@require_POST
@org_view(Role.EDITOR)
def interaction_add(request, pk):
    referent = get_scoped_or_404(Referent, request.org, pk=pk)
    form = InteractionForm(request.POST)
    if not form.is_valid():
        return _detail(request, referent, form, status=400)
    service.interaction_add(referent, by=request.user, **form.cleaned_data)
    messages.success(request, _("The interaction was recorded."))
    return redirect("strategy-referent-detail", org_slug=request.org.slug, pk=referent.pk)


def _days(request) -> int:
    try:
        return min(max(int(request.GET.get("days", 90)), 1), 365)
    except ValueError:
        return 90


@org_view()
def referent_suggestions(request):
    days = _days(request)
    suggestions = service.referent_suggestions(request.org, days=days)
    return render(
        request,
        "strategy/referents/suggestions.html",
        {
            "suggestions": suggestions,
            "days": days,
            "weights": {key: round(weight * 100) for key, weight in service.WEIGHTS.items()},
            "can_edit": request.membership.can_edit,
        },
    )


@require_POST
@org_view(Role.EDITOR)
def referent_suggestion_add(request):
    handle = request.POST.get("handle", "").strip()
    if not handle:
        messages.error(request, _("Choose an author to add."))
        return redirect("strategy-referent-suggestions", org_slug=request.org.slug)
    referent = service.referent_add_from_suggestion(
        request.org,
        handle,
        name=request.POST.get("name", "")[:200],
        platform=request.POST.get("platform", "")[:40],
        by=request.user,
    )
    messages.success(request, _("“%(name)s” was added to the registry.") % {"name": referent})
    return redirect("strategy-referent-suggestions", org_slug=request.org.slug)
