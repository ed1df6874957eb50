"""HTTP for connectors: timeouts on every call, a per-host limiter shared by all workers (Redis),
and one place that turns HTTP statuses into the connector errors the pipeline understands."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from listening.connectors.base import AuthError, ConnectorError, RateLimited, TransientError
from mesm.security import check_outbound_url

TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)
USER_AGENT = "MESM/0.1 (social media listening for libraries)"


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """``Retry-After`` is either seconds or an HTTP date."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


class HostLimiter:
    """Spacing and blocking per platform host, shared by every worker through Redis.

    ``acquire(host)`` waits (at most ``max_wait`` seconds) for the host's next free slot, or
    raises ``RateLimited`` if the host is blocked until later than that.
    """

    def __init__(self, redis, *, min_interval: float = 1.0, max_wait: float = 30.0, prefix: str = "mesm:host"):
        self.redis = redis
        self.min_interval = min_interval
        self.max_wait = max_wait
        self.prefix = prefix

    def blocked_until(self, host: str) -> datetime | None:
        value = self.redis.get(f"{self.prefix}:blocked:{host}")
        if not value:
            return None
        return datetime.fromtimestamp(float(value), UTC)

    def block(self, host: str, until: datetime) -> None:
        seconds = (until - datetime.now(UTC)).total_seconds()
        if seconds <= 0:
            return
        key = f"{self.prefix}:blocked:{host}"
        current = self.blocked_until(host)
        if current is None or until > current:
            self.redis.set(key, until.timestamp(), px=int(seconds * 1000) + 1000)

    def acquire(self, host: str) -> None:
        deadline = time.monotonic() + self.max_wait
        while True:
            blocked = self.blocked_until(host)
            now = datetime.now(UTC)
            if blocked and blocked > now:
                if (blocked - now).total_seconds() > deadline - time.monotonic():
                    raise RateLimited(blocked)
                time.sleep((blocked - now).total_seconds())
                continue
            interval_ms = int(self.min_interval * 1000)
            if interval_ms <= 0 or self.redis.set(f"{self.prefix}:slot:{host}", 1, nx=True, px=interval_ms):
                return
            wait_ms = self.redis.pttl(f"{self.prefix}:slot:{host}")
            wait = max(wait_ms, 10) / 1000 if wait_ms and wait_ms > 0 else 0.01
            if time.monotonic() + wait > deadline:
                raise RateLimited(datetime.now(UTC) + timedelta(seconds=wait))
            time.sleep(wait + random.uniform(0, 0.05))  # noqa: S311 - jitter, not security


class _PrivateTarget(httpx.RequestError):
    def __init__(self, message: str, request: httpx.Request):
        super().__init__(message, request=request)
        self.message = message


def _check_target(url: str) -> None:
    """No requests to private, loopback or link-local addresses unless ALLOW_PRIVATE_OUTBOUND (no SSRF)."""
    try:
        check_outbound_url(url)
    except ValidationError as error:
        raise ConnectorError(" ".join(error.messages)) from error


def _refuse_private_target(request: httpx.Request) -> None:
    try:
        check_outbound_url(str(request.url))
    except ValidationError as error:
        raise _PrivateTarget(" ".join(error.messages), request) from error


class HttpClient:
    """What connectors call: ``get``/``post`` with timeouts, through the host limiter."""

    def __init__(self, *, limiter: HostLimiter | None = None, client: httpx.Client | None = None):
        self.limiter = limiter
        self.last_url = ""
        self.client = client or httpx.Client(
            timeout=TIMEOUT,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            # Every hop of a redirect is checked too, so a public URL cannot bounce us to a private one.
            event_hooks={"request": [_refuse_private_target]},
        )

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        self.last_url = url
        _check_target(url)
        if self.limiter is not None:
            self.limiter.acquire(host_of(url))
        try:
            return self.client.request(method, url, **kwargs)
        except _PrivateTarget as error:
            raise ConnectorError(error.message) from error
        except httpx.TimeoutException as error:
            raise TransientError(_("The platform did not answer within the time limit.")) from error
        except httpx.HTTPError as error:
            raise TransientError(
                _("Could not connect to %(host)s: %(reason)s")
                % {"host": host_of(url), "reason": error.__class__.__name__}
            ) from error

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def block(self, url: str, until: datetime) -> None:
        """Record that the platform asked us to wait (e.g. remaining quota is 0 until ``until``)."""
        if self.limiter is not None:
            self.limiter.block(host_of(url), until)

    def close(self) -> None:
        self.client.close()


def check_response(
    response: httpx.Response, *, reset_at: Callable[[httpx.Response], datetime | None] | None = None
) -> httpx.Response:
    """Raise the connector error that matches the status; return the response when it is usable.

    ``reset_at`` reads the platform's own rate-limit reset header (each platform writes it
    differently); ``Retry-After`` is preferred when present.
    """
    status = response.status_code
    if status == 429:
        retry_at = parse_retry_after(response.headers.get("Retry-After"))
        if retry_at is None and reset_at is not None:
            retry_at = reset_at(response)
        raise RateLimited(retry_at or datetime.now(UTC) + timedelta(seconds=60))
    if status in (401, 403):
        raise AuthError()
    if status >= 500:
        raise TransientError(
            _("The platform answered with an error (HTTP %(status)s); we will try again.") % {"status": status}
        )
    if status == 404:
        raise ConnectorError(_("The platform says this account, tag or address does not exist (HTTP 404)."))
    if status >= 400:
        raise ConnectorError(_("The platform refused the request (HTTP %(status)s).") % {"status": status})
    return response
