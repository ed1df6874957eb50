"""Login throttling and the checks on outgoing addresses (no SSRF through webhooks or feed URLs)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKOUT_STATUS = 429


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lockout check for web and API logins.

    An authentication without a request (a management command, the shell, a test client's
    ``login()``) is not a login over the network, so there is nothing to throttle: pass it on.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: a plain page, or the API's error format under /api/."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    message = _(
        "Too many failed attempts to log in. For your safety, logging in is paused for %(minutes)s minutes. "
        "Wait and try again, or ask an administrator to reset your password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "too_many_attempts", "message": message, "fields": {}}}, status=LOCKOUT_STATUS
        )
    else:
        response = render(request, "registration/lockout.html", {"message": message}, status=LOCKOUT_STATUS)
    response["Retry-After"] = str(minutes * 60)
    return response


class RejectNulMiddleware:
    """A NUL character in the query string is answered with a plain 400 before any view runs.

    PostgreSQL cannot store or compare text containing NUL, so a search box given ``%00`` would
    otherwise fail inside the database. Forms and the API's serializers already refuse NUL in
    submitted fields; this covers every query-string parameter of every page and endpoint.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return bad_request_response(
                request,
                _("The address contains an invisible control character that cannot be used. Remove it and try again."),
            )
        return self.get_response(request)


def bad_request_response(request, message: str):
    """A 400 in plain words: the API's error format under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "invalid_request", "message": message, "fields": {}}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_outbound_url(url: str) -> None:
    """Raise ValidationError when the URL is not http(s) or its host resolves to a private address.

    Private, loopback, link-local (cloud metadata) and reserved addresses are refused unless the
    ALLOW_PRIVATE_OUTBOUND setting is on. Every address the name resolves to is checked.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(_("Use an address that starts with http:// or https://."))
    if settings.ALLOW_PRIVATE_OUTBOUND:
        return
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(_("The address %(host)s could not be found.") % {"host": host}) from error
    for info in infos:
        if _is_private(info[4][0]):
            raise ValidationError(
                _("%(host)s is a private or local address; MESM does not send requests there.") % {"host": host}
            )
