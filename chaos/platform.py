"""A local platform the faults are played against: Mastodon tag timelines, RSS feeds, and Mastodon
and Bluesky publishing, each the way the real server behaves, with hooks to misbehave.

- ``GET /api/v1/timelines/tag/<tag>?min_id=`` — the statuses just newer than ``min_id`` (at most
  ``limit``), newest first, with the ``Link: …; rel="prev"`` header, as Mastodon pages.
- ``GET /rss/<name>.xml`` — a small RSS 2.0 feed (one request per poll).
- ``POST /api/v1/statuses`` honours ``Idempotency-Key`` (a repeat gets the status already created);
  ``POST /xrpc/com.atproto.repo.createRecord`` refuses a record key used before (HTTP 500, as the
  Bluesky PDS does today) and ``getRecord`` reads it back.

Everything served is recorded (``served``, ``log``) so the run can compare it with what was stored.
``misbehave[key]`` answers instead of the normal reply; ``before_reply`` hooks run before a timeline
page or a created post is sent (to kill the worker that asked, or to hold the database).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

PAGE_LIMIT = 40
_ids = itertools.count(int(time.time()) * 1000)


@dataclass
class Request:
    at: float  # time.time() when it arrived
    kind: str  # "timeline", "rss", "status", "record", …
    key: str  # the tag, feed, idempotency key or record key
    client_port: int
    status: int = 0


def status_json(tag: str, status_id: int, created: datetime) -> dict:
    return {
        "id": str(status_id),
        "uri": f"https://chaos.example/users/{tag}/statuses/{status_id}",
        "url": f"https://chaos.example/@{tag}/{status_id}",
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "content": f"<p>La biblioteca, mensaje {status_id} de #{tag}</p>",
        "language": "es",
        "account": {"id": "1", "acct": tag, "display_name": tag, "followers_count": 10, "url": "https://chaos.example"},
        "favourites_count": 0,
        "reblogs_count": 0,
        "replies_count": 0,
        "reblog": None,
    }


class Platform:
    def __init__(self):
        self.lock = threading.Lock()
        self.timelines: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
        self.served: dict[str, set[str]] = defaultdict(set)  # tag → uris sent in a 200 page
        self.log: list[Request] = []
        self.misbehave: dict[str, Callable[[Request], tuple[int, dict, bytes] | None]] = {}
        self.before_reply: list[Callable[[Request], None]] = []
        # Publishing
        self.statuses: dict[tuple[str, str], str] = {}  # (token, idempotency key) → status id
        self.status_creates: dict[str, int] = defaultdict(int)  # idempotency key → create requests
        self.records: dict[tuple[str, str, str], dict] = {}
        self.record_creates: dict[str, int] = defaultdict(int)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.platform = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Platform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, tag: str, count: int) -> None:
        now = datetime.now(UTC)
        with self.lock:
            for _ in range(count):
                self.timelines[tag].append((next(_ids), now))

    def newest(self, tag: str) -> str | None:
        with self.lock:
            return str(self.timelines[tag][-1][0]) if self.timelines[tag] else None

    def requests(self, kind: str, key: str | None = None) -> list[Request]:
        with self.lock:
            return [r for r in self.log if r.kind == kind and (key is None or r.key == key)]

    def page(self, tag: str, min_id: int, limit: int) -> list[dict]:
        with self.lock:
            newer = [(i, c) for i, c in self.timelines[tag] if i > min_id][:limit]
        return [status_json(tag, i, c) for i, c in reversed(newer)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # a worker killed mid-request resets its connection: expected here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass

    @property
    def platform(self) -> Platform:
        return self.server.platform

    def _send(self, status: int, body: bytes, headers: dict | None = None, content_type="application/json") -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the worker that asked was killed

    def _record(self, kind: str, key: str) -> Request:
        request = Request(time.time(), kind, key, self.client_address[1])
        with self.platform.lock:
            self.platform.log.append(request)
        return request

    def _misbehaved(self, request: Request) -> bool:
        rule = self.platform.misbehave.get(request.key)
        answer = rule(request) if rule else None
        if answer is None:
            return False
        request.status = answer[0]
        self._send(answer[0], answer[2], answer[1])
        return True

    def _before_reply(self, request: Request) -> None:
        for hook in list(self.platform.before_reply):
            hook(request)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if parts.path.startswith("/api/v1/timelines/tag/"):
            self._timeline(parts.path.rsplit("/", 1)[-1], query)
        elif parts.path.startswith("/rss/"):
            request = self._record("rss", parts.path.rsplit("/", 1)[-1].removesuffix(".xml"))
            if not self._misbehaved(request):
                request.status = 200
                self._send(200, _feed(request.key), content_type="application/rss+xml")
        elif parts.path == "/api/v1/accounts/verify_credentials":
            self._send(200, json.dumps({"acct": "chaos"}).encode())
        elif parts.path == "/xrpc/com.atproto.repo.getRecord":
            key = (query.get("repo", ""), query.get("collection", ""), query.get("rkey", ""))
            with self.platform.lock:
                record = self.platform.records.get(key)
            if record is None:
                self._send(400, json.dumps({"error": "RecordNotFound", "message": "Could not locate record"}).encode())
            else:
                self._send(200, json.dumps(record).encode())
        else:
            self._send(404, b'{"error": "Not found"}')

    def _timeline(self, tag: str, query: dict) -> None:
        request = self._record("timeline", tag)
        if self._misbehaved(request):
            return
        min_id = int(query.get("min_id") or 0)
        statuses = self.platform.page(tag, min_id, min(int(query.get("limit") or PAGE_LIMIT), PAGE_LIMIT))
        headers = {}
        if statuses:
            base = f"http://{self.headers.get('Host')}/api/v1/timelines/tag/{quote(tag)}"
            headers["Link"] = f'<{base}?limit={PAGE_LIMIT}&min_id={statuses[0]["id"]}>; rel="prev"'
        request.status = 200
        self._before_reply(request)
        with self.platform.lock:
            self.platform.served[tag].update(s["uri"] for s in statuses)
        self._send(200, json.dumps(statuses).encode(), headers)

    def do_POST(self):  # noqa: N802
        parts = urlsplit(self.path)
        body = self._body()
        if parts.path == "/api/v1/statuses":
            self._status(body)
        elif parts.path == "/xrpc/com.atproto.server.createSession":
            session = {"accessJwt": "chaos-jwt", "refreshJwt": "chaos-refresh", "did": "did:plc:chaos",
                       "handle": "chaos.bsky.example"}  # fmt: skip
            self._send(200, json.dumps(session).encode())
        elif parts.path == "/xrpc/com.atproto.repo.createRecord":
            self._create_record(json.loads(body or b"{}"))
        else:
            self._send(404, b'{"error": "Not found"}')

    def _status(self, body: bytes) -> None:
        key = self.headers.get("Idempotency-Key") or ""
        token = self.headers.get("Authorization") or ""
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        request = self._record("status", key)
        with self.platform.lock:
            self.platform.status_creates[key] += 1
            status_id = self.platform.statuses.get((token, key)) if key else None
            if status_id is None:
                status_id = str(next(_ids))
                if key:
                    self.platform.statuses[(token, key)] = status_id
                else:
                    self.platform.statuses[(token, status_id)] = status_id
        request.status = 200
        self._before_reply(request)
        answer = {"id": status_id, "url": f"https://chaos.example/@chaos/{status_id}", "content": form.get("status")}
        self._send(200, json.dumps(answer).encode())

    def _create_record(self, data: dict) -> None:
        key = (data.get("repo", ""), data.get("collection", ""), data.get("rkey", ""))
        request = self._record("record", key[2])
        with self.platform.lock:
            self.platform.record_creates[key[2]] += 1
            exists = key in self.platform.records
            uri = f"at://{key[0]}/{key[1]}/{key[2]}"
            if not exists:
                self.platform.records[key] = {"uri": uri, "cid": f"cid{key[2]}", "value": data.get("record")}
        if exists:
            request.status = 500
            self._send(500, json.dumps({"error": "InternalServerError", "message": "Internal Server Error"}).encode())
            return
        request.status = 200
        self._before_reply(request)
        self._send(200, json.dumps({"uri": uri, "cid": f"cid{key[2]}"}).encode())


def _feed(name: str) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Biblioteca {name} {n}</title><link>https://news.example/{name}/{n}</link>"
        f"<guid>https://news.example/{name}/{n}</guid><description>La biblioteca abre {n}</description>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=10 - n))}</pubDate></item>"
        for n in range(3)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>https://news.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


# --- Misbehaviours -----------------------------------------------------------------------------------


def json_answer(status: int, headers: dict | None = None, body: object = None) -> tuple[int, dict, bytes]:
    return status, headers or {}, json.dumps(body if body is not None else {"error": "chaos"}).encode()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
