"""Alert rules: evaluated after each ingest commit, fired at most once per rule and hour."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from listening.models import Alert, AlertRule, Mention, MentionHourly, Notification, Sentiment
from listening.query import compile_query, prepare
from listening.services.ingest import ALL_MENTIONS
from mesm.models import Membership
from mesm.security import check_outbound_url

logger = logging.getLogger(__name__)


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hourly(rule: AlertRule, start: datetime, end: datetime, sentiment: str | None = None) -> int:
    """New mentions between two hours, from the hourly rollup (never a count over raw mentions)."""
    rows = MentionHourly.objects.filter(
        org_id=rule.org_id, hour__gte=start, hour__lt=end, query_id=rule.query_id or ALL_MENTIONS
    )
    if sentiment:
        rows = rows.filter(sentiment=sentiment)
    return rows.aggregate(total=Sum("count"))["total"] or 0


def _check_volume(rule: AlertRule, window: datetime) -> dict | None:
    current = _hourly(rule, window, window + timedelta(hours=1))
    hours = rule.baseline_days * 24
    baseline_total = _hourly(rule, window - timedelta(hours=hours), window)
    baseline = baseline_total / hours if hours else 0
    if current >= rule.min_mentions and current >= rule.threshold * max(baseline, 1 / hours if hours else 0):
        return {
            "mentions": current,
            "baseline_per_hour": round(baseline, 2),
            "summary": _("%(count)s mentions this hour, %(ratio)s× the usual %(baseline)s per hour.")
            % {"count": current, "ratio": round(current / max(baseline, 0.01), 1), "baseline": round(baseline, 1)},
        }
    return None


def _check_negative(rule: AlertRule, window: datetime) -> dict | None:
    end = window + timedelta(hours=1)
    total = _hourly(rule, window, end)
    negative = _hourly(rule, window, end, Sentiment.NEGATIVE)
    if total >= rule.min_mentions and total and negative / total >= rule.threshold:
        return {
            "mentions": total,
            "negative": negative,
            "summary": _("%(negative)s of %(total)s mentions this hour are negative (%(share)s%%).")
            % {"negative": negative, "total": total, "share": round(100 * negative / total)},
        }
    return None


def _check_keyword(rule: AlertRule, mentions: list[Mention]) -> dict | None:
    try:
        matcher = compile_query(rule.keyword)
    except ValueError:
        return None
    hits = [m for m in mentions if (not rule.query_id or rule.query_id in m.query_ids)]
    hits = [m for m in hits if matcher.matches_prepared(prepare(m.text, author_handle=m.author_handle))]
    if not hits:
        return None
    return {
        "mention_ids": [m.pk for m in hits[:20]],
        "summary": _("“%(keyword)s” appeared in %(count)s new mentions, e.g. %(author)s: “%(text)s”")
        % {"keyword": rule.keyword, "count": len(hits), "author": hits[0].author_handle, "text": hits[0].text[:140]},
    }


def alerts_evaluate(*, org_id: int, new_mention_ids: list[int], now: datetime | None = None) -> list[Alert]:
    """Evaluate every enabled rule of the organisation for the hours the new mentions fall in."""
    rules = list(AlertRule.objects.filter(org_id=org_id, enabled=True).select_related("org"))
    if not rules:
        return []
    mentions = list(Mention.objects.filter(org_id=org_id, pk__in=new_mention_ids))
    now = now or timezone.now()
    windows = sorted({_hour(m.published_at) for m in mentions if m.published_at > now - timedelta(hours=24)})
    fired = []
    for rule in rules:
        with override(rule.org.language):
            if rule.kind == AlertRule.Kind.KEYWORD:
                details = _check_keyword(rule, mentions)
                if details:
                    alert = _fire(rule, _hour(now), details)
                    fired += [alert] if alert else []
                continue
            for window in windows:
                check = _check_volume if rule.kind == AlertRule.Kind.VOLUME_SPIKE else _check_negative
                details = check(rule, window)
                if details:
                    alert = _fire(rule, window, details)
                    fired += [alert] if alert else []
    return fired


def _fire(rule: AlertRule, window: datetime, details: dict) -> Alert | None:
    """Record the alert once per (rule, window) and deliver it; a second firing is ignored."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                org_id=rule.org_id,
                rule=rule,
                window_start=window,
                summary=details.pop("summary"),
                details=details,
            )
            _notify_in_app(rule, alert)
    except IntegrityError:
        return None
    from listening import tasks

    if rule.email_to.strip():
        alert_email_send(alert=alert)
    if rule.webhook_url:
        transaction.on_commit(lambda: tasks.deliver_webhook.delay(alert.pk))
    return alert


def _notify_in_app(rule: AlertRule, alert: Alert) -> None:
    if not rule.notify_in_app:
        return
    url = reverse("listening-alert-list", kwargs={"org_slug": rule.org.slug})
    text = f"{rule.name}: {alert.summary}"
    members = Membership.objects.filter(org_id=rule.org_id).values_list("user_id", flat=True)
    Notification.objects.bulk_create(
        [Notification(org_id=rule.org_id, user_id=user_id, alert=alert, text=text, url=url) for user_id in members]
    )


def alert_email_send(*, alert: Alert) -> None:
    rule = alert.rule
    recipients = [address.strip() for address in rule.email_to.split(",") if address.strip()]
    link = settings.SITE_URL + reverse("listening-alert-list", kwargs={"org_slug": rule.org.slug})
    with override(rule.org.language):
        subject = _("[MESM] Alert: %(rule)s") % {"rule": rule.name}
        body = f"{alert.summary}\n\n{link}\n"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
    Alert.objects.filter(pk=alert.pk).update(email_sent_at=timezone.now())


def webhook_payload(alert: Alert) -> bytes:
    return json.dumps(
        {
            "event": "alert.fired",
            "alert_id": alert.pk,
            "organization": alert.rule.org.slug,
            "rule": {"id": alert.rule_id, "name": alert.rule.name, "kind": alert.rule.kind},
            "window_start": alert.window_start.isoformat(),
            "fired_at": alert.fired_at.isoformat(),
            "summary": alert.summary,
            "details": alert.details,
        },
        sort_keys=True,
    ).encode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def alert_webhook_deliver(*, alert: Alert) -> bool:
    """POST the alert as signed JSON; return whether the receiver accepted it (2xx)."""
    rule = alert.rule
    body = webhook_payload(alert)
    headers = {"Content-Type": "application/json", "User-Agent": "MESM-webhooks/1"}
    if rule.webhook_secret:
        headers["X-MESM-Signature"] = webhook_signature(rule.webhook_secret, body)
    attempts = alert.webhook_attempts + 1
    try:
        # No SSRF: private, loopback and link-local receivers are refused unless ALLOW_PRIVATE_OUTBOUND;
        # redirects are not followed (a receiver answers where it was asked).
        check_outbound_url(rule.webhook_url)
        response = httpx.post(rule.webhook_url, content=body, headers=headers, timeout=10, follow_redirects=False)
        ok = 200 <= response.status_code < 300
        error = "" if ok else f"HTTP {response.status_code}"
    except ValidationError as exc:
        ok, error = False, " ".join(exc.messages)
    except httpx.HTTPError as exc:
        ok, error = False, exc.__class__.__name__
    Alert.objects.filter(pk=alert.pk).update(
        webhook_attempts=attempts, webhook_status="delivered" if ok else "failed", webhook_last_error=error
    )
    return ok
