from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrgModelForm(forms.ModelForm):
    """A ModelForm whose choices of related rows are limited to the organisation."""

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.instance.org = org
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model is get_user_model():
                field.queryset = model.objects.filter(memberships__org=org).order_by("first_name", "username")
                field.label_from_instance = lambda user: user.get_full_name() or user.username
            elif hasattr(model, "org"):
                field.queryset = queryset.filter(org=org)
                if hasattr(model, "archived_at"):
                    field.queryset = field.queryset.filter(archived_at__isnull=True)


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Purpose
        fields = ["why", "what_for"]
        widgets = {"why": forms.Textarea(attrs={"rows": 5}), "what_for": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "why": _("The reason the library is present on social media at all."),
            "what_for": _("What the presence must achieve for the library and its users."),
        }


class AudienceForm(OrgModelForm):
    class Meta:
        model = Audience
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Audience.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("There is already an audience with this name."))
        return name


def _https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProfileForm(OrgModelForm):
    class Meta:
        model = Profile
        fields = ["platform", "handle", "url", "description"]
        formfield_callback = _https_urls
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        platform, handle = data.get("platform"), data.get("handle")
        if platform and handle:
            clash = Profile.objects.filter(org=self.org, platform=platform, handle__iexact=handle.strip())
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("handle", _("This profile is already registered for that platform."))
        return data


class ObjectiveForm(OrgModelForm):
    class Meta:
        model = Objective
        fields = ["title", "why", "owner", "audiences", "deadline", "status"]
        widgets = {
            "why": forms.Textarea(attrs={"rows": 4}),
            "deadline": DateInput(),
            "audiences": forms.CheckboxSelectMultiple,
        }


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = ["name", "metric_key", "unit", "baseline", "target", "direction", "deadline"]
        widgets = {"deadline": DateInput()}


class BaseKPIFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, org, **kwargs):
        self.org = org
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.org = self.org
        return form


KPIFormSet = forms.inlineformset_factory(Objective, KPI, form=KPIForm, formset=BaseKPIFormSet, extra=1, can_delete=True)


class CampaignForm(OrgModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "starts_on", "ends_on", "status", "objectives", "audiences", "profiles"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "objectives": forms.CheckboxSelectMultiple,
            "audiences": forms.CheckboxSelectMultiple,
            "profiles": forms.CheckboxSelectMultiple,
        }
