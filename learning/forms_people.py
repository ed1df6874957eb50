"""Forms of the people half of stage 5: surveys, staff, talks, policy, discussion group, ideas, experiments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learning.models import (
    DiscussionGroup,
    Experiment,
    GroupMeeting,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    SurveyQuestion,
    Talk,
    ThinkTankIdea,
    ThinkTankSession,
)
from strategy.forms import DateInput, OrgModelForm
from strategy.forms_calendar import DateTimeInput
from strategy.models import PlannedPost, Platform, Tier

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def _user_label(user) -> str:
    return user.get_full_name() or user.username


# --- surveys ---------------------------------------------------------------------------------------------------------


class SurveyForm(OrgModelForm):
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        required=False,
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
        help_text=_("Empty: open from now. In the organisation's time zone."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
        help_text=_("Empty: open until you close it."),
    )

    class Meta:
        model = Survey
        fields = ["title", "intro", "language", "access", "opens_at", "closes_at", "thanks_message"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "thanks_message": forms.Textarea(attrs={"rows": 2}),
            "access": forms.RadioSelect(),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("language", org.language)


SCALE_CHOICES = [("1-5", _("1 to 5")), ("0-10", _("0 to 10"))]


class OptionsField(forms.CharField):
    """One option per line, stored as a list."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class QuestionForm(forms.ModelForm):
    options = OptionsField(
        label=_("Options"),
        required=False,
        help_text=_("For choice questions: one option per line."),
    )
    scale = forms.ChoiceField(
        label=_("Scale"), choices=SCALE_CHOICES, required=False, help_text=_("For scale questions.")
    )

    class Meta:
        model = SurveyQuestion
        fields = ["text", "help_text", "kind", "required", "options", "scale_min_label", "scale_max_label"]
        widgets = {"kind": forms.RadioSelect()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].initial = f"{self.instance.scale_min}-{self.instance.scale_max}"
        self.order_fields(["text", "help_text", "kind", "required", "options", "scale"])

    def clean(self):
        data = super().clean()
        low, high = (data.get("scale") or "1-5").split("-")
        self.instance.scale_min, self.instance.scale_max = int(low), int(high)
        return data

    def _post_clean(self):
        super()._post_clean()
        # The model clean() says which kind-specific field is wrong; map its "scale_max" to the visible field.
        if "scale_max" in self.errors:
            self.add_error("scale", self.errors.pop("scale_max"))


# --- staff -----------------------------------------------------------------------------------------------------------

STAFF_PLATFORMS = [(value, label) for value, label in Platform.choices if value != Platform.OTHER]


class StaffMemberForm(OrgModelForm):
    lists = forms.ModelMultipleChoiceField(
        label=_("Lists"), queryset=StaffList.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StaffMember
        fields = ["name", "department", "email", "member", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        self.fields["lists"].queryset = StaffList.objects.filter(org=org)
        if self.instance.pk:
            self.initial["lists"] = list(self.instance.lists.values_list("pk", flat=True))
        self.fields["member"].label_from_instance = _user_label
        for value, label in STAFF_PLATFORMS:
            self.fields[f"handle_{value}"] = forms.CharField(
                label=label, required=False, max_length=200, initial=(self.instance.handles or {}).get(value, "")
            )

    @property
    def handle_fields(self):
        return [self[f"handle_{value}"] for value, _label in STAFF_PLATFORMS]

    @property
    def main_fields(self):
        return [self[name] for name in ["name", "department", "email", "member"]]

    def clean_member(self):
        member = self.cleaned_data.get("member")
        if member:
            clash = StaffMember.objects.filter(org=self.org, member=member).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("This account is already linked to “%(name)s”.") % {"name": clash[0]})
        return member

    def save(self, commit=True):
        handles = {value: self.cleaned_data.get(f"handle_{value}", "").strip() for value, _label in STAFF_PLATFORMS}
        # Handles on platforms this form does not show (e.g. imported ones) are kept.
        kept = {k: v for k, v in (self.instance.handles or {}).items() if k not in handles}
        self.instance.handles = {**kept, **{k: v for k, v in handles.items() if v}}
        person = super().save(commit=commit)
        if commit:
            person.lists.set(self.cleaned_data["lists"])
        return person


class StaffListForm(OrgModelForm):
    class Meta:
        model = StaffList
        fields = ["name", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "members": forms.CheckboxSelectMultiple}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if StaffList.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already a list with this name."))
        return name


class TalkForm(OrgModelForm):
    class Meta:
        model = Talk
        fields = ["date", "topic", "speaker", "audience", "attendance", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 6})}


class PolicyVersionForm(OrgModelForm):
    make_current = forms.BooleanField(
        label=_("Make it the current version now"),
        required=False,
        initial=True,
        help_text=_("Everyone will be asked to acknowledge it."),
    )

    class Meta:
        model = PolicyVersion
        fields = ["title", "label", "effective_on", "body", "summary_of_changes"]
        widgets = {
            "effective_on": DateInput(),
            "body": forms.Textarea(attrs={"rows": 16, "class": "mono"}),
            "summary_of_changes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        if self.instance.pk:
            del self.fields["make_current"]


class StaffAcknowledgementForm(forms.Form):
    staff_member = forms.ModelChoiceField(label=_("Staff member"), queryset=StaffMember.objects.none())

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = StaffMember.objects.filter(org=org, member__isnull=True)


# --- exploring trends ------------------------------------------------------------------------------------------------


class DiscussionGroupForm(OrgModelForm):
    class Meta:
        model = DiscussionGroup
        fields = ["name", "purpose", "meeting_place", "cadence", "members"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3}), "members": forms.CheckboxSelectMultiple}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if DiscussionGroup.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already a group with this name."))
        return name


class GroupMeetingForm(forms.ModelForm):
    class Meta:
        model = GroupMeeting
        fields = ["date", "topic", "attendance", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}


class ThinkTankSessionForm(OrgModelForm):
    class Meta:
        model = ThinkTankSession
        fields = ["title", "date", "question", "group", "notes"]
        widgets = {
            "date": DateInput(),
            "question": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class ThinkTankIdeaForm(OrgModelForm):
    class Meta:
        model = ThinkTankIdea
        fields = ["title", "kind", "description", "session", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "kind": forms.RadioSelect()}


class ExperimentForm(OrgModelForm):
    class Meta:
        model = Experiment
        fields = ["title", "post", "tier", "date", "hypothesis", "what_tried", "result", "lesson_learned"]
        widgets = {
            "date": DateInput(),
            "tier": forms.RadioSelect(),
            "hypothesis": forms.Textarea(attrs={"rows": 3}),
            "what_tried": forms.Textarea(attrs={"rows": 3}),
            "result": forms.Textarea(attrs={"rows": 3}),
            "lesson_learned": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"tier": _("When you choose a post, its tier is used.")}

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        posts = PlannedPost.objects.filter(org=org, tier__in=[Tier.MODERATE, Tier.RADICAL])
        self.fields["post"].queryset = posts.select_related("profile").order_by("-scheduled_at", "-id")
        self.fields["post"].label_from_instance = lambda post: (
            f"{post.scheduled_at:%Y-%m-%d} · {post}" if post.scheduled_at else str(post)
        )
        self.fields["tier"].required = False

    def clean(self):
        data = super().clean()
        post = data.get("post")
        if post is not None:
            # The post's tier wins: an experiment entry cannot disagree with the calendar.
            data["tier"] = post.tier
        elif not data.get("tier") and "tier" not in self.errors:
            self.add_error("tier", _("Choose the tier of the experiment, or a post of the calendar."))
        return data
