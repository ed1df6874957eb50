"""Forms for setting up listening: sources, queries and alert rules.

Secrets (platform credentials, the webhook secret) are write-only here: the inputs are never
pre-filled, and a blank input on edit keeps what is stored, so saving a form for another change
never wipes them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from listening.models import SOURCE_KINDS, AlertRule, Query, Source
from listening.query import QueryError, parse
from strategy.forms import OrgModelForm

LANGUAGE_CHOICES = [("es", _("Spanish")), ("en", _("English"))]


def _https_urls(field, **kwargs):
    # Addresses typed without a scheme ("mastodon.social") mean https, as every platform uses it.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SecretInput(forms.PasswordInput):
    """A password input that is never pre-filled and that browsers should not fill with the
    user's own MESM password."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", "spellcheck": "false", **(attrs or {})})


# The credential inputs, the platform each belongs to and its key in ``Source.credentials``
# (the keys the connectors read).
CREDENTIAL_FIELDS = {
    "access_token": "mastodon",
    "identifier": "bluesky",
    "app_password": "bluesky",
    "client_id": "reddit",
    "client_secret": "reddit",
    "api_key": "youtube",
}


def required_credentials(platform: str, kind: str) -> tuple[str, ...]:
    """The credentials without which the connector cannot poll at all (it would only report an error)."""
    if platform == "mastodon" and kind == "search":
        return ("access_token",)
    return {
        "bluesky": ("identifier", "app_password"),
        "reddit": ("client_id", "client_secret"),
        "youtube": ("api_key",),
    }.get(platform, ())


def allowed_kinds_text() -> str:
    """“Mastodon: Hashtag, Account, Search · Bluesky: Search · …”, built from SOURCE_KINDS."""
    return " · ".join(
        f"{Source.Platform(platform).label}: {', '.join(str(Source.Kind(kind).label) for kind in kinds)}"
        for platform, kinds in SOURCE_KINDS.items()
    )


class SourceForm(OrgModelForm):
    access_token = forms.CharField(
        label=_("Mastodon access token"),
        required=False,
        widget=SecretInput(),
        help_text=_(
            "From Preferences → Development → New application on the server (read access is enough). "
            "Needed for searches; hashtags and accounts work without it on most servers."
        ),
    )
    identifier = forms.CharField(
        label=_("Bluesky account"),
        required=False,
        widget=SecretInput(attrs={"autocomplete": "off"}),
        help_text=_("The handle or e-mail of the Bluesky account that searches, e.g. biblioteca.bsky.social."),
    )
    app_password = forms.CharField(
        label=_("Bluesky app password"),
        required=False,
        widget=SecretInput(),
        help_text=_("Create one in Bluesky under Settings → Privacy and security → App passwords."),
    )
    client_id = forms.CharField(
        label=_("Reddit client id"),
        required=False,
        widget=SecretInput(attrs={"autocomplete": "off"}),
        help_text=_("From a “script” app created at reddit.com/prefs/apps."),
    )
    client_secret = forms.CharField(label=_("Reddit client secret"), required=False, widget=SecretInput())
    api_key = forms.CharField(
        label=_("YouTube API key"),
        required=False,
        widget=SecretInput(),
        help_text=_("A key for the YouTube Data API v3 from the Google Cloud console."),
    )
    forget_credentials = forms.BooleanField(
        label=_("Forget the stored credentials"),
        required=False,
        help_text=_("Removes every stored token, key and password of this source."),
    )

    class Meta:
        model = Source
        fields = ["name", "platform", "kind", "target", "base_url", "queries", "interval_minutes", "enabled"]
        formfield_callback = _https_urls
        widgets = {"queries": forms.CheckboxSelectMultiple}
        help_texts = {
            "name": _("A name that says what is followed, e.g. “#bibliotecas on Mastodon”."),
            "target": _(
                "Mastodon hashtag: the tag without # (bibliotecas). Mastodon account: @user@instance. "
                "Search (Mastodon, Bluesky, YouTube, Lemmy): the words to look for. "
                "Reddit: search words, or a subreddit as r/name. Feed: its full address (https://…)."
            ),
            "interval_minutes": _("How often to check for new posts. Platforms limit requests: 15 is a good start."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].help_text = format_lazy("{} {}", _("Allowed kinds per platform:"), allowed_kinds_text())
        stored = self.instance.credentials if self.instance.pk else {}
        self.stored_credentials = stored
        for name in CREDENTIAL_FIELDS:
            if stored.get(name):
                # Say that a value exists without ever showing it.
                self.fields[name].help_text = format_lazy(
                    "{} {}", _("A value is stored; leave blank to keep it."), self.fields[name].help_text
                )
        if not stored:
            del self.fields["forget_credentials"]

    def credential_fields(self):
        """(platform, [bound fields]) groups, for the template's per-platform fieldsets."""
        groups: dict[str, list] = {}
        for name, platform in CREDENTIAL_FIELDS.items():
            groups.setdefault(platform, []).append(self[name])
        return [(platform, Source.Platform(platform).label, fields) for platform, fields in groups.items()]

    def model_fields(self):
        return [self[name] for name in self._meta.fields]

    def clean_target(self):
        return self.cleaned_data["target"].strip()

    def clean(self):
        data = super().clean()
        platform, kind, target = data.get("platform"), data.get("kind"), data.get("target")
        if kind == Source.Kind.HASHTAG and target:
            # People paste the tag as they see it; the connector wants it bare.
            data["target"] = target.lstrip("#").strip()
        if kind == Source.Kind.FEED and target:
            try:
                URLValidator(schemes=["http", "https"])(target)
            except ValidationError:
                self.add_error("target", _("Write the feed's full address, starting with https://."))
        if platform:
            kept = {} if data.get("forget_credentials") else self.stored_credentials
            for name in required_credentials(platform, kind):
                if not data.get(name) and not kept.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        _("Required for this %(platform)s source.") % {"platform": Source.Platform(platform).label},
                    )
        return data

    def save(self, commit=True):
        source = self.instance
        credentials = {} if self.cleaned_data.get("forget_credentials") else dict(self.stored_credentials)
        for name, platform in CREDENTIAL_FIELDS.items():
            value = self.cleaned_data.get(name, "").strip()
            if value:
                credentials[name] = value
            elif platform != source.platform:
                # A secret for another platform is of no use to this source; do not keep it around.
                credentials.pop(name, None)
        source.credentials = credentials
        if source.pk and {"platform", "kind", "target", "base_url"} & set(self.changed_data):
            # The cursor points into the old feed/tag/account: start afresh, and soon.
            source.cursor = {}
            source.next_poll_at = timezone.now()
        return super().save(commit=commit)


class QueryForm(OrgModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keep only mentions in these languages; none ticked keeps every language."),
    )

    class Meta:
        model = Query
        fields = ["name", "expression", "languages", "role"]
        widgets = {
            "expression": forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
        }
        help_texts = {
            "expression": _(
                'Words, "exact phrases", #hashtags and @accounts, combined with AND, OR, NOT (in capitals) '
                "and parentheses. Words side by side mean AND; bibliotec* matches any word that starts so; "
                "accents and capitals do not matter. Example: (biblioteca OR #bibliotecas) Villaverde -empleo"
            ),
            "role": _("Peer queries follow other libraries, to compare the share of voice."),
        }

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Query.objects.filter(org=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("There is already a query with this name."))
        return name


class AlertRuleForm(OrgModelForm):
    forget_webhook_secret = forms.BooleanField(label=_("Remove the stored webhook secret"), required=False)

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "query",
            "threshold",
            "min_mentions",
            "keyword",
            "baseline_days",
            "notify_in_app",
            "email_to",
            "webhook_url",
            "webhook_secret",
            "enabled",
        ]
        formfield_callback = _https_urls
        widgets = {
            "email_to": forms.TextInput(attrs={"autocomplete": "off"}),
            "webhook_secret": SecretInput(),
        }
        help_texts = {
            "kind": _(
                "Volume spike: fires when the mentions of the last hour are N times the hourly average of the "
                "previous days. Negative-sentiment surge: fires when the share of negative mentions in the hour "
                "reaches the threshold. Keyword appears: fires as soon as a new mention matches the keyword."
            ),
            "threshold": _(
                "Volume spike: how many times the usual hourly volume (e.g. 3). "
                "Negative surge: the share of negative mentions between 0 and 1 (0.4 = 40%). "
                "Not used for keywords."
            ),
            "min_mentions": _(
                "Stay quiet in hours with fewer mentions than this, so two angry posts are not a crisis."
            ),
            "keyword": _(
                "Only for “Keyword appears”. Uses the query syntax: words, “phrases”, #hashtags, @accounts, "
                "AND, OR, NOT."
            ),
            "baseline_days": _("Volume spike: how many previous days make the usual hourly average."),
            "webhook_url": _("An address that receives each alert as signed JSON (e.g. a chat integration)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["query"].empty_label = _("All mentions")
        self.has_stored_secret = bool(self.instance.pk and self.instance.webhook_secret)
        self.fields["webhook_secret"].help_text = (
            _("A value is stored; leave blank to keep it. Used to sign each delivery (X-MESM-Signature header).")
            if self.has_stored_secret
            else _("Optional. Used to sign each delivery (X-MESM-Signature header).")
        )
        if not self.has_stored_secret:
            del self.fields["forget_webhook_secret"]

    def clean_webhook_secret(self):
        value = self.cleaned_data["webhook_secret"].strip()
        if not value and self.has_stored_secret:
            return self.instance.webhook_secret
        return value

    def clean_email_to(self):
        value = self.cleaned_data["email_to"]
        addresses = [address.strip() for address in value.replace(";", ",").split(",") if address.strip()]
        field = forms.EmailField()
        for address in addresses:
            try:
                field.clean(address)
            except ValidationError as error:
                raise ValidationError(
                    _("“%(address)s” is not an e-mail address."), params={"address": address}
                ) from error
        return ", ".join(addresses)

    def clean(self):
        data = super().clean()
        if data.get("forget_webhook_secret"):
            data["webhook_secret"] = ""
        keyword = (data.get("keyword") or "").strip()
        if keyword and data.get("kind") == AlertRule.Kind.KEYWORD:
            try:
                parse(keyword)
            except QueryError as error:
                # add_error drops the field from cleaned_data, so the model would then see no
                # keyword at all and add "write the keyword" too; give it the text it was given.
                self.instance.keyword = keyword
                self.add_error("keyword", error.message)
        return data
