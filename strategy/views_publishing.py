"""Publishing pages: a profile's connection for automatic publishing (administrators), and on a
post (editors): mark it published by hand, or retry a publication that failed.

The secrets are write-only: the inputs are never filled in, the page only says when they were
saved, and a blank input keeps what is stored.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from listening.forms import SecretInput
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view
from strategy import publishing, tasks
from strategy.models import AUTO_PUBLISH_PLATFORMS, PlannedPost, Platform, Profile

# The credential inputs of each platform, and which of them are secret (never shown again).
PLATFORM_CREDENTIALS = {Platform.MASTODON: ("access_token",), Platform.BLUESKY: ("identifier", "app_password")}
SECRET_FIELDS = ("access_token", "app_password")


def _https_urls(field, **kwargs):
    # "mastodon.social" typed without a scheme means https, as every platform uses it.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ProfilePublishingForm(forms.ModelForm):
    access_token = forms.CharField(
        label=gettext_lazy("Access token"),
        required=False,
        widget=SecretInput(),
        help_text=gettext_lazy(
            "On the Mastodon server: Preferences → Development → New application, with the scopes "
            "write:statuses, write:media and read:accounts. Copy “Your access token”."
        ),
    )
    identifier = forms.CharField(
        label=gettext_lazy("Bluesky account"),
        required=False,
        max_length=253,
        help_text=gettext_lazy("The account's handle or e-mail, e.g. biblioteca.bsky.social."),
    )
    app_password = forms.CharField(
        label=gettext_lazy("App password"),
        required=False,
        widget=SecretInput(),
        help_text=gettext_lazy(
            "In Bluesky: Settings → Privacy and security → App passwords. Never use the account's own password."
        ),
    )

    class Meta:
        model = Profile
        fields = ["api_base_url", "char_limit"]
        formfield_callback = _https_urls

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.stored = profile.credentials
        self.automatic_platform = profile.platform in AUTO_PUBLISH_PLATFORMS
        own = PLATFORM_CREDENTIALS.get(profile.platform, ())
        for name in ("access_token", "identifier", "app_password"):
            if name not in own:
                del self.fields[name]
        if not self.automatic_platform:
            del self.fields["api_base_url"]
        else:
            self.fields["api_base_url"].widget.attrs["placeholder"] = (
                "https://bsky.social" if profile.platform == Platform.BLUESKY else "https://mastodon.social"
            )
        if "identifier" in self.fields:
            self.fields["identifier"].initial = self.stored.get("identifier", "")
        for name in SECRET_FIELDS:
            if name in self.fields and self.stored.get(name):
                self.fields[name].help_text = _("A value is saved; leave this blank to keep it. %(help)s") % {
                    "help": self.fields[name].help_text
                }

    def credential_fields(self):
        return [self[name] for name in ("access_token", "identifier", "app_password") if name in self.fields]

    def clean(self):
        data = super().clean()
        if not self.automatic_platform:
            return data
        identifier = (data.get("identifier") or "").strip().lstrip("@")
        password = (data.get("app_password") or "").strip()
        token = (data.get("access_token") or "").strip()
        if "identifier" in self.fields:
            if password and not identifier:
                self.add_error("identifier", _("Write the Bluesky account this app password belongs to."))
            changed_account = identifier and identifier != self.stored.get("identifier")
            if changed_account and not password:
                self.add_error("app_password", _("Write the app password of this account."))
        typed_secret = bool(token or password)
        if typed_secret and not data.get("api_base_url"):
            self.add_error("api_base_url", _("Write the server address where these credentials work."))
        data["identifier"] = identifier
        return data

    def typed_credentials(self) -> dict[str, str]:
        typed = {name: self.cleaned_data.get(name, "") for name in ("access_token", "identifier", "app_password")}
        if typed.get("identifier") == self.stored.get("identifier") and not typed.get("app_password"):
            typed.pop("identifier")  # unchanged account, no new password: nothing to save
        return {name: value for name, value in typed.items() if value}


@org_view(Role.ADMIN)
def profile_publishing(request, pk):
    """Where and how an owned profile publishes; POST ``action`` = save (default), test or remove."""
    profile = get_scoped_or_404(Profile, request.org, pk=pk)
    here = reverse("strategy-profile-publishing", kwargs={"org_slug": request.org.slug, "pk": profile.pk})
    form = ProfilePublishingForm(instance=profile)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "test":
            worked, message = publishing.profile_connection_test(profile=profile)
            (messages.success if worked else messages.error)(request, message)
            return redirect(here)
        if action == "remove":
            publishing.profile_credentials_remove(profile=profile)
            messages.success(
                request, _("The credentials were removed. Posts of this profile are now published by hand.")
            )
            return redirect(here)
        form = ProfilePublishingForm(request.POST, instance=Profile.objects.get(pk=profile.pk))
        if form.is_valid():
            with transaction.atomic():
                publishing.profile_publishing_update(
                    profile=form.instance,
                    api_base_url=form.cleaned_data.get("api_base_url", ""),
                    char_limit=form.cleaned_data.get("char_limit"),
                    credentials=form.typed_credentials(),
                )
            messages.success(request, _("The publishing settings of “%(profile)s” were saved.") % {"profile": profile})
            return redirect(here)
    return render(
        request,
        "strategy/publishing/profile.html",
        {
            "profile": profile,
            "form": form,
            "automatic_platform": profile.platform in AUTO_PUBLISH_PLATFORMS,
            "saved_at": publishing.credentials_saved_at(profile),
            "account": profile.credentials.get("identifier", ""),
        },
    )


def _reply(request, post: PlannedPost, worked: bool, text: str):
    """Back to the post page with the outcome as a message. Under htmx a refusal swaps the panel in
    place with the reason (htmx only swaps 2xx answers), and a success reloads the whole page, whose
    status, workflow and history all changed."""
    detail = reverse("strategy-post-detail", kwargs={"org_slug": request.org.slug, "pk": post.pk})
    if request.htmx and not worked:
        post = PlannedPost.objects.select_related("profile", "org").get(pk=post.pk)
        context = {"post": post, "org": request.org, "can_edit": request.membership.can_edit, "notice": text}
        return render(request, "strategy/publishing/_panel.html", context)
    (messages.success if worked else messages.error)(request, text)
    return HttpResponseClientRedirect(detail) if request.htmx else redirect(detail)


@require_POST
@org_view(Role.EDITOR)
def post_mark_published(request, pk):
    post = get_scoped_or_404(PlannedPost.objects.select_related("profile"), request.org, pk=pk)
    try:
        publishing.post_mark_published(post=post, url=request.POST.get("url", ""), by=request.user)
    except ValidationError as error:
        return _reply(request, post, False, " ".join(error.messages))
    return _reply(request, post, True, _("The post is marked as published."))


@require_POST
@org_view(Role.EDITOR)
def post_publish_retry(request, pk):
    post = get_scoped_or_404(PlannedPost.objects.select_related("profile"), request.org, pk=pk)
    try:
        publishing.post_publish_retry(post=post)
    except ValidationError as error:
        return _reply(request, post, False, " ".join(error.messages))
    transaction.on_commit(lambda: tasks.publish_post.delay(post.pk))
    return _reply(request, post, True, _("We are trying to publish it again now."))
