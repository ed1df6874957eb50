"""Forms of learning (work half). Validation rules live in the models and services; forms add
only what is about input (tags typed as text, datetime widgets, choices limited to the org)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learning.models import (
    CASE_RELATIONS,
    Activity,
    ActivityPilot,
    CaseStudy,
    Executive,
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveProfile,
    ExecutiveSource,
    Lesson,
    RecurringNote,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)
from learning.services.executives import check_session_minutes
from learning.services.lessons import lesson_tags_parse
from strategy.forms import DateInput, OrgModelForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class TagsField(forms.CharField):
    """Tags typed as "a, b, c" and stored as a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Tags"))
        kwargs.setdefault("help_text", gettext_lazy("Separated by commas, e.g. “video, young people”."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return lesson_tags_parse(super().to_python(value) or "")


def _https_urls(field, **kwargs):
    # Addresses typed without a scheme are taken as https:// (Django 6's default).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _rows(n):
    return forms.Textarea(attrs={"rows": n})


# --- 1. Social media inside the organisation ---------------------------------------------------


class ActivityForm(OrgModelForm):
    class Meta:
        model = Activity
        fields = ["name", "purpose", "current_tool", "social_platform", "social_way", "changes", "gains", "losses"]
        widgets = {
            "purpose": _rows(2),
            "social_way": _rows(3),
            "changes": _rows(3),
            "gains": _rows(3),
            "losses": _rows(3),
        }

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Activity.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already an activity with this name."))
        return name


class PilotForm(OrgModelForm):
    class Meta:
        model = ActivityPilot
        fields = ["owner", "start", "end", "status", "outcome"]
        widgets = {"start": DateInput(), "end": DateInput(), "outcome": _rows(4)}


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Comment"), widget=_rows(3), max_length=5000)


# --- 2. Relevant cases ------------------------------------------------------------------------


class TrustedFeedForm(OrgModelForm):
    class Meta:
        model = TrustedFeed
        formfield_callback = _https_urls
        fields = ["name", "url", "category", "description", "interval_minutes", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if TrustedFeed.objects.filter(org=self.org, url=url).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("You already follow this feed."))
        return url


class CaseStudyForm(OrgModelForm):
    relations = forms.MultipleChoiceField(
        label=gettext_lazy("They are"),
        choices=CASE_RELATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Learn from allies and competitors alike, and from the field as a whole."),
    )
    tags = TagsField()

    class Meta:
        model = CaseStudy
        formfield_callback = _https_urls
        fields = ["title", "organisation", "platform", "what_they_did", "results", "adapt", "relations", "tags", "url"]
        widgets = {"what_they_did": _rows(5), "results": _rows(3), "adapt": _rows(3)}


# --- 3. Executives ----------------------------------------------------------------------------


class ExecutiveForm(OrgModelForm):
    class Meta:
        model = Executive
        fields = ["name", "position", "member", "how_they_decide", "notes"]
        widgets = {"how_they_decide": _rows(3), "notes": _rows(3)}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Executive.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already an executive with this name."))
        return name


class _PartForm(forms.ModelForm):
    """A form for one row of an executive's programme; related choices limited to that executive."""

    def __init__(self, *args, executive, **kwargs):
        super().__init__(*args, **kwargs)
        self.executive = executive
        self.instance.executive = executive
        self.instance.org_id = executive.org_id


class ExecutiveSourceForm(_PartForm):
    class Meta:
        model = ExecutiveSource
        formfield_callback = _https_urls
        fields = ["kind", "name", "url", "note"]


class ExecutivePlatformForm(_PartForm):
    class Meta:
        model = ExecutivePlatform
        fields = ["platform", "source", "where", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = self.executive.sources.all()


class ExecutiveKPIForm(_PartForm):
    class Meta:
        model = ExecutiveKPI
        fields = ["institutional_kpi", "judged_by", "note"]

    def __init__(self, *args, **kwargs):
        from metrics.models import InstitutionalKPI

        super().__init__(*args, **kwargs)
        self.fields["institutional_kpi"].queryset = InstitutionalKPI.objects.filter(org_id=self.executive.org_id)
        self.fields["institutional_kpi"].help_text = _("The indicators the organisation records under Metrics.")

    def clean_institutional_kpi(self):
        kpi = self.cleaned_data["institutional_kpi"]
        if self.executive.kpis.filter(institutional_kpi=kpi).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This KPI is already in their list."))
        return kpi


class ExecutiveMetricForm(_PartForm):
    class Meta:
        model = ExecutiveMetric
        fields = ["metric_key", "institutional_kpi", "note"]
        widgets = {"note": _rows(2)}

    def __init__(self, *args, **kwargs):
        from metrics.models import InstitutionalKPI

        super().__init__(*args, **kwargs)
        kpi_ids = self.executive.kpis.values_list("institutional_kpi_id", flat=True)
        self.fields["institutional_kpi"].queryset = InstitutionalKPI.objects.filter(pk__in=kpi_ids)
        self.fields["institutional_kpi"].help_text = _("One of the KPIs they are judged on (step 3).")

    def clean(self):
        data = super().clean()
        key, kpi = data.get("metric_key"), data.get("institutional_kpi")
        if key and self.executive.metrics.filter(metric_key=key, institutional_kpi=kpi).exclude(pk=self.instance.pk):
            raise forms.ValidationError(_("This metric is already mapped to that KPI."))
        return data


class ExecutiveProfileForm(_PartForm):
    class Meta:
        model = ExecutiveProfile
        formfield_callback = _https_urls
        fields = ["platform", "handle", "url", "created_on", "session"]
        widgets = {"created_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = self.executive.sessions.all()


class TrainingSessionForm(_PartForm):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS
    )

    class Meta:
        model = TrainingSession
        fields = ["title", "starts_at", "duration_minutes", "agenda", "materials", "status", "notes"]
        widgets = {"agenda": _rows(4), "materials": _rows(3), "notes": _rows(4)}
        help_texts = {"duration_minutes": gettext_lazy("At most 30 minutes.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No max attribute in the HTML: the browser's own message would hide ours.
        self.fields["duration_minutes"].widget.attrs.pop("max", None)

    def clean_duration_minutes(self):
        minutes = self.cleaned_data.get("duration_minutes")
        try:
            check_session_minutes(minutes)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["duration_minutes"]) from error
        return minutes


class RecurringSessionForm(_PartForm):
    class Meta:
        model = RecurringSession
        fields = [
            "title",
            "frequency",
            "interval",
            "weekday",
            "week_of_month",
            "start_date",
            "time",
            "until",
            "count",
            "duration_minutes",
        ]
        widgets = {
            "start_date": DateInput(),
            "until": DateInput(),
            "time": TimeInput(),
            "frequency": forms.RadioSelect,
        }
        help_texts = {
            "interval": gettext_lazy("1 = every week or month, 2 = every other one…"),
            "until": gettext_lazy("Leave both this and the number of sessions empty for no end."),
            "duration_minutes": gettext_lazy("At most 30 minutes."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].widget.attrs.pop("max", None)

    def clean_duration_minutes(self):
        minutes = self.cleaned_data.get("duration_minutes")
        try:
            check_session_minutes(minutes)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["duration_minutes"]) from error
        return minutes

    def clean(self):
        data = super().clean()
        if data.get("until") and data.get("count"):
            self.add_error("count", _("Give an end date or a number of sessions, not both."))
        if data.get("frequency") == RecurringSession.Frequency.MONTHLY and not data.get("week_of_month"):
            self.add_error("week_of_month", _("For monthly sessions, choose which week of the month."))
        if data.get("until") and data.get("start_date") and data["until"] < data["start_date"]:
            self.add_error("until", _("The series cannot end before it starts."))
        return data


class RecurringNoteForm(forms.ModelForm):
    class Meta:
        model = RecurringNote
        fields = ["date", "text"]
        widgets = {"date": DateInput(), "text": _rows(3)}


# --- 4. Lessons learned -----------------------------------------------------------------------


class LessonForm(forms.ModelForm):
    tags = TagsField()

    class Meta:
        model = Lesson
        fields = ["title", "body", "source_kind", "source_label", "source_url", "tags"]
        widgets = {"body": _rows(6)}


class QuickLessonForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("What did you learn?"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("A little more (optional)"), required=False, widget=_rows(3), max_length=5000
    )
    source_url = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
