"""Optional two-step login with an authenticator app (TOTP, RFC 6238, via pyotp).

Enrolment: /accounts/two-factor/ shows a new secret (QR code and text); the person types a code from
their app to confirm it. From then on, logging in asks for a code after the password: the password
step only remembers who passed it (in the session) and the code step logs them in.
"""

import time

import pyotp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesm.crypto import decrypt_json, encrypt_json
from mesm.models import TwoFactorDevice

PENDING_USER = "mesm_2fa_user"
PENDING_BACKEND = "mesm_2fa_backend"
PENDING_NEXT = "mesm_2fa_next"
PENDING_AT = "mesm_2fa_at"
ENROL_SECRET = "mesm_2fa_new_secret"
# The code step must follow the password step within this many seconds.
PENDING_MAX_AGE = 300


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("Six digits; a new code appears every 30 seconds."),
    )


def _secret(device: TwoFactorDevice) -> str:
    return decrypt_json(device.secret_encrypted).get("secret", "")


def device_for(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _matching_step(secret: str, code: str, *, after: int = 0) -> int | None:
    """The 30-second step the code belongs to (now, or one step either side for clock drift)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        step = totp.timecode(at)
        if step > after and totp.verify(code, for_time=at):
            return step
    return None


@transaction.atomic
def two_factor_verify(*, user, code: str) -> bool:
    """Check a code against the user's confirmed device; each code works once."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(_secret(device), code, after=device.last_step)
    if step is None:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def two_factor_enrol(*, user, secret: str, code: str) -> bool:
    """Confirm a new secret with a code from the app; replaces any earlier device."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    TwoFactorDevice.objects.filter(user=user).delete()
    TwoFactorDevice.objects.create(
        user=user, secret_encrypted=encrypt_json({"secret": secret}), confirmed_at=timezone.now(), last_step=step
    )
    return True


class LoginView(auth_views.LoginView):
    """Django's login; when the person has two-step login on, the code step comes before logging in."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if device_for(user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_USER] = user.pk
        self.request.session[PENDING_BACKEND] = user.backend
        self.request.session[PENDING_NEXT] = self.get_success_url()
        self.request.session[PENDING_AT] = int(time.time())
        return redirect("login-two-factor")


def login_code(request):
    session = request.session
    user_id = session.get(PENDING_USER)
    if not user_id or int(time.time()) - session.get(PENDING_AT, 0) > PENDING_MAX_AGE:
        for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_AT):
            session.pop(key, None)
        messages.error(request, _("Log in again: the code step took too long or was not started."))
        return redirect("login")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    form = CodeForm(request.POST or None)
    form.fields["code"].widget.attrs["autofocus"] = True  # the only thing on this page
    if request.method == "POST" and form.is_valid() and user is not None:
        if two_factor_verify(user=user, code=form.cleaned_data["code"]):
            backend = session.get(PENDING_BACKEND) or settings.AUTHENTICATION_BACKENDS[-1]
            next_url = session.get(PENDING_NEXT) or ""
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_AT):
                session.pop(key, None)
            login(request, user, backend=backend)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
            return redirect(next_url)
        form.add_error("code", _("This code is not right. Check the time on your phone and type the newest code."))
    return render(request, "registration/two_factor_code.html", {"form": form})


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@login_required
def two_factor_setup(request):
    device = device_for(request.user)
    form = CodeForm(request.POST or None)
    if device is not None:
        # Turning it off needs a current code, so a forgotten open session cannot switch it off.
        if request.method == "POST" and form.is_valid():
            if two_factor_verify(user=request.user, code=form.cleaned_data["code"]):
                TwoFactorDevice.objects.filter(user=request.user).delete()
                messages.success(request, _("Two-step login is off."))
                return redirect("two-factor")
            form.add_error("code", _("This code is not right. Type the newest code from your app."))
        return render(request, "registration/two_factor_setup.html", {"form": form, "enabled": True})
    secret = request.session.get(ENROL_SECRET) or pyotp.random_base32()
    request.session[ENROL_SECRET] = secret
    if request.method == "POST" and form.is_valid():
        if two_factor_enrol(user=request.user, secret=secret, code=form.cleaned_data["code"]):
            request.session.pop(ENROL_SECRET, None)
            messages.success(request, _("Two-step login is on. Next time you log in, MESM will ask for a code."))
            return redirect("two-factor")
        form.add_error("code", _("This code is not right. Check the time on your phone and type the newest code."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=request.user.get_username(), issuer_name=settings.OTP_ISSUER)
    context = {"form": form, "enabled": False, "secret": secret, "qr": _qr_svg(uri)}
    return render(request, "registration/two_factor_setup.html", context)
