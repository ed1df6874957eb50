"""Setting up what to listen to (sources, queries, alert rules) and what came of it (alerts, notifications).

Every view runs under ``org_view``: ``request.org`` is the member's organisation and every read
goes through ``scoped``/``get_scoped_or_404``, so another organisation's row is a 404.
Sources hold platform credentials, so only administrators change them; editors may still ask
for an immediate poll.
"""

from datetime import timedelta
from functools import partial

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from listening import tasks
from listening.forms import LANGUAGE_CHOICES, AlertRuleForm, QueryForm, SourceForm
from listening.models import SOURCE_KINDS, Alert, AlertRule, Mention, MentionDaily, Notification, Query, Source
from listening.query import QueryError, compile_query
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped

# The preview matches against this many of the newest mentions: enough to judge a query,
# little enough to answer while the user types.
PREVIEW_SAMPLE = 2000
PREVIEW_SHOWN = 10
ALERTS_SHOWN = 200
NOTIFICATIONS_SHOWN = 200


def _to_list(request, name: str):
    return redirect(f"listening-{name}-list", org_slug=request.org.slug)


# --- Sources -----------------------------------------------------------------------------------


@org_view(Role.VIEWER)
def source_list(request):
    sources = scoped(Source, request.org).prefetch_related("queries")
    now = timezone.now()
    return render(
        request,
        "listening/source_list.html",
        {
            "sources": sources,
            "can_admin": request.membership.is_admin,
            "can_poll": request.membership.can_edit,
            # Under a minute, "0 minutes" reads oddly: the template says "just now" / "due now".
            "minute_ago": now - timedelta(minutes=1),
            "in_a_minute": now + timedelta(minutes=1),
        },
    )


def _source_form(request, source: Source | None):
    form = SourceForm(request.POST or None, instance=source, org=request.org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            source = form.save()
        messages.success(request, _("The source “%(name)s” was saved.") % {"name": source})
        return _to_list(request, "source")
    return render(
        request,
        "listening/source_form.html",
        {
            "form": form,
            "source": form.instance if form.instance.pk else None,
            # For the progressive-enhancement script: which kinds each platform offers.
            "platform_kinds": SOURCE_KINDS,
        },
    )


@org_view(Role.ADMIN)
def source_create(request):
    return _source_form(request, None)


@org_view(Role.ADMIN)
def source_edit(request, pk):
    return _source_form(request, get_scoped_or_404(Source, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def source_poll_now(request, pk):
    source = get_scoped_or_404(Source, request.org, pk=pk)
    # Queued after commit, like the dispatcher does; the poll service's lock keeps a poll that
    # overlaps a scheduled one from running twice.
    transaction.on_commit(partial(tasks.poll_source.delay, source.pk))
    messages.success(request, _("Queued: the source will be polled in a moment."))
    return _to_list(request, "source")


@require_POST
@org_view(Role.ADMIN)
def source_delete(request, pk):
    source = get_scoped_or_404(Source, request.org, pk=pk)
    source.delete()
    messages.success(request, _("The source “%(name)s” was deleted. Its mentions are kept.") % {"name": source})
    return _to_list(request, "source")


# --- Queries -----------------------------------------------------------------------------------


def _mention_totals(org) -> dict[int, int]:
    """Mentions matched per query, from the daily rollup: one grouped query for the whole list."""
    rows = MentionDaily.objects.filter(org=org).values("query_id").annotate(total=Sum("count"))
    return {row["query_id"]: row["total"] for row in rows}


@org_view(Role.VIEWER)
def query_list(request):
    queries = list(scoped(Query, request.org).annotate(source_count=Count("sources")))
    totals = _mention_totals(request.org)
    for query in queries:
        query.mention_total = totals.get(query.pk, 0)
    language_names = dict(LANGUAGE_CHOICES)
    for query in queries:
        query.language_names = [str(language_names.get(code, code)) for code in query.languages]
    return render(request, "listening/query_list.html", {"queries": queries, "can_edit": request.membership.can_edit})


def query_preview_context(org, expression: str, languages=()) -> dict:
    """Which of the organisation's newest mentions an expression matches, or why it does not parse."""
    expression = (expression or "").strip()
    if not expression:
        return {"empty": True}
    try:
        matcher = compile_query(expression)
    except QueryError as error:
        return {"error": error.message}
    languages = {code for code in languages if code in dict(LANGUAGE_CHOICES)}
    recent = (
        scoped(Mention, org)
        .order_by("-published_at", "-id")
        .values("id", "text", "author_handle", "author_name", "published_at", "platform", "language")[:PREVIEW_SAMPLE]
    )
    sampled, matched, shown = 0, 0, []
    for row in recent:
        sampled += 1
        if languages and row["language"] not in languages:
            continue
        if matcher.matches(row["text"], author_handle=row["author_handle"]):
            matched += 1
            if len(shown) < PREVIEW_SHOWN:
                shown.append(row)
    return {"sampled": sampled, "matched": matched, "mentions": shown}


def _live_preview(request, form: QueryForm) -> QueryForm:
    """Ask htmx to refresh the preview as the expression is typed (and when a language is ticked)."""
    form.fields["expression"].widget.attrs.update(
        {
            "hx-post": reverse("listening-query-preview", kwargs={"org_slug": request.org.slug}),
            "hx-trigger": "keyup changed delay:400ms, change from:closest form",
            "hx-target": "#query-preview",
            "hx-include": "closest form",
            "hx-sync": "this:replace",
            "aria-controls": "query-preview",
        }
    )
    return form


def _query_form(request, query: Query | None):
    data = request.POST if request.method == "POST" else None
    preview = None
    if data is not None and "preview" in data:
        # The no-JavaScript preview: show the matches without saving, and without shouting
        # "required" at a half-written form.
        form = QueryForm(
            instance=query,
            org=request.org,
            initial={
                "name": data.get("name", ""),
                "expression": data.get("expression", ""),
                "languages": data.getlist("languages"),
                "role": data.get("role") or Query.Role.OWN,
            },
        )
        preview = query_preview_context(request.org, data.get("expression", ""), data.getlist("languages"))
    else:
        form = QueryForm(data, instance=query, org=request.org)
        if data is not None and form.is_valid():
            query = form.save()
            messages.success(request, _("The query “%(name)s” was saved.") % {"name": query})
            return _to_list(request, "query")
        if data is None and query is not None:
            preview = query_preview_context(request.org, query.expression, query.languages)
    return render(
        request,
        "listening/query_form.html",
        {
            "form": _live_preview(request, form),
            "query": query,
            "preview": preview or {"empty": True},
            "sample_size": PREVIEW_SAMPLE,
        },
    )


@org_view(Role.EDITOR)
def query_create(request):
    return _query_form(request, None)


@org_view(Role.EDITOR)
def query_edit(request, pk):
    return _query_form(request, get_scoped_or_404(Query, request.org, pk=pk))


@org_view(Role.EDITOR)
def query_preview(request):
    data = request.POST if request.method == "POST" else request.GET
    preview = query_preview_context(request.org, data.get("expression", ""), data.getlist("languages"))
    context = {"preview": preview, "sample_size": PREVIEW_SAMPLE}
    if request.htmx:
        return render(request, "listening/query_form.html#preview", context)
    # Reached without htmx (a shared link): the new-query form, filled in, with the preview.
    form = QueryForm(org=request.org, initial={"expression": data.get("expression", "")})
    return render(
        request, "listening/query_form.html", {**context, "form": _live_preview(request, form), "query": None}
    )


@require_POST
@org_view(Role.EDITOR)
def query_delete(request, pk):
    query = get_scoped_or_404(Query, request.org, pk=pk)
    query.delete()
    messages.success(request, _("The query “%(name)s” was deleted.") % {"name": query})
    return _to_list(request, "query")


# --- Alert rules -------------------------------------------------------------------------------


def describe_condition(rule: AlertRule) -> str:
    """The rule's threshold in words, as a librarian would say it."""
    if rule.kind == AlertRule.Kind.VOLUME_SPIKE:
        return _(
            "When an hour has %(times)s× the usual hourly mentions of the previous %(days)s days "
            "(and at least %(min)s mentions)."
        ) % {"times": f"{rule.threshold:g}", "days": rule.baseline_days, "min": rule.min_mentions}
    if rule.kind == AlertRule.Kind.NEGATIVE_SURGE:
        return _("When %(share)s%% or more of an hour's mentions are negative (and at least %(min)s mentions).") % {
            "share": f"{rule.threshold * 100:g}",
            "min": rule.min_mentions,
        }
    return _("When a new mention matches “%(keyword)s”.") % {"keyword": rule.keyword}


def describe_channels(rule: AlertRule) -> list[str]:
    channels = []
    if rule.notify_in_app:
        channels.append(_("In the app"))
    addresses = [address for address in rule.email_to.split(",") if address.strip()]
    if addresses:
        channels.append(
            ngettext("E-mail to %(count)s address", "E-mail to %(count)s addresses", len(addresses))
            % {"count": len(addresses)}
        )
    if rule.webhook_url:
        channels.append(_("Webhook"))
    return channels


@org_view(Role.VIEWER)
def alert_rule_list(request):
    rules = list(scoped(AlertRule, request.org).select_related("query").annotate(fired=Count("alerts")))
    for rule in rules:
        rule.condition = describe_condition(rule)
        rule.channels = describe_channels(rule)
    return render(request, "listening/alert_rule_list.html", {"rules": rules, "can_edit": request.membership.can_edit})


def _alert_rule_form(request, rule: AlertRule | None):
    form = AlertRuleForm(request.POST or None, instance=rule, org=request.org)
    if request.method == "POST" and form.is_valid():
        rule = form.save()
        messages.success(request, _("The alert rule “%(name)s” was saved.") % {"name": rule})
        return _to_list(request, "alert-rule")
    return render(
        request,
        "listening/alert_rule_form.html",
        {"form": form, "rule": form.instance if form.instance.pk else None},
    )


@org_view(Role.EDITOR)
def alert_rule_create(request):
    return _alert_rule_form(request, None)


@org_view(Role.EDITOR)
def alert_rule_edit(request, pk):
    return _alert_rule_form(request, get_scoped_or_404(AlertRule, request.org, pk=pk))


@require_POST
@org_view(Role.EDITOR)
def alert_rule_delete(request, pk):
    rule = get_scoped_or_404(AlertRule, request.org, pk=pk)
    rule.delete()
    messages.success(request, _("The alert rule “%(name)s” was deleted.") % {"name": rule})
    return _to_list(request, "alert-rule")


# --- Alerts and notifications --------------------------------------------------------------------


def describe_delivery(alert: Alert) -> str:
    """The webhook delivery of one alert, in words."""
    if alert.webhook_status == "delivered":
        return ngettext("Delivered (%(count)s attempt)", "Delivered (%(count)s attempts)", alert.webhook_attempts) % {
            "count": alert.webhook_attempts
        }
    if alert.webhook_status == "failed":
        text = ngettext(
            "Not delivered after %(count)s attempt", "Not delivered after %(count)s attempts", alert.webhook_attempts
        ) % {"count": alert.webhook_attempts}
        return f"{text}: {alert.webhook_last_error}" if alert.webhook_last_error else text
    if alert.rule.webhook_url:
        return _("Waiting to be sent")
    return ""


@org_view(Role.VIEWER)
def alert_list(request):
    alerts = scoped(Alert, request.org).select_related("rule")
    rule = None
    if request.GET.get("rule", "").isdigit():
        # Scoped, so another organisation's rule id simply finds nothing.
        rule = scoped(AlertRule, request.org).filter(pk=request.GET["rule"]).first()
        alerts = alerts.filter(rule=rule) if rule else alerts.none()
    alerts = list(alerts.order_by("-fired_at", "-id")[:ALERTS_SHOWN])
    for alert in alerts:
        alert.delivery = describe_delivery(alert)
    return render(request, "listening/alert_list.html", {"alerts": alerts, "rule": rule, "limit": ALERTS_SHOWN})


def _safe_link(url: str) -> str:
    # Notifications link inside the app; anything else (another site, javascript:) is not a link.
    return url if url.startswith("/") and not url.startswith("//") else ""


@org_view(Role.VIEWER)
def notification_list(request):
    notifications = list(
        Notification.objects.filter(org=request.org, user=request.user).order_by("-created_at", "-id")[
            :NOTIFICATIONS_SHOWN
        ]
    )
    for notification in notifications:
        notification.link = _safe_link(notification.url)
    unread = Notification.objects.filter(org=request.org, user=request.user, read_at__isnull=True).count()
    return render(
        request,
        "listening/notification_list.html",
        {"notifications": notifications, "unread": unread, "limit": NOTIFICATIONS_SHOWN},
    )


@require_POST
@org_view(Role.VIEWER)
def notifications_mark_read(request):
    # Every member reads their own notifications, so this write needs no more than membership.
    count = Notification.objects.filter(org=request.org, user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("listening-notification-list", org_slug=request.org.slug)
