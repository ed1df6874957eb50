"""Small helpers shared by the work-half pages."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def safe_back(request, value: str | None) -> str:
    """A local path to return to, or "" when ``value`` is missing or points elsewhere."""
    value = (value or "").strip()
    if not value or not value.startswith("/") or value.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host(), *settings.ALLOWED_HOSTS}):
        return ""
    return value


def page_status(request, form) -> int:
    """400 for a POST whose form has errors (plain pages); htmx swaps only 2xx, so it gets 200."""
    if request.method == "POST" and form is not None and form.errors and not request.htmx:
        return 400
    return 200
