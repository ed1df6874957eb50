import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from mesm.models import Organization, Role

COMMON_TIMEZONES = sorted(
    tz
    for tz in zoneinfo.available_timezones()
    if tz.startswith(("Europe/", "America/", "Atlantic/", "Africa/", "Pacific/", "Asia/")) or tz == "UTC"
)


class OrganizationForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("time zone"), choices=[(tz, tz) for tz in COMMON_TIMEZONES], initial="Europe/Madrid"
    )

    class Meta:
        model = Organization
        fields = ["name", "slug", "timezone", "language"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email")
