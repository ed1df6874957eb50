"""Tenancy: every request inside /o/<org_slug>/ or /api/v1/orgs/<org_slug>/ is scoped here.

``scoped()`` is the one helper that filters a queryset to the request's organisation, so an
object of another organisation is simply not found (404) — never a 403, never a leak.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from mesm.models import Membership, Organization, Role


def access_membership(user, org_slug: str) -> Membership:
    """Return the user's membership in the organisation, or 404 if they are not a member."""
    if not user.is_authenticated:
        raise Http404
    membership = Membership.objects.select_related("org").filter(user=user, org__slug=org_slug).first()
    if membership is None:
        raise Http404
    return membership


def scoped(queryset: QuerySet | type[Model], org: Organization) -> QuerySet:
    """Filter a queryset (or a model's default manager) to one organisation."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return queryset.filter(org=org)


def get_scoped_or_404(queryset, org: Organization, **lookup):
    return get_object_or_404(scoped(queryset, org), **lookup)


def bind_request_to_org(request, org_slug: str, role: str = Role.VIEWER, *, org_language: bool = True) -> Membership:
    """Attach org and membership to the request, activate its time zone, check the role.

    With ``org_language``, pages speak the organisation's default language until the user picks
    one with the language switcher (the API follows ``Accept-Language`` instead).
    """
    membership = access_membership(request.user, org_slug)
    request.org = membership.org
    request.membership = membership
    timezone.activate(membership.org.zoneinfo)
    if org_language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(membership.org.language)
        request.LANGUAGE_CODE = membership.org.language
    if not membership.has_role(role):
        raise PermissionDenied
    return membership


def org_view(role: str = Role.VIEWER, *, write_role: str | None = None):
    """Decorator for function views under /o/<org_slug>/.

    ``role`` is needed for any request; ``write_role`` (if given) for unsafe methods.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = write_role if write_role and request.method not in ("GET", "HEAD", "OPTIONS") else role
            bind_request_to_org(request, org_slug, needed)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class OrgMixin:
    """Class-based-view version of ``org_view``: viewers read, ``write_role`` changes."""

    read_role = Role.VIEWER
    write_role = Role.EDITOR

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        org_slug = kwargs.pop("org_slug")
        needed = self.read_role if request.method in ("GET", "HEAD", "OPTIONS") else self.write_role
        bind_request_to_org(request, org_slug, needed)
        self.org = request.org
        self.membership = request.membership
        return super().dispatch(request, *args, **kwargs)
