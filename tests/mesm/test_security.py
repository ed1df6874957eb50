"""Web security: deploy check, headers and CSP, no inline script, CSRF with htmx, login throttling,
session and password settings, two-step login."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from mesm.models import TwoFactorDevice
from tests.factories import PASSWORD

ROOT = Path(settings.BASE_DIR)


def _deploy_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO_SETTINGS", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="mesm.example.org",
        DJANGO_SETTINGS_MODULE="mesm.settings",
        **extra,
    )
    return env


def test_it_passes_the_deploy_check_with_production_settings():
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_deploy_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = _deploy_env()
    del env["SECRET_KEY"]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_reads_the_proxy_header_from_the_environment():
    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    for value, expected in [
        (None, "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("HTTP_X_FORWARDED_SSL=on", "('HTTP_X_FORWARDED_SSL', 'on')"),
        ("", "None"),
    ]:
        env = _deploy_env() if value is None else _deploy_env(SECURE_PROXY_SSL_HEADER=value)
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.django_db
def test_it_sends_the_security_headers_on_a_page(client_for, org, viewer):
    response = client_for(viewer).get(f"/o/{org.slug}/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def _template_files():
    roots = [ROOT / "templates"] + [
        ROOT / app / "templates" for app in ("mesm", "strategy", "listening", "metrics", "learning")
    ]
    for root in roots:
        if root.exists():
            yield from root.rglob("*.html")


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def test_no_template_contains_inline_executable_script():
    problems = []
    checked = 0
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        checked += 1
        for match in SCRIPT_TAG.finditer(text):
            attrs = match.group(1)
            if "src=" in attrs or re.search(r"type=[\"']application/(ld\+)?json[\"']", attrs):
                continue
            problems.append(f"{path.relative_to(ROOT)}: inline <script{attrs}>")
        for match in INLINE_HANDLER.finditer(text):
            problems.append(f"{path.relative_to(ROOT)}: inline handler {match.group(1)}=")
        if "javascript:" in text:
            problems.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert checked > 50
    assert problems == []


@pytest.mark.django_db
def test_it_renders_htmx_and_page_scripts_as_files_only(client_for, org, viewer):
    html = client_for(viewer).get(f"/o/{org.slug}/").content.decode()
    tags = SCRIPT_TAG.findall(html)
    assert tags, "the page loads htmx and mesm.js"
    for attrs in tags:
        assert "src=" in attrs or "application/json" in attrs, attrs
    assert "/static/js/mesm.js" in html


@pytest.mark.django_db
def test_it_refuses_an_htmx_post_without_the_csrf_token(org, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get(f"/o/{org.slug}/members/")
    token = page.cookies["csrftoken"].value
    # base.html makes htmx send the token with every request.
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.content.decode()
    url = f"/o/{org.slug}/members/"
    data = {"email": "nueva@example.org", "role": "viewer"}
    refused = client.post(url, data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code in (200, 302)
    assert org.invitations.filter(email="nueva@example.org").count() == 1


@pytest.mark.django_db
def test_it_locks_out_password_guessing_with_a_plain_page(admin_user):
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": admin_user.username, "password": "wrong-guess"})
        assert response.status_code == 200  # the form again, with its error
    # The failure that reaches the limit already gets the lockout page.
    response = client.post("/accounts/login/", {"username": admin_user.username, "password": "wrong-guess"})
    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username=admin_user.username).get().failures_since_start == 5
    # Even the right password is refused now, with a page that says why in plain words.
    locked = client.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts to log in" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Someone else can still log in.
    other = admin_user.__class__.objects.create_user("otra", password=PASSWORD)
    ok = client.post("/accounts/login/", {"username": other.username, "password": PASSWORD})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_speaks_spanish_by_default(admin_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/accounts/login/", {"username": admin_user.username, "password": "mal"})
    assert response.status_code == 429
    assert '<html lang="es">' in response.content.decode()


@pytest.mark.django_db
def test_it_locks_out_the_api_token_endpoint_too(api_for, admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": admin_user.username, "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": admin_user.username, "password": PASSWORD}, format="json")
    assert response.status_code in (400, 429)
    assert "token" not in response.json()


def test_sessions_expire_and_password_validators_are_on():
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    for weak in ["12345678", "password", "corto"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("una-frase-larga-de-biblioteca")


# --- Two-step login -------------------------------------------------------------------------------


def _enrol(client, user):
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode()).group(1)
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code
    response = client.post("/accounts/two-factor/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


@pytest.mark.django_db
def test_it_enrols_an_admin_and_asks_for_a_code_at_login(client_for, admin_user):
    client = client_for(admin_user)
    wrong = client.post("/accounts/two-factor/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not TwoFactorDevice.objects.filter(user=admin_user).exists()
    secret = _enrol(client, admin_user)
    device = TwoFactorDevice.objects.get(user=admin_user)
    assert device.confirmed_at is not None
    assert secret not in device.secret_encrypted  # encrypted at rest

    fresh = Client()
    step1 = fresh.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD})
    assert step1.status_code == 302 and step1["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in fresh.session  # not logged in after the password alone
    refused = fresh.post("/accounts/login/code/", {"code": "123456"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in fresh.session
    # A code of the current step was used at enrolment and cannot be replayed; take the next one.
    totp = pyotp.TOTP(secret)
    import time

    code = totp.at(time.time() + totp.interval)
    done = fresh.post("/accounts/login/code/", {"code": code})
    assert done.status_code == 302
    assert fresh.session["_auth_user_id"] == str(admin_user.pk)
    # The same code does not work twice.
    again = Client()
    again.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD})
    replay = again.post("/accounts/login/code/", {"code": code})
    assert replay.status_code == 200
    assert "_auth_user_id" not in again.session


@pytest.mark.django_db
def test_the_code_step_cannot_be_skipped(admin_user):
    client = Client()
    response = client.get("/accounts/login/code/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    response = client.post("/accounts/login/code/", {"code": "123456"})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_people_without_two_step_login_log_in_with_the_password(admin_user):
    client = Client()
    response = client.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)
