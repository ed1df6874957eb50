"""Every page of MESM, checked with axe-core in Spanish and English: no serious or critical violation.

The pages come from the URL conf (tests/a11y/pages.py), filled with the demo organisation that
``seed_demo`` makes, so a new page is checked as soon as it is routed. Each page is visited as the
administrator in both languages; the viewer's and the editor's version are visited too (in Spanish)
only where their HTML differs from the versions already checked, so no page is checked twice.
"""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from mesm.models import Organization
from tests.a11y.pages import discover

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DEMO_USERS = {"admin": "ana", "editor": "luis", "viewer": "carmen"}
BLOCKING = {"serious", "critical"}
# WCAG 2.0/2.1 A and AA rules, plus axe's best practices that matter to screen-reader users.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],  # passes and incomplete results are not read: much faster
}


def _session_cookie(user, base):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


def _contexts(browser, base, users):
    contexts = {}
    for lang in ("es", "en"):
        for role, user in [("anonymous", None), *users.items()]:
            # bypass_csp: the pages forbid injected scripts, and axe is injected.
            context = browser.new_context(locale=f"{lang}-ES", viewport={"width": 1280, "height": 900}, bypass_csp=True)
            cookies = [{"name": "django_language", "value": lang, "url": base}]
            if user is not None:
                cookies.append(_session_cookie(user, base))
            context.add_cookies(cookies)
            context.add_init_script(path=str(AXE))
            page = context.new_page()
            page.set_default_timeout(15000)
            contexts[(role, lang)] = page
    return contexts


def axe_violations(page):
    """Run axe (loaded into every page by the context's init script); return the serious and critical ones."""
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations, limit=4):
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:limit]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"      {target}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:240]}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_has_no_serious_or_critical_axe_violation(live_server, browser):
    call_command("seed_demo", verbosity=0)
    org = Organization.objects.get(slug="biblioteca-demo")
    User = get_user_model()
    users = {role: User.objects.get(username=name) for role, name in DEMO_USERS.items()}
    pages, unfilled, broken = discover(org, users)
    labels = {p["label"] for p in pages}
    # A floor, so a broken walk cannot pass vacuously: one main page of every stage and the public ones.
    assert {
        "strategy-overview",
        "listening-inbox",
        "strategy-calendar",
        "metrics-director",
        "learning-home",
        "login",
        "learning-survey-public",
    } <= labels, sorted(labels)
    base = live_server.url
    tabs = _contexts(browser, base, users)
    failures, visits = [f"{line}: the page fails to render" for line in broken], 0
    for spec in pages:
        plan = [(role, "es") for role in spec["roles"]]
        plan.append((spec["roles"][0], "en"))
        for role, lang in plan:
            page = tabs[(role, lang)]
            response = page.goto(base + spec["url"])
            assert response is not None and response.ok, (
                f"{spec['url']} as {role} ({lang}) → {response and response.status}"
            )
            page.wait_for_load_state("load")
            visits += 1
            violations = axe_violations(page)
            if violations:
                failures.append(f"{spec['url']} ({spec['label']}) as {role}, {lang}:\n{describe(violations)}")
                print(failures[-1], flush=True)
    for page in tabs.values():
        page.context.close()
    print(f"axe: {len(pages)} pages, {visits} visits; not filled (no demo object): {', '.join(unfilled) or 'none'}")
    assert not failures, f"{len(failures)} page visits with serious/critical axe violations:\n\n" + "\n\n".join(
        failures
    )
