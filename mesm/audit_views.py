"""The audit log page (administrators only)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mesm.models import AuditEntry, Role
from mesm.tenancy import org_view, scoped


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Anyone")
    )
    object_type = forms.ChoiceField(label=_("Type"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = get_user_model().objects.filter(memberships__org=org).order_by("username")
        types = scoped(AuditEntry, org).order_by("object_type").values_list("object_type", flat=True).distinct()
        self.fields["object_type"].choices = [("", _("All"))] + [(t, t) for t in types]


def filter_entries(queryset, data: dict):
    """Apply the cleaned filters (shared by the page and the API)."""
    if data.get("actor"):
        queryset = queryset.filter(actor=data["actor"])
    if data.get("object_type"):
        queryset = queryset.filter(object_type=data["object_type"])
    if data.get("since"):
        queryset = queryset.filter(created_at__date__gte=data["since"])
    if data.get("until"):
        queryset = queryset.filter(created_at__date__lte=data["until"])
    return queryset


@org_view(Role.ADMIN)
def audit_log(request):
    form = AuditFilterForm(request.GET or None, org=request.org)
    entries = scoped(AuditEntry, request.org).select_related("actor")
    if form.is_bound and form.is_valid():
        entries = filter_entries(entries, form.cleaned_data)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "mesm/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
