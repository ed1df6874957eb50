"""The REST API fuzzed by schemathesis from our own OpenAPI schema (issue 8, "Bad input").

Every operation of ``/api/schema/`` is called through the WSGI application (no server, same
database transaction as the test) as an administrator, an editor and a viewer of the demo
organisation written by ``seed_demo``. Path parameters point half of the time at real objects of
that organisation so object routes run past the 404. A response fails when it is a server error
(5xx), when its body does not match the schema documented for its status code, or when its
content type is not the documented one. All failures of a run are reported together.

``FUZZ_EXAMPLES`` (default 4) bounds the examples per operation for the administrator (the editor
and the viewer get half, as most of their writes stop at the permission check) so the suite fits
CI; raise it locally for a deeper run (``FUZZ_EXAMPLES=50``). Generation is derandomised: a run
is repeatable, and a failure found in CI is found again on a laptop.
"""

import os
import random
import time

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from mesm.models import Membership, Organization, Role
from mesm.tenancy import scoped
from mesm.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
DEMO_SLUG = "biblioteca-demo"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo organisation, written once for the three roles and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_org(seeded, db):
    # ``db`` runs each test in a savepoint inside the seeding transaction: every role starts from the seed.
    return Organization.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def wsgi_app():
    """The real WSGI application, sharing the test's transaction.

    The handler closes "old" database connections at the start and end of each request; inside the
    test's transaction that would close the connection under it (Django's own test client turns this
    off the same way).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token(org, role) -> str:
    user = Membership.objects.filter(org=org, role=role).select_related("user").first().user
    return Token.objects.get_or_create(user=user)[0].key


def _model_for(path: str, org):
    """The model behind ``{id}`` in an operation path, found through the URL conf."""
    try:
        match = resolve(path.replace("{org_slug}", org.slug).replace("{id}", "1").replace("{token}", "x"))
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    queryset = getattr(view, "queryset", None)
    return None if queryset is None else queryset.model


def _existing_ids(path: str, org) -> list:
    if "{id}" in path:
        model = _model_for(path, org)
        if model is None:
            return []
        try:
            return list(scoped(model.objects.all(), org).values_list("pk", flat=True)[:20])
        except Exception:  # a model without an organisation path; the random ids still run
            return []
    if "{token}" in path:
        from learning.models import Survey

        return list(Survey.objects.filter(org=org).values_list("token", flat=True)[:5])
    if "{key}" in path:
        from metrics.registry import METRICS

        return [metric.key for metric in METRICS]
    return []


def _fuzz(schema, org, headers, examples: int, skip_login: bool) -> list[str]:
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    rng = random.Random(8)  # noqa: S311 (reproducible choice of real objects)
    for result in schema.get_all_operations():
        operation = result.ok()
        path = operation.path
        if skip_login and path == "/api/v1/auth/token/":
            continue  # the same for every role; each try hashes a password, so it runs once (admin)
        known = _existing_ids(path, org)
        name = "{token}" if "{token}" in path else "{key}" if "{key}" in path else "id"
        fixed = {"org_slug": org.slug} if "{org_slug}" in path else {}

        @given(case=operation.as_strategy(path_parameters=fixed or None), pick=st.booleans())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case, pick):
            if known and pick:
                case.path_parameters[name.strip("{}")] = rng.choice(known)
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, then fail once
                failures.append(
                    f"{operation.method.upper()} {case.formatted_path}: {response.status_code} {error}"[:3000]
                )

        started = time.monotonic()
        run()
        timings.append((time.monotonic() - started, f"{operation.method.upper()} {path}"))
    total = sum(t for t, _name in timings)
    slowest = (f"{t:.1f}s {name}" for t, name in sorted(timings, reverse=True)[:10])
    print(f"{len(timings)} operations in {total:.0f}s; slowest:", *slowest, sep="\n")
    return failures


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR, Role.VIEWER])
def test_it_answers_every_fuzzed_api_call_without_server_errors_or_schema_breaks(demo_org, wsgi_app, role):
    headers = {"Authorization": f"Token {_token(demo_org, role)}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=headers)
    examples = EXAMPLES if role == Role.ADMIN else max(1, EXAMPLES // 2)
    failures = _fuzz(schema, demo_org, headers, examples, skip_login=role != Role.ADMIN)
    assert not failures, f"{len(failures)} failing calls:\n\n" + "\n\n".join(failures)
