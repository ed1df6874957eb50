from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from mesm.models import Role
from mesm.tenancy import OrgMixin, get_scoped_or_404, org_view, scoped
from strategy import forms, services
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose


def _plan_context(org):
    """Everything the overview, the printable plan and the PDF show, in a fixed number of queries."""
    objectives = (
        scoped(Objective.objects.active(), org)
        .select_related("owner")
        .prefetch_related("audiences", Prefetch("kpis", queryset=KPI.objects.order_by("id")))
    )
    return {
        "purpose": Purpose.objects.filter(org=org).first(),
        "objectives": objectives,
        "audiences": scoped(Audience.objects.active(), org),
        "profiles": scoped(Profile.objects.active(), org),
        "campaigns": scoped(Campaign.objects.active(), org).prefetch_related("objectives", "audiences", "profiles"),
        "generated_at": timezone.now(),
    }


@org_view()
def overview(request):
    from mesm.onboarding import first_steps

    steps = first_steps(request.org)
    done = sum(step.done for step in steps)
    return render(
        request,
        "strategy/overview.html",
        {
            "org": request.org,
            "first_steps": steps,
            "first_steps_count": done,
            "first_steps_done": done == len(steps),
            **_plan_context(request.org),
        },
    )


@org_view()
def plan(request):
    return render(request, "strategy/plan.html", {"org": request.org, "printable": True, **_plan_context(request.org)})


@org_view()
def plan_pdf(request):
    from weasyprint import HTML

    html = render_to_string(
        "strategy/plan.html", {"org": request.org, "pdf": True, **_plan_context(request.org)}, request=request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    # Translated outside the f-string, where xgettext can find it.
    stem = slugify(_("plan"))
    filename = f"{stem}-{request.org.slug}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view(write_role=Role.EDITOR)
def purpose_edit(request):
    purpose = Purpose.objects.filter(org=request.org).first() or Purpose(org=request.org)
    form = forms.PurposeForm(request.POST or None, instance=purpose)
    if request.method == "POST" and form.is_valid():
        services.purpose_update(org=request.org, by=request.user, **form.cleaned_data)
        messages.success(request, _("The purpose was saved."))
        return redirect("strategy-overview", org_slug=request.org.slug)
    return render(request, "strategy/purpose_form.html", {"form": form})


# --- Generic list / create / edit / archive for the plan's building blocks -------------------


class OrgListView(OrgMixin, ListView):
    template_name = "strategy/list.html"
    columns: list[tuple[str, str]] = []
    paginate_by = 100

    def get_queryset(self):
        queryset = scoped(self.model.objects.all(), self.org)
        if self.request.GET.get("archived") == "1":
            return queryset.archived()
        return queryset.active()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            {
                "model_name": meta.model_name,
                "verbose_name": meta.verbose_name,
                "verbose_name_plural": meta.verbose_name_plural,
                "columns": self.columns,
                "showing_archived": self.request.GET.get("archived") == "1",
                "can_edit": self.membership.can_edit,
                "texts": self.texts,
            }
        )
        return context


class OrgFormMixin(OrgMixin):
    template_name = "strategy/form.html"
    read_role = Role.EDITOR

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "org": self.org}

    def get_queryset(self):
        return scoped(self.model.objects.all(), self.org)

    def get_success_url(self):
        return reverse(f"strategy-{self.model._meta.model_name}-list", kwargs={"org_slug": self.org.slug})

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, _("“%(name)s” was saved.") % {"name": self.object})
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["texts"] = self.texts
        context["cancel_url"] = self.get_success_url()
        return context


class OrgCreateView(OrgFormMixin, CreateView):
    pass


class OrgUpdateView(OrgFormMixin, UpdateView):
    pass


def _crud_views(model, form_class, columns, texts):
    attrs = {"model": model, "texts": texts}
    list_view = type(f"{model.__name__}ListView", (OrgListView,), {**attrs, "columns": columns})
    create_view = type(f"{model.__name__}CreateView", (OrgCreateView,), {**attrs, "form_class": form_class})
    update_view = type(f"{model.__name__}UpdateView", (OrgUpdateView,), {**attrs, "form_class": form_class})
    return list_view.as_view(), create_view.as_view(), update_view.as_view()


audience_list, audience_create, audience_edit = _crud_views(
    Audience,
    forms.AudienceForm,
    [("name", gettext_lazy("Name")), ("description", gettext_lazy("Description"))],
    {
        "new": gettext_lazy("New audience"),
        "lead": gettext_lazy("The groups the library speaks to: students, researchers, families, staff…"),
        "empty": gettext_lazy("No audiences yet. Who do you want to reach?"),
    },
)
profile_list, profile_create, profile_edit = _crud_views(
    Profile,
    forms.ProfileForm,
    [
        ("handle", gettext_lazy("Handle")),
        ("get_platform_display", gettext_lazy("Platform")),
        ("url", gettext_lazy("Address")),
    ],
    {
        "new": gettext_lazy("New profile"),
        "lead": gettext_lazy("The library's own accounts on each platform."),
        "empty": gettext_lazy("No profiles yet. Add the library's accounts on the platforms."),
    },
)
campaign_list, campaign_create, campaign_edit = _crud_views(
    Campaign,
    forms.CampaignForm,
    [
        ("name", gettext_lazy("Name")),
        ("starts_on", gettext_lazy("Starts")),
        ("ends_on", gettext_lazy("Ends")),
        ("get_status_display", gettext_lazy("Status")),
    ],
    {
        "new": gettext_lazy("New campaign"),
        "lead": gettext_lazy("Planned efforts that group objectives, audiences and profiles over some dates."),
        "empty": gettext_lazy("No campaigns yet."),
    },
)

ARCHIVABLE = {"audience": Audience, "profile": Profile, "campaign": Campaign, "objective": Objective}


@require_POST
@org_view(Role.EDITOR)
def archive(request, kind, pk):
    if kind not in ARCHIVABLE:
        raise Http404
    obj = get_scoped_or_404(ARCHIVABLE[kind], request.org, pk=pk)
    if request.POST.get("restore") == "1":
        obj.restore()
        messages.success(request, _("“%(name)s” was restored.") % {"name": obj})
    else:
        obj.archive()
        messages.success(
            request, _("“%(name)s” was archived. You can restore it from the archived list.") % {"name": obj}
        )
    return redirect(f"strategy-{kind}-list", org_slug=request.org.slug)


# --- Objectives, with their KPIs edited on the same page -------------------------------------


@org_view()
def objective_list(request):
    show_archived = request.GET.get("archived") == "1"
    objectives = scoped(Objective.objects.archived() if show_archived else Objective.objects.active(), request.org)
    objectives = objectives.select_related("owner").prefetch_related("audiences", "kpis")
    return render(
        request,
        "strategy/objective_list.html",
        {"objectives": objectives, "showing_archived": show_archived, "can_edit": request.membership.can_edit},
    )


def _kpi_rows(formset):
    return [
        {key: value for key, value in form.cleaned_data.items() if key not in ("id", "objective", "DELETE")}
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


@org_view(Role.EDITOR)
def objective_create(request):
    form = forms.ObjectiveForm(request.POST or None, org=request.org)
    formset = forms.KPIFormSet(
        request.POST or None, org=request.org, instance=Objective(org=request.org), prefix="kpis"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        objective = services.objective_create(org=request.org, kpis=_kpi_rows(formset), **form.cleaned_data)
        messages.success(request, _("The objective “%(name)s” was created.") % {"name": objective})
        return redirect("strategy-objective-list", org_slug=request.org.slug)
    return render(request, "strategy/objective_form.html", {"form": form, "formset": formset})


@org_view(Role.EDITOR)
def objective_edit(request, pk):
    objective = get_scoped_or_404(Objective, request.org, pk=pk)
    form = forms.ObjectiveForm(request.POST or None, instance=objective, org=request.org)
    formset = forms.KPIFormSet(request.POST or None, instance=objective, org=request.org, prefix="kpis")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, _("The objective “%(name)s” was saved.") % {"name": objective})
        return redirect("strategy-objective-list", org_slug=request.org.slug)
    return render(request, "strategy/objective_form.html", {"form": form, "formset": formset, "object": objective})
