"""Forms of the content calendar: posts (with their media), ideas, filters and calendar settings."""

import mimetypes
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.forms import OrgModelForm
from strategy.models import (
    Audience,
    Campaign,
    ConversationIdea,
    ConversationSettings,
    Objective,
    PlannedPost,
    PostMedia,
    PostStatus,
    Profile,
    Tier,
)

MAX_MEDIA_BYTES = 40 * 1024 * 1024
MEDIA_TYPES = ("image/", "video/")


def media_type_of(name: str) -> str | None:
    """The image or video type a stored file is served as, from its name; None for anything else.

    SVG is an image that can carry scripts, so it is not accepted (nor served inline).
    """
    guessed = mimetypes.guess_type(name)[0] or ""
    return guessed if guessed.startswith(MEDIA_TYPES) and guessed != "image/svg+xml" else None


def is_media_upload(upload) -> bool:
    """Both the type the browser declared and the file's name say image or video.

    The declared type alone is the client's word: "page.html" sent as image/png would later be served
    as a web page from our own address.
    """
    declared = getattr(upload, "content_type", "") or ""
    return declared.startswith(MEDIA_TYPES) and media_type_of(upload.name or "") is not None


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PostForm(OrgModelForm):
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("In the organisation's time zone."),
    )

    class Meta:
        model = PlannedPost
        fields = [
            "profile",
            "scheduled_at",
            "text",
            "link",
            "hashtags",
            "tier",
            "hypothesis",
            "owner",
            "objective",
            "campaign",
            "audience",
            "idea",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6, "data-counter": "text"}),
            "hypothesis": forms.Textarea(attrs={"rows": 3}),
            "tier": forms.RadioSelect(),
        }
        help_texts = {
            "tier": _(
                "Proven: what already works (70% of posts). Moderate: a small change to test (20%). "
                "Radical: something really different (10%)."
            ),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        self.fields["profile"].label_from_instance = lambda profile: str(profile)
        self.fields["idea"].queryset = ConversationIdea.objects.filter(org=org).exclude(status="discarded")

    def clean(self):
        data = super().clean()
        tier = data.get("tier")
        if tier in (Tier.MODERATE, Tier.RADICAL) and not (data.get("hypothesis") or "").strip():
            self.add_error(
                "hypothesis",
                _("An experiment needs a hypothesis: what you expect to happen and how you will know."),
            )
        return data


class MediaForm(forms.ModelForm):
    class Meta:
        model = PostMedia
        fields = ["file", "alt_text"]
        widgets = {"alt_text": forms.Textarea(attrs={"rows": 2})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            if upload.size > MAX_MEDIA_BYTES:
                raise forms.ValidationError(_("The file is larger than 40 MB."))
            if not is_media_upload(upload):
                raise forms.ValidationError(_("Attach an image or a video."))
        return upload

    def clean(self):
        data = super().clean()
        if (data.get("file") or self.instance.pk) and not (data.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Describe the image or video for people who cannot see it (alt text)."))
        return data


class BaseMediaFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or (self.can_delete and self._should_delete_form(form)):
                continue
            if not form.cleaned_data.get("file") and not form.instance.pk:
                form.add_error("file", _("Choose the file, or leave the description empty."))


MediaFormSet = forms.inlineformset_factory(
    PlannedPost, PostMedia, form=MediaForm, formset=BaseMediaFormSet, extra=1, max_num=4, can_delete=True
)


class IdeaForm(OrgModelForm):
    class Meta:
        model = ConversationIdea
        fields = ["title", "angle", "audience", "objective", "trend", "notes", "status"]
        widgets = {"angle": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}


class CalendarFilterForm(forms.Form):
    """Filters shared by the month, week and list views (all optional)."""

    profile = forms.ModelChoiceField(queryset=Profile.objects.none(), required=False, label=_("Profile"))
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label=_("Campaign"))
    objective = forms.ModelChoiceField(queryset=Objective.objects.none(), required=False, label=_("Objective"))
    audience = forms.ModelChoiceField(queryset=Audience.objects.none(), required=False, label=_("Audience"))
    tier = forms.ChoiceField(choices=[("", _("All tiers")), *Tier.choices], required=False, label=_("Tier"))
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *PostStatus.choices], required=False, label=_("Status")
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.filter(org=org, archived_at__isnull=True)
        self.fields["campaign"].queryset = Campaign.objects.filter(org=org, archived_at__isnull=True)
        self.fields["objective"].queryset = Objective.objects.filter(org=org, archived_at__isnull=True)
        self.fields["audience"].queryset = Audience.objects.filter(org=org, archived_at__isnull=True)
        for name in ("profile", "campaign", "objective", "audience"):
            self.fields[name].empty_label = _("All")

    def apply(self, posts):
        if not self.is_valid():
            return posts
        data = self.cleaned_data
        for name in ("profile", "campaign", "objective", "audience"):
            if data.get(name):
                posts = posts.filter(**{name: data[name]})
        if data.get("tier"):
            posts = posts.filter(tier=data["tier"])
        if data.get("status"):
            posts = posts.filter(status=data["status"])
        return posts

    def query_string(self) -> str:
        if not self.is_valid():
            return ""
        from urllib.parse import urlencode

        values = {}
        for name, value in self.cleaned_data.items():
            if value:
                values[name] = value.pk if hasattr(value, "pk") else value
        return urlencode(values)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    profile = forms.ModelChoiceField(queryset=Profile.objects.none(), required=False, label=_("Profile"))

    def __init__(self, *args, org, default_start: date, default_end: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.filter(org=org, archived_at__isnull=True)
        self.fields["profile"].empty_label = _("All profiles")
        self.default_start, self.default_end = default_start, default_end

    def clean(self):
        data = super().clean()
        start, end = data.get("start") or self.default_start, data.get("end") or self.default_end
        if end < start:
            raise forms.ValidationError(_("The end date cannot be before the start date."))
        if (end - start).days > 731:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        data["start"], data["end"] = start, end
        return data


class CalendarSettingsForm(forms.ModelForm):
    class Meta:
        model = ConversationSettings
        fields = ["tier_tolerance", "require_second_reviewer"]

    def clean_tier_tolerance(self):
        value = self.cleaned_data["tier_tolerance"]
        if value > 50:
            raise forms.ValidationError(_("Choose a tolerance between 0 and 50 points."))
        return value
