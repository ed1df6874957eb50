"""The pages to check, found from the URL conf (a new page is checked without anyone listing it).

Every URL pattern outside the API and the Django admin is filled with real objects of the
organisation (the first row of the model its ``<pk>`` names, as tests/mesm/test_tenancy.py knows
it) and fetched once with Django's test client as an administrator. Only what answers 200 with a
whole HTML document is a page: POST-only actions (405), redirects, downloads (CSV, PDF, iCalendar,
XLSX…: another content type) and htmx fragments (no ``<html>``) are left out by what they answer,
not by a list.
"""

import re

from django.core.exceptions import FieldError
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mesm.models import Organization
from strategy.views import ARCHIVABLE
from tests.mesm.test_tenancy import EXTRA_KWARGS, model_of

ROUTE_ARG = re.compile(r"<(?:\w+:)?(\w+)>")
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "jsi18n/", "healthz")
CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]+|("csrfToken":\s*")[^"]+|(csrf[-_]?token[^>]*?content=")[^"]+'
)


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _org_path(model, depth=0):
    """The lookup from ``model`` to its Organization ("org", "survey__org", …), or None."""
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is Organization:
            return field.name
    if depth < 2:
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is not model:
                sub = _org_path(field.related_model, depth + 1)
                if sub:
                    return f"{field.name}__{sub}"
    return None


def first_of(model, org):
    path = _org_path(model)
    if path is None:
        return None
    try:
        return model._default_manager.filter(**{path: org}).order_by("pk").first()
    except FieldError:
        return None


def _token_object(name, org):
    from learning.models import Survey
    from mesm.models import Invitation

    if name.startswith("learning-survey"):
        surveys = list(Survey.objects.filter(org=org).order_by("pk"))
        return next((s for s in surveys if s.is_open), surveys[0] if surveys else None)
    if name == "invitation-accept":
        return Invitation.objects.filter(org=org).order_by("pk").first()
    return None


def _kwargs(route, entry, org):
    """Yield (label, kwargs) for every way the pattern can be filled; (label, None) if it cannot."""
    groups = set(ROUTE_ARG.findall(route))
    base = {"org_slug": org.slug} if "org_slug" in groups else {}
    base.update({k: v for k, v in EXTRA_KWARGS.items() if k in groups and k != "media_pk"})
    if "token" in groups:
        obj = _token_object(entry.name, org)
        yield entry.name, ({**base, "token": obj.token} if obj is not None else None)
        return
    if "pk" not in groups:
        unknown = groups - set(base)
        yield entry.name, (None if unknown else base)
        return
    model = model_of(entry)
    kinds = ARCHIVABLE.items() if model == "by-kind" else [(None, model)]
    for kind, kind_model in kinds:
        obj = first_of(kind_model, org) if kind_model else None
        label = f"{entry.name}:{kind}" if kind else entry.name
        if obj is None:
            yield label, None
            continue
        kwargs = {**base, "pk": obj.pk, **({"kind": kind} if kind else {})}
        yield label, (None if groups - set(kwargs) else kwargs)


def candidate_urls(org):
    """(label, url) for every GET-able route; (label, None) for those with nothing to fill them."""
    seen = set()
    for route, entry in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or not entry.name or "format" in entry.pattern.regex.groupindex:
            continue
        callback = entry.callback
        if hasattr(callback, "cls") or hasattr(callback, "initkwargs") and "api" in route:
            continue  # DRF views
        for label, kwargs in _kwargs(route, entry, org):
            if kwargs is None:
                yield label, None
                continue
            url = reverse(entry.name, kwargs=kwargs)
            if url not in seen:
                seen.add(url)
                yield label, url


def is_page(response):
    return (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and b"<html" in response.content[:2000].lower()
    )


def fingerprint(response, user):
    html = CSRF.sub(r"\1\2\3", response.content.decode("utf-8", "replace"))
    for word in filter(None, {user.get_full_name(), user.first_name, user.last_name, user.username}):
        html = html.replace(word, "")
    return html


def discover(org, users):
    """Return (pages, unfilled, broken): pages are dicts {label, url, roles}; ``users`` maps role → user.

    ``roles`` lists the roles to visit the page as: always the administrator, plus the viewer where
    their page differs from the administrator's (buttons, forms, hints by role), plus the editor
    where theirs differs from both: the same HTML is never checked twice.
    """
    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    pages, unfilled, broken = [], [], []
    for label, url in candidate_urls(org):
        if url is None:
            unfilled.append(label)
            continue
        try:
            response = clients["admin"].get(url)
        except Exception as error:  # a page that crashes is reported by the test, the walk goes on
            broken.append(f"{url} ({label}): {type(error).__name__}: {error}")
            continue
        if not is_page(response):
            if "/o/" not in url and is_page(Client().get(url)):
                pages.append({"label": label, "url": url, "roles": ["anonymous"]})
            continue
        roles = ["admin"]
        seen = [fingerprint(response, users["admin"])]
        for role in ("viewer", "editor"):
            other = clients[role].get(url)
            html = fingerprint(other, users[role]) if is_page(other) else None
            if html is not None and html not in seen:
                roles.append(role)
                seen.append(html)
        pages.append({"label": label, "url": url, "roles": roles})
    return pages, unfilled, broken
