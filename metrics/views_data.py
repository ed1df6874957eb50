"""Pages where the team records data: institutional KPIs and their values, metric mappings, snapshots.

Viewers read every page; editors add and import; only administrators pair metrics with KPIs
(the mappings decide what the director dashboard compares). CSV imports go through a preview:
the parsed rows wait in the session until the user confirms, so the file is uploaded once.
"""

import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped
from metrics import imports
from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
from metrics.registry import METRICS
from strategy.forms import DateInput, OrgModelForm
from strategy.models import Profile

SESSION_KEY = "metrics_imports"
KEPT_PREVIEWS = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SNAPSHOT_DAYS = 30


# --- Forms -----------------------------------------------------------------------------------


class InstitutionalKPIForm(OrgModelForm):
    class Meta:
        model = InstitutionalKPI
        fields = ["name", "description", "unit", "frequency"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": gettext_lazy("What the library reports, e.g. Visits, Loans, New library cards."),
            "unit": gettext_lazy("Optional, e.g. visits, loans, €."),
        }

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = InstitutionalKPI.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("There is already an institutional KPI with this name."))
        return name


class InstitutionalValueForm(forms.Form):
    period_start = forms.DateField(
        label=gettext_lazy("Period start"),
        widget=DateInput(),
        help_text=gettext_lazy("The first day of the month (or week, quarter, year) the value is for."),
    )
    value = forms.CharField(
        label=gettext_lazy("Value"),
        max_length=40,
        help_text=gettext_lazy("1.234,5 and 1,234.5 are both understood."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def clean_value(self):
        # The same reading as the CSV import; a lone mark before three digits follows the page's language.
        text = self.cleaned_data["value"]
        try:
            value = imports.parse_decimal(text, decimal_comma=translation.get_language() != "en")
        except imports.RowError as error:
            raise forms.ValidationError(_("Write a number, such as 1.234,5.")) from error
        if abs(value) >= imports.MAX_VALUE:
            raise forms.ValidationError(_("The number is too large."))
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class MetricMappingForm(OrgModelForm):
    class Meta:
        model = MetricMapping
        fields = ["metric_key", "institutional_kpi", "hypothesis"]
        widgets = {"hypothesis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The definition beside each label: the choice is made knowing what the number measures.
        self.fields["metric_key"].choices = [("", "---------")] + [
            (metric.key, f"{metric.label} — {metric.definition}") for metric in METRICS
        ]

    def clean(self):
        data = super().clean()
        metric_key, kpi = data.get("metric_key"), data.get("institutional_kpi")
        if (
            metric_key
            and kpi
            and MetricMapping.objects.filter(org=self.org, metric_key=metric_key, institutional_kpi=kpi).exists()
        ):
            raise forms.ValidationError(_("This social metric is already paired with this institutional KPI."))
        return data


class SnapshotForm(forms.Form):
    profile = forms.ModelChoiceField(label=gettext_lazy("Profile"), queryset=Profile.objects.none())
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    followers = forms.IntegerField(label=gettext_lazy("Followers"), min_value=0, max_value=2_147_483_647)
    following = forms.IntegerField(
        label=gettext_lazy("Accounts followed"), min_value=0, max_value=2_147_483_647, required=False
    )
    posts = forms.IntegerField(label=gettext_lazy("Posts"), min_value=0, max_value=2_147_483_647, required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.active().filter(org=org)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it into smaller files."))
        return upload


class SnapshotUploadForm(UploadForm):
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Profile"),
        queryset=Profile.objects.none(),
        required=False,
        help_text=gettext_lazy("Only for a platform's own export, which has no profile column: whose counts are they?"),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.active().filter(org=org)


# --- Helpers -----------------------------------------------------------------------------------


def _get_kpi_for_org(request, pk) -> InstitutionalKPI:
    return get_scoped_or_404(InstitutionalKPI, request.org, pk=pk)


def _stash(request, result: imports.ImportResult) -> str:
    """Keep a parsed file in the session until it is confirmed; only the latest few are kept."""
    token = secrets.token_urlsafe(12)
    stash = dict(list(request.session.get(SESSION_KEY, {}).items())[-(KEPT_PREVIEWS - 1) :])
    stash[token] = result.as_dict()
    request.session[SESSION_KEY] = stash
    return token


def _preview(request, result: imports.ImportResult, *, title: str, back_url: str):
    token = _stash(request, result) if result.good_rows else None
    return render(
        request,
        "metrics/data/import_preview.html",
        {
            "title": title,
            "result": result,
            "good_count": len(result.good_rows),
            "bad_messages": result.messages(),
            "sample": result.good_rows[:20],
            "token": token,
            "back_url": back_url,
        },
    )


def _list_url_name(kind: str) -> str:
    return "metrics-snapshot-list" if kind == imports.SNAPSHOTS else "metrics-institutional-list"


# --- Institutional KPIs ------------------------------------------------------------------------


@org_view()
def institutional_list(request):
    """Each institutional KPI with its latest value and its last twelve values."""
    kpis = scoped(InstitutionalKPI, request.org).prefetch_related(
        Prefetch("values", queryset=InstitutionalValue.objects.order_by("-period_start"))
    )
    rows = []
    for kpi in kpis:
        values = list(kpi.values.all())
        rows.append({"kpi": kpi, "latest": values[0] if values else None, "values": values[:12], "count": len(values)})
    return render(
        request, "metrics/data/institutional_list.html", {"rows": rows, "can_edit": request.membership.can_edit}
    )


@org_view(Role.EDITOR)
def institutional_create(request):
    return _institutional_form(request, InstitutionalKPI(org=request.org))


@org_view(Role.EDITOR)
def institutional_edit(request, pk):
    return _institutional_form(request, _get_kpi_for_org(request, pk))


def _institutional_form(request, kpi):
    form = InstitutionalKPIForm(request.POST or None, instance=kpi, org=request.org)
    if request.method == "POST" and form.is_valid():
        kpi = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": kpi.name})
        return redirect("metrics-institutional-list", org_slug=request.org.slug)
    return render(request, "metrics/data/institutional_form.html", {"form": form, "kpi": kpi})


@org_view(Role.EDITOR)
def institutional_value_add(request, pk):
    kpi = _get_kpi_for_org(request, pk)
    form = InstitutionalValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _value, created = InstitutionalValue.objects.update_or_create(
            kpi=kpi,
            period_start=form.cleaned_data["period_start"],
            defaults={"org": request.org, "value": form.cleaned_data["value"], "note": form.cleaned_data["note"]},
        )
        if created:
            messages.success(request, _("The value was added to “%(name)s”.") % {"name": kpi.name})
        else:
            messages.success(request, _("The value of that period of “%(name)s” was replaced.") % {"name": kpi.name})
        return redirect("metrics-institutional-list", org_slug=request.org.slug)
    return render(request, "metrics/data/value_form.html", {"form": form, "kpi": kpi})


@org_view(Role.EDITOR)
def institutional_import(request, pk):
    kpi = _get_kpi_for_org(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = imports.parse_institutional_csv(request.org, kpi, form.cleaned_data["file"])
        return _preview(
            request,
            result,
            title=_("Import values of “%(name)s”") % {"name": kpi.name},
            back_url=request.path,
        )
    return render(request, "metrics/data/import_form.html", {"form": form, "kpi": kpi, "kind": imports.INSTITUTIONAL})


# --- Metric mappings ---------------------------------------------------------------------------


@org_view(Role.VIEWER, write_role=Role.ADMIN)
def mapping_list(request):
    """Which social metric is compared with which institutional KPI, and why."""
    form = MetricMappingForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        mapping = form.save(commit=False)
        mapping.created_by = request.user
        mapping.save()
        messages.success(request, _("The mapping was saved."))
        return redirect("metrics-mapping-list", org_slug=request.org.slug)
    mappings = scoped(MetricMapping, request.org).select_related("institutional_kpi")
    by_key = {metric.key: metric for metric in METRICS}
    rows = [{"mapping": mapping, "metric": by_key.get(mapping.metric_key)} for mapping in mappings]
    return render(
        request,
        "metrics/data/mapping_list.html",
        {
            "rows": rows,
            "form": form,
            "is_admin": request.membership.is_admin,
            "has_kpis": scoped(InstitutionalKPI, request.org).exists(),
        },
    )


@org_view(Role.ADMIN)
@require_POST
def mapping_delete(request, pk):
    mapping = get_scoped_or_404(MetricMapping, request.org, pk=pk)
    mapping.delete()
    messages.success(request, _("The mapping was deleted."))
    return redirect("metrics-mapping-list", org_slug=request.org.slug)


# --- Snapshots -------------------------------------------------------------------------------


@org_view(write_role=Role.EDITOR)
def snapshot_list(request):
    """The last 30 days of counts per owned profile, and a form to add one by hand."""
    form = SnapshotForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        defaults = {"org": request.org, "origin": ProfileSnapshot.Origin.MANUAL, "followers": data["followers"]}
        defaults.update({key: data[key] for key in ("following", "posts") if data[key] is not None})
        ProfileSnapshot.objects.update_or_create(profile=data["profile"], date=data["date"], defaults=defaults)
        messages.success(request, _("The counts of %(profile)s were saved.") % {"profile": data["profile"]})
        return redirect("metrics-snapshot-list", org_slug=request.org.slug)
    since = timezone.localdate() - timedelta(days=SNAPSHOT_DAYS)
    profiles = (
        Profile.objects.active()
        .filter(org=request.org)
        .prefetch_related(
            Prefetch("snapshots", queryset=ProfileSnapshot.objects.filter(date__gte=since).order_by("-date"))
        )
    )
    return render(
        request,
        "metrics/data/snapshot_list.html",
        {"profiles": profiles, "form": form, "can_edit": request.membership.can_edit, "days": SNAPSHOT_DAYS},
    )


@org_view(Role.EDITOR)
def snapshot_import(request):
    form = SnapshotUploadForm(request.POST or None, request.FILES or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        result = imports.parse_snapshots_csv(
            request.org, form.cleaned_data["file"], profile=form.cleaned_data.get("profile")
        )
        return _preview(request, result, title=_("Import profile snapshots"), back_url=request.path)
    return render(request, "metrics/data/import_form.html", {"form": form, "kind": imports.SNAPSHOTS})


# --- Confirming an import ------------------------------------------------------------------


@org_view(Role.EDITOR)
@require_POST
def import_confirm(request):
    """Save the good rows of a previewed file, kept in the session under the posted token."""
    stash = request.session.get(SESSION_KEY, {})
    data = stash.pop(request.POST.get("token", ""), None)
    if data is None:
        messages.error(request, _("This preview has expired or was already imported. Upload the file again."))
        return redirect("metrics-director", org_slug=request.org.slug)
    request.session[SESSION_KEY] = stash
    result = imports.ImportResult.from_dict(data)
    if result.org_id != request.org.pk:
        raise Http404
    origin = ProfileSnapshot.Origin.CSV
    saved = imports.import_commit(result, origin=origin)
    left_out = len(result.bad_rows)
    message = ngettext("%(saved)s row was imported.", "%(saved)s rows were imported.", saved) % {"saved": saved}
    if left_out:
        message += " " + ngettext(
            "%(count)s row with a problem was left out.", "%(count)s rows with problems were left out.", left_out
        ) % {"count": left_out}
    messages.success(request, message)
    return redirect(_list_url_name(result.kind), org_slug=request.org.slug)
