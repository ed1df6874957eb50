"""A stand-in for the platforms, so the demo organisation's sources fill without internet.

``make run`` starts it (``python -m listening.demo_server --port 8765``). It serves posts about
"Biblioteca Pública Demo" in each platform's documented wire format:

- ``/rss/noticias.xml`` — RSS 2.0 local news, with ETag/Last-Modified (304 when unchanged);
- ``/mastodon/api/v1/timelines/tag/<tag>`` — Mastodon statuses, ``max_id``/``since_id``/``min_id``
  and a ``Link`` header (use ``<server>/mastodon`` as the source's base URL);
- ``/bluesky/xrpc/com.atproto.server.createSession``, ``…refreshSession`` and
  ``…/app.bsky.feed.searchPosts`` — any identifier and app password are accepted (base URL
  ``<server>/bluesky``).

And somewhere to publish to, kept in memory until the server stops (``Publishing`` below):

- Mastodon (profile server ``<server>/mastodon``, any access token): ``POST /api/v2/media``
  (images are ready at once; other files answer 202 and are "processed" after one poll of
  ``GET /api/v1/media/:id``), ``POST /api/v1/statuses`` honouring ``Idempotency-Key``,
  ``GET /api/v1/statuses/:id`` with counts that grow with the post's age, and
  ``GET /api/v1/accounts/verify_credentials``; each status has a page at ``/mastodon/@user/<id>``.
- Bluesky (profile server ``<server>/bluesky``, any identifier and app password):
  ``com.atproto.repo.uploadBlob``, ``createRecord`` (a record key can be used once: a second
  create answers HTTP 500, as Bluesky's own server does today), ``getRecord``,
  ``app.bsky.feed.getPosts`` (≤ 25 uris, growing counts) and ``com.atproto.identity.resolveHandle``
  (the demo account and the people of the demo posts); pages at ``/bluesky/profile/<handle>/post/<rkey>``.

Content is fixed (seeded random); only the timestamps follow the clock: 60 posts spread over the
14 days before the server started, then one more every 2 minutes so the inbox keeps moving.
Standard library only, so it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import base64
import collections
import email.parser
import email.policy
import hashlib
import html
import json
import random
import re
import secrets
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from xml.sax.saxutils import escape

SEED = 2026
INITIAL_POSTS = 60
HISTORY = timedelta(days=14)
NEW_POST_EVERY = timedelta(minutes=2)
# Every fifth post is a news article; the rest alternate between Mastodon and Bluesky.
CHANNELS = ("rss", "mastodon", "mastodon", "bluesky", "bluesky")


def _rows(text: str) -> list[tuple[str, ...]]:
    """Data kept as "a|b|c" lines: compact to read and edit."""
    return [tuple(line.split("|")) for line in text.strip().splitlines()]


# user | display name | Mastodon server | followers
PEOPLE = _rows("""
martalee|Marta Lectora 📚|mastodon.social|412
vecinosvillaverde|Asociación Vecinal Villaverde|masto.es|1830
opositor_juan|Juan (opositando)|mastodon.social|57
abuela_rosa|Rosa M.|masto.es|23
genealogia_local|Genealogía Local|historias.social|960
profe_lengua|Profe de Lengua ✏️|mastodon.online|645
samreads|Sam Reads|mastodon.social|288
laura_estudia|Laura|mastodon.world|134
""")

# language | text: mostly neutral, some praise, a few complaints. "&" and quotes become HTML
# entities in the Mastodon and RSS content.
SOCIAL = _rows("""
es|¿Alguien sabe si la Biblioteca Pública Demo abre el sábado por la tarde? En la web no queda claro 🤔
es|Esta tarde hay cuentacuentos en la Biblioteca Pública Demo a las 18:00, sala infantil. Entrada libre 📚
es|Recordatorio: el club de lectura de la Biblioteca Pública Demo se reúne el jueves. Este mes toca «La casa de los espíritus».
es|La Biblioteca Pública Demo ha subido a su colección digital fotos antiguas del mercado & la plaza mayor (1920-1960) 📷
es|¿Se puede renovar el préstamo de la Biblioteca Pública Demo por internet o hay que ir en persona?
es|Taller de alfabetización digital para mayores en la Biblioteca Pública Demo: martes y jueves de 10 a 12.
es|He visto que la Biblioteca Pública Demo presta kits de robótica. ¿Alguien los ha probado con niños de 8 años?
es|Exposición "Cien años de prensa local" en el vestíbulo de la Biblioteca Pública Demo hasta fin de mes.
es|Pregunta: ¿la Biblioteca Pública Demo tiene libros en lectura fácil? Busco para mi abuela 👵
es|Mañana la Biblioteca Pública Demo cierra a las 14:00 por inventario, según el cartel de la puerta.
es|Buscando en la colección digital de historia local de la Biblioteca Pública Demo he encontrado la boda de mis bisabuelos (1931) 😮
es|¿Cuántos libros se pueden sacar a la vez con el carné de la Biblioteca Pública Demo?
es|Hoy presentación del libro de Lucía Ferrer en la Biblioteca Pública Demo, 19:30. Firma de ejemplares después.
es|Club de lectura juvenil en la Biblioteca Pública Demo: este mes, manga & novela gráfica ✨
es|La Biblioteca Pública Demo busca voluntariado para el programa de lectura en hospitales.
es|Gracias al personal de la Biblioteca Pública Demo por ayudarme con el certificado digital. ¡Qué paciencia! 🙏
es|La nueva sala de estudio de la Biblioteca Pública Demo es una maravilla: luz natural, silencio y enchufes 😍
es|Mi hija ha salido encantada del cuentacuentos de la Biblioteca Pública Demo. ¡Volveremos! ❤️
es|El club de lectura de la Biblioteca Pública Demo es lo mejor de mi semana. Gente maja & buenos libros 📖
es|Qué joya la colección digital de historia local de la Biblioteca Pública Demo. Horas mirando mapas antiguos 🗺️
es|Otra vez sin wifi en la Biblioteca Pública Demo. Imposible estudiar así 😤
es|El ruido en la sala de estudio de la Biblioteca Pública Demo es insoportable y nadie dice nada 🙄
es|¿Por qué la Biblioteca Pública Demo cierra a las 20:00 en época de exámenes? Necesitamos horario ampliado.
es|Llevo tres semanas esperando una reserva en la Biblioteca Pública Demo y nadie me avisa. Muy mal.
es|Nuevo horario de la Biblioteca Pública Demo: de 9 a 21 h entre semana y los sábados de 10 a 14 h, según su web.
en|Visited Biblioteca Pública Demo today: lovely staff, great local history corner & free wifi (when it works 😅)
en|Does anyone know if Biblioteca Pública Demo has an English-language book club?
en|The digital local-history collection at Biblioteca Pública Demo is fantastic for genealogy research 👏
en|Biblioteca Pública Demo is hosting a bilingual storytime on Saturday at 11am.
en|Too noisy to work at Biblioteca Pública Demo this afternoon. Shame, it used to be so quiet.
""")

# headline | summary, for the local news feed.
NEWS = _rows("""
La Biblioteca Pública Demo amplía su horario en época de exámenes|La sala de estudio abrirá hasta las 23:00 de lunes a viernes mientras duren los exámenes.
Vecinos se quejan del wifi de la Biblioteca Pública Demo|La asociación vecinal ha reunido 300 firmas para pedir una conexión «que funcione».
La colección digital de historia local supera las 10.000 imágenes|Fotografías, prensa y documentos municipales de 1880 a 1980 ya se consultan en línea.
El club de lectura de la Biblioteca Pública Demo cumple diez años|Una treintena de socios celebrará el aniversario con una lectura pública en la plaza.
Nuevo programa de alfabetización digital para mayores|Talleres gratuitos de móvil, correo electrónico y citas médicas en línea.
La Biblioteca Pública Demo recibe un premio de animación a la lectura|El jurado destaca los cuentacuentos bilingües y el trabajo con los institutos.
Obras en la cubierta: la segunda planta cerrará dos semanas|Los préstamos y la sala infantil seguirán abiertos con normalidad.
Récord de préstamos en la Biblioteca Pública Demo|Más de 4.000 préstamos en un mes, con la novela gráfica & el cómic a la cabeza.
Jornada de puertas abiertas y visitas guiadas en la biblioteca|El sábado se podrán visitar el depósito y el taller de digitalización.
El pleno debate el presupuesto de las bibliotecas municipales|La oposición pide más personal para abrir por las tardes los fines de semana.
Quejas por el ruido en la sala de estudio|Usuarios piden zonas de silencio señalizadas; la dirección estudia medidas.
La biblioteca presta ahora kits de robótica y cámaras|El nuevo «catálogo de objetos» se puede reservar con el carné.
""")

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_iso(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _tid(moment: datetime, index: int) -> str:
    """An AT Protocol record key: microseconds and a clock id, base32-sortable."""
    number = (int(moment.timestamp() * 1_000_000) << 10) | (index & 0x3FF)
    return "".join(_TID_ALPHABET[(number >> shift) & 31] for shift in range(60, -1, -5))


class Catalogue:
    """Every post the demo platforms know, generated on demand from its index."""

    def __init__(self, start: datetime | None = None):
        self.start = start or datetime.now(UTC)
        self._cache: dict[int, dict] = {}
        self._lock = threading.Lock()
        order = random.Random(SEED)
        self._social_order = order.sample(range(len(SOCIAL)), len(SOCIAL))
        self._news_order = order.sample(range(len(NEWS)), len(NEWS))

    def count(self, now: datetime | None = None) -> int:
        elapsed = (now or datetime.now(UTC)) - self.start
        return INITIAL_POSTS + max(0, int(elapsed / NEW_POST_EVERY))

    def post(self, index: int) -> dict:
        with self._lock:
            if index not in self._cache:
                self._cache[index] = self._make(index)
            return self._cache[index]

    def visible(self, channel: str, now: datetime | None = None) -> list[dict]:
        """Posts of one channel published by ``now``, newest first."""
        posts = [self.post(i) for i in range(self.count(now)) if CHANNELS[i % len(CHANNELS)] == channel]
        return sorted(posts, key=lambda post: post["created"], reverse=True)

    def _make(self, index: int) -> dict:
        rng = random.Random(SEED * 1_000_003 + index)
        if index < INITIAL_POSTS:
            slot = HISTORY / INITIAL_POSTS
            created = self.start - HISTORY + slot * (index + 0.5) + slot * rng.uniform(-0.4, 0.4)
        else:
            created = self.start + NEW_POST_EVERY * (index - INITIAL_POSTS + 1)
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)
        channel = CHANNELS[index % len(CHANNELS)]
        if channel == "rss":
            title, summary = NEWS[self._news_order[(index // len(CHANNELS)) % len(NEWS)]]
            language, text = "es", ""
        else:
            social = index - index // len(CHANNELS) - 1  # how many social posts came before
            language, text = SOCIAL[self._social_order[social % len(SOCIAL)]]
            title = summary = ""
            if social >= len(SOCIAL):
                text += " #bibliotecas"  # a repeat of a template: keep the wording from being identical
        return {
            "index": index,
            "channel": channel,
            "created": created,
            "language": language,
            "text": text,
            "title": title,
            "summary": summary,
            "person": PEOPLE[rng.randrange(len(PEOPLE))],
            "likes": rng.randint(0, 40),
            "reposts": rng.randint(0, 12),
            "replies": rng.randint(0, 6),
            "id": (int(created.timestamp() * 1000) << 16) | (index & 0xFFFF),  # Mastodon-style snowflake
        }


def mastodon_status(post: dict, tag: str, base: str) -> dict:
    user, name, server, followers = post["person"]
    followers = int(followers)
    status_id = str(post["id"])
    tag_link = (
        f'<a href="{base}/tags/{quote(tag)}" class="mention hashtag" rel="tag">#<span>{html.escape(tag)}</span></a>'
    )
    return {
        "id": status_id,
        "created_at": _iso(post["created"]),
        "uri": f"https://{server}/users/{user}/statuses/{status_id}",
        "url": f"https://{server}/@{user}/{status_id}",
        "content": f"<p>{html.escape(post['text'])}</p><p>{tag_link}</p>",
        "spoiler_text": "",
        "language": post["language"],
        "account": {
            "id": str(int(hashlib.sha256(user.encode()).hexdigest()[:12], 16)),
            "username": user,
            "acct": f"{user}@{server}",
            "display_name": name,
            "followers_count": followers,
            "url": f"https://{server}/@{user}",
        },
        "favourites_count": post["likes"],
        "reblogs_count": post["reposts"],
        "replies_count": post["replies"],
        "reblog": None,
    }


def bluesky_post(post: dict) -> dict:
    user, name, _server, _followers = post["person"]
    did = "did:plc:" + base64.b32encode(hashlib.sha256(user.encode()).digest()).decode().lower()[:24]
    uri = f"at://{did}/app.bsky.feed.post/{_tid(post['created'], post['index'])}"
    cid = "bafyrei" + base64.b32encode(hashlib.sha256(uri.encode()).digest()).decode().lower().rstrip("=")[:52]
    return {
        "uri": uri,
        "cid": cid,
        "author": {"did": did, "handle": f"{user.replace('_', '-')}.bsky.social", "displayName": name},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": post["text"],
            "createdAt": _iso(post["created"]),
            "langs": [post["language"]],
        },
        "indexedAt": _iso(post["created"] + timedelta(milliseconds=700)),
        "likeCount": post["likes"],
        "repostCount": post["reposts"],
        "replyCount": post["replies"],
        "quoteCount": 0,
    }


def rss_feed(posts: list[dict], base: str) -> str:
    items = []
    for post in posts:
        body = f"<p>{html.escape(post['summary'])}</p>"
        items.append(
            f"<item><title>{escape(post['title'])}</title>"
            f"<link>{base}/rss/noticias/{post['index']}</link>"
            f'<guid isPermaLink="false">noticias-villaverde-{post["index"]}</guid>'
            f"<description>{escape(body)}</description>"
            f"<pubDate>{format_datetime(post['created'], usegmt=True)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Noticias de Villaverde</title><link>{base}/rss/</link>"
        "<description>Actualidad del barrio</description><language>es-ES</language>"
        + "".join(items)
        + "</channel></rss>\n"
    )


# --- Publishing ------------------------------------------------------------------------------------

DEMO_MASTODON_USER = "bibliotecademo"
MASTODON_MAX_CHARACTERS = 500
MASTODON_URL_LENGTH = 23  # Mastodon counts every link as 23 characters
BLUESKY_MAX_TEXT = 300
BLUESKY_MAX_URIS = 25
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _did_for(handle: str) -> str:
    return "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]


def _people_handles() -> dict[str, str]:
    """Bluesky handle → DID of the people who write the demo posts (as ``bluesky_post`` makes them)."""
    return {
        f"{user.replace('_', '-')}.bsky.social": "did:plc:"
        + base64.b32encode(hashlib.sha256(user.encode()).digest()).decode().lower()[:24]
        for user, *_rest in PEOPLE
    }


def _cid(data: bytes) -> str:
    return "bafkrei" + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")[:52]


def growing_counts(created: datetime, now: datetime | None = None) -> tuple[int, int, int]:
    """(likes, reposts, replies) of a published post: a little more every few minutes, then levelling off."""
    minutes = max(((now or datetime.now(UTC)) - created).total_seconds() / 60, 0)
    likes = min(int(minutes / 2), 120)
    return likes, likes // 4, likes // 8


class Publishing:
    """What the demo platforms were asked to publish, kept in memory, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, dict] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self.media: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}  # Bluesky accessJwt → session
        self.blobs: dict[str, dict] = {}
        self.records: dict[tuple[str, str, str], dict] = {}
        # How many create requests arrived (not how many posts exist): tests compare the two.
        self.status_requests = 0
        self.record_requests = 0
        self.log: collections.deque = collections.deque(maxlen=2000)
        self._next_id = int(datetime.now(UTC).timestamp() * 1000) << 16

    def new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)


def _mastodon_length(text: str) -> int:
    return len(re.sub(r"https?://\S+", "x" * MASTODON_URL_LENGTH, text))


def published_mastodon_status(status: dict) -> dict:
    likes, reposts, replies = growing_counts(status["created"])
    return {
        key: value for key, value in status.items() if key not in ("created", "token", "idempotency_key", "text")
    } | {
        "created_at": _iso(status["created"]),
        "favourites_count": likes,
        "reblogs_count": reposts,
        "replies_count": replies,
    }


def _page(title: str, text: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>"
        f'<p style="white-space: pre-wrap">{html.escape(text)}</p></main></body></html>'
    ).encode()


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "MESMDemo/1.0"

    @property
    def catalogue(self) -> Catalogue:
        return self.server.catalogue

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass  # one line per poll from every source would drown the other processes' logs

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        for name, value in {**(headers or {}), "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data, headers=None) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), headers=headers)

    @property
    def publishing(self) -> Publishing:
        return self.server.publishing

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        lists = parse_qs(parts.query)
        query = {key: values[-1] for key, values in lists.items()}
        self.publishing.log.append(("GET", parts.path))
        if parts.path == "/rss/noticias.xml":
            return self._rss()
        if parts.path.startswith("/mastodon/api/v1/timelines/tag/"):
            return self._mastodon(parts.path, parts.path.rsplit("/", 1)[-1], query)
        if parts.path == "/bluesky/xrpc/app.bsky.feed.searchPosts":
            return self._search_posts(query)
        if parts.path == "/mastodon/api/v1/accounts/verify_credentials":
            return self._verify_credentials()
        if match := re.fullmatch(r"/mastodon/api/v1/statuses/([^/]+)", parts.path):
            return self._get_status(match.group(1))
        if match := re.fullmatch(r"/mastodon/api/v1/media/([^/]+)", parts.path):
            return self._get_media(match.group(1))
        if match := re.fullmatch(r"/mastodon/@[^/]+/([^/]+)", parts.path):
            return self._status_page(match.group(1))
        if parts.path == "/bluesky/xrpc/com.atproto.repo.getRecord":
            return self._get_record(query)
        if parts.path == "/bluesky/xrpc/app.bsky.feed.getPosts":
            return self._get_posts(lists.get("uris", []) + lists.get("uris[]", []))
        if parts.path == "/bluesky/xrpc/com.atproto.identity.resolveHandle":
            return self._resolve_handle(query.get("handle", ""))
        if match := re.fullmatch(r"/bluesky/profile/([^/]+)/post/([^/]+)", parts.path):
            return self._record_page(match.group(1), match.group(2))
        return self._json(404, {"error": "Not found"})

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.publishing.log.append(("POST", path))
        if path == "/mastodon/api/v2/media":
            return self._upload_media(raw)
        if path == "/mastodon/api/v1/statuses":
            return self._post_status(raw)
        if path == "/bluesky/xrpc/com.atproto.repo.uploadBlob":
            return self._upload_blob(raw)
        if path == "/bluesky/xrpc/com.atproto.repo.createRecord":
            return self._create_record(raw)
        if path == "/bluesky/xrpc/com.atproto.server.createSession":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            identifier = str(body.get("identifier") or "") if isinstance(body, dict) else ""
            if not identifier or not (isinstance(body, dict) and body.get("password")):
                return self._json(400, {"error": "InvalidRequest", "message": "identifier and password are required"})
            return self._json(200, self._session(identifier.lstrip("@")))
        if path == "/bluesky/xrpc/com.atproto.server.refreshSession":
            if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                return self._json(401, {"error": "AuthMissing", "message": "Authentication Required"})
            return self._json(200, self._session("bibliotecademo.bsky.social"))
        return self._json(404, {"error": "Not found"})

    def _rss(self) -> None:
        posts = self.catalogue.visible("rss")[:30]
        etag = f'"noticias-{posts[0]["index"] if posts else 0}"'
        modified = format_datetime(posts[0]["created"] if posts else self.catalogue.start, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified}
        if_none_match = self.headers.get("If-None-Match")
        # ETag wins over the date (RFC 9110 §13.2.2); the date is only compared when there is no ETag.
        if if_none_match is not None:
            unchanged = etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
        else:
            unchanged = self.headers.get("If-Modified-Since") == modified
        if unchanged:
            return self._send(304, headers=headers)
        self._send(200, rss_feed(posts, self.base).encode(), "application/rss+xml", headers)

    def _mastodon(self, path: str, tag: str, query: dict) -> None:
        try:
            limit = min(max(int(query.get("limit") or 20), 1), 40)
            max_id, since_id, min_id = (
                int(query[k]) if query.get(k) else None for k in ("max_id", "since_id", "min_id")
            )
        except ValueError:
            return self._json(422, {"error": "Validation failed: ids and limit must be numbers"})
        posts = self.catalogue.visible("mastodon")
        if min_id is not None:
            # min_id: the page right after that id (oldest first), still returned newest first.
            page = sorted((p for p in posts if p["id"] > min_id), key=lambda p: p["id"])[:limit][::-1]
        else:
            page = [
                p for p in posts if (max_id is None or p["id"] < max_id) and (since_id is None or p["id"] > since_id)
            ]
            page = page[:limit]
        headers = {}
        if page:
            url = f"{self.base}{path}"
            older = urlencode({"limit": limit, "max_id": page[-1]["id"]})
            newer = urlencode({"limit": limit, "min_id": page[0]["id"]})
            headers["Link"] = f'<{url}?{older}>; rel="next", <{url}?{newer}>; rel="prev"'
        self._json(200, [mastodon_status(p, tag, f"{self.base}/mastodon") for p in page], headers)

    def _search_posts(self, query: dict) -> None:
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return self._json(401, {"error": "AuthMissing", "message": "Authentication Required"})
        if not query.get("q"):
            return self._json(400, {"error": "InvalidRequest", "message": 'Error: Params must have the property "q"'})
        try:
            limit = min(max(int(query.get("limit") or 25), 1), 100)
            offset = max(int(query.get("cursor") or 0), 0)
        except ValueError:
            return self._json(400, {"error": "InvalidRequest", "message": "limit and cursor must be numbers"})
        since, until = _parse_iso(query.get("since")), _parse_iso(query.get("until"))
        posts = [
            p
            for p in self.catalogue.visible("bluesky")
            if (since is None or p["created"] >= since) and (until is None or p["created"] < until)
        ]
        body = {"hitsTotal": len(posts), "posts": [bluesky_post(p) for p in posts[offset : offset + limit]]}
        if offset + limit < len(posts):
            body["cursor"] = str(offset + limit)
        self._json(200, body)

    def _session(self, handle: str) -> dict:
        handle = handle if "." in handle else f"{handle}.bsky.social"
        # Real tokens are JWTs; clients must treat them as opaque, so random text is faithful enough.
        session = {
            "did": _did_for(handle),
            "handle": handle,
            "accessJwt": "demo-access-" + secrets.token_urlsafe(24),
            "refreshJwt": "demo-refresh-" + secrets.token_urlsafe(24),
            "active": True,
        }
        with self.publishing.lock:
            self.publishing.sessions[session["accessJwt"]] = session
        return session

    # --- Mastodon publishing ------------------------------------------------------------------------

    def _bearer(self) -> str:
        value = self.headers.get("Authorization") or ""
        return value[len("Bearer ") :].strip() if value.startswith("Bearer ") else ""

    def _mastodon_account(self) -> dict:
        base = f"{self.base}/mastodon"
        return {
            "id": "109000000000000001",
            "username": DEMO_MASTODON_USER,
            "acct": DEMO_MASTODON_USER,
            "display_name": "Biblioteca Pública Demo",
            "url": f"{base}/@{DEMO_MASTODON_USER}",
            "followers_count": 1200,
        }

    def _unauthorised(self) -> None:
        self._json(401, {"error": "The access token is invalid"})

    def _verify_credentials(self) -> None:
        if not self._bearer():
            return self._unauthorised()
        self._json(200, self._mastodon_account() | {"source": {"privacy": "public", "language": "es"}})

    def _upload_media(self, raw: bytes) -> None:
        if not self._bearer():
            return self._unauthorised()
        content_type = self.headers.get("Content-Type") or ""
        if not content_type.startswith("multipart/form-data"):
            return self._json(422, {"error": "Validation failed: File can't be blank"})
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
        )
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"", part.get_content_type())
        if "file" not in fields or not fields["file"][1]:
            return self._json(422, {"error": "Validation failed: File can't be blank"})
        filename, content, mime = fields["file"]
        description = fields.get("description", (None, b"", ""))[1].decode("utf-8", "replace")
        if len(description) > 1500:
            return self._json(422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"})
        is_image = mime.startswith("image/")
        with self.publishing.lock:
            media_id = self.publishing.new_id()
            media = {
                "id": media_id,
                "type": "image" if is_image else "video" if mime.startswith("video/") else "unknown",
                "url": f"{self.base}/mastodon/media/{media_id}/{quote(filename or 'file')}",
                "preview_url": None,
                "description": description,
                "size": len(content),
                # Images are ready at once; anything else is "processed" until it is polled once.
                "polls_left": 0 if is_image else 1,
            }
            self.publishing.media[media_id] = media
        shown = self._media_entity(media)
        self._json(200 if is_image else 202, shown)

    @staticmethod
    def _media_entity(media: dict) -> dict:
        entity = {key: value for key, value in media.items() if key not in ("size", "polls_left")}
        if media["polls_left"] > 0:
            entity["url"] = None
        return entity

    def _get_media(self, media_id: str) -> None:
        if not self._bearer():
            return self._unauthorised()
        with self.publishing.lock:
            media = self.publishing.media.get(media_id)
            if media is None:
                return self._json(404, {"error": "Record not found"})
            processing = media["polls_left"] > 0
            media["polls_left"] = max(media["polls_left"] - 1, 0)
            entity = self._media_entity(media) if not processing else {**self._media_entity(media), "url": None}
        self._json(206 if processing else 200, entity)

    def _post_status(self, raw: bytes) -> None:
        token = self._bearer()
        if not token:
            return self._unauthorised()
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._json(400, {"error": "Invalid JSON"})
            text, media_ids = str(body.get("status") or ""), [str(i) for i in body.get("media_ids") or []]
            visibility, language = body.get("visibility") or "public", body.get("language") or "es"
        else:
            form = parse_qs(raw.decode("utf-8", "replace"))
            text = (form.get("status") or [""])[-1]
            media_ids = form.get("media_ids[]", []) + form.get("media_ids", [])
            visibility = (form.get("visibility") or ["public"])[-1]
            language = (form.get("language") or ["es"])[-1]
        key = (self.headers.get("Idempotency-Key") or "").strip()
        with self.publishing.lock:
            self.publishing.status_requests += 1
            if key and (token, key) in self.publishing.idempotency:
                # Mastodon remembers the key for an hour and answers with the status it already made.
                existing = self.publishing.statuses[self.publishing.idempotency[(token, key)]]
                return self._json(200, published_mastodon_status(existing))
            if not text.strip() and not media_ids:
                return self._json(422, {"error": "Validation failed: Text can't be blank"})
            if _mastodon_length(text) > MASTODON_MAX_CHARACTERS:
                return self._json(
                    422, {"error": f"Validation failed: Text character limit of {MASTODON_MAX_CHARACTERS} exceeded"}
                )
            if len(media_ids) > 4 or any(i not in self.publishing.media for i in media_ids):
                return self._json(422, {"error": "Validation failed: Media attachments are invalid"})
            status_id = self.publishing.new_id()
            url = f"{self.base}/mastodon/@{DEMO_MASTODON_USER}/{status_id}"
            paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n") if part)
            status = {
                "id": status_id,
                "created": datetime.now(UTC),
                "uri": f"{self.base}/mastodon/users/{DEMO_MASTODON_USER}/statuses/{status_id}",
                "url": url,
                "content": paragraphs,
                "text": text,
                "visibility": visibility,
                "language": language,
                "spoiler_text": "",
                "account": self._mastodon_account(),
                "media_attachments": [self._media_entity(self.publishing.media[i]) for i in media_ids],
                "reblog": None,
                "token": token,
                "idempotency_key": key,
            }
            self.publishing.statuses[status_id] = status
            if key:
                self.publishing.idempotency[(token, key)] = status_id
        self._json(200, published_mastodon_status(status))

    def _get_status(self, status_id: str) -> None:
        with self.publishing.lock:
            status = self.publishing.statuses.get(status_id)
        if status is None:
            return self._json(404, {"error": "Record not found"})
        self._json(200, published_mastodon_status(status))

    def _status_page(self, status_id: str) -> None:
        with self.publishing.lock:
            status = self.publishing.statuses.get(status_id)
        if status is None:
            return self._send(404, b"Not found", "text/plain")
        self._send(200, _page(f"@{DEMO_MASTODON_USER}", status["text"]), "text/html")

    # --- Bluesky publishing -------------------------------------------------------------------------

    def _bluesky_session(self) -> dict | None:
        with self.publishing.lock:
            return self.publishing.sessions.get(self._bearer())

    def _xrpc_error(self, status: int, error: str, message: str) -> None:
        self._json(status, {"error": error, "message": message})

    def _upload_blob(self, raw: bytes) -> None:
        if self._bluesky_session() is None:
            return self._xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        mime = (self.headers.get("Content-Type") or "application/octet-stream").split(";")[0].strip()
        cid = _cid(raw)
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(raw)}
        with self.publishing.lock:
            self.publishing.blobs[cid] = blob
        self._json(200, {"blob": blob})

    def _check_post_record(self, record) -> str | None:
        """What is wrong with an app.bsky.feed.post record, as the PDS would say it, or None."""
        if not isinstance(record, dict) or record.get("$type") != "app.bsky.feed.post":
            return "Invalid app.bsky.feed.post record: Record/$type must be app.bsky.feed.post"
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(record.get("createdAt"), str):
            return 'Invalid app.bsky.feed.post record: Record must have the properties "text" and "createdAt"'
        if len(text) > BLUESKY_MAX_TEXT:
            return (
                f"Invalid app.bsky.feed.post record: Record/text must not be longer than {BLUESKY_MAX_TEXT} graphemes"
            )
        size = len(text.encode("utf-8"))
        for facet in record.get("facets") or []:
            index = facet.get("index") if isinstance(facet, dict) else None
            start = index.get("byteStart") if isinstance(index, dict) else None
            end = index.get("byteEnd") if isinstance(index, dict) else None
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= size:
                return "Invalid app.bsky.feed.post record: Record/facets has an index outside the text"
        embed = record.get("embed")
        if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.images":
            images = embed.get("images") or []
            if not 1 <= len(images) <= 4:
                return "Invalid app.bsky.feed.post record: Record/embed/images must have 1 to 4 items"
            for image in images:
                link = ((image.get("image") or {}).get("ref") or {}).get("$link") if isinstance(image, dict) else None
                if not isinstance(image.get("alt"), str) or link not in self.publishing.blobs:
                    return "Invalid app.bsky.feed.post record: Record/embed/images needs an alt and an uploaded blob"
        return None

    def _create_record(self, raw: bytes) -> None:
        session = self._bluesky_session()
        if session is None:
            return self._xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._xrpc_error(400, "InvalidRequest", "Request body is not valid JSON")
        if not isinstance(body, dict) or body.get("repo") not in (session["did"], session["handle"]):
            return self._xrpc_error(400, "InvalidRequest", "Invalid repo: it must be the session's account")
        collection = body.get("collection")
        if collection != "app.bsky.feed.post":
            return self._xrpc_error(400, "InvalidRequest", "This demo only stores app.bsky.feed.post records")
        rkey = body.get("rkey") or _tid(datetime.now(UTC), secrets.randbelow(1024))
        if not isinstance(rkey, str) or not TID_RE.match(rkey):
            return self._xrpc_error(400, "InvalidRequest", "Invalid record key: posts use a TID")
        with self.publishing.lock:
            self.publishing.record_requests += 1
            problem = self._check_post_record(body.get("record"))
            if problem:
                return self._xrpc_error(400, "InvalidRequest", problem)
            key = (session["did"], collection, rkey)
            if key in self.publishing.records:
                # What Bluesky's PDS answers today when the record key is taken (an explicit
                # error is planned); clients must read the record back to know it is theirs.
                return self._xrpc_error(500, "InternalServerError", "Internal Server Error")
            uri = f"at://{session['did']}/{collection}/{rkey}"
            cid = _cid(json.dumps(body["record"], sort_keys=True).encode())
            self.publishing.records[key] = {
                "uri": uri,
                "cid": cid,
                "value": body["record"],
                "handle": session["handle"],
                "created": datetime.now(UTC),
            }
        self._json(200, {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"})

    def _find_record(self, repo: str, collection: str, rkey: str) -> dict | None:
        did = repo if repo.startswith("did:") else _did_for(repo)
        with self.publishing.lock:
            return self.publishing.records.get((did, collection, rkey))

    def _get_record(self, query: dict) -> None:
        record = self._find_record(query.get("repo", ""), query.get("collection", ""), query.get("rkey", ""))
        if record is None:
            uri = f"at://{query.get('repo', '')}/{query.get('collection', '')}/{query.get('rkey', '')}"
            return self._xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        self._json(200, {key: record[key] for key in ("uri", "cid", "value")})

    def _get_posts(self, uris: list[str]) -> None:
        if len(uris) > BLUESKY_MAX_URIS:
            return self._xrpc_error(400, "InvalidRequest", f"uris must not have more than {BLUESKY_MAX_URIS} elements")
        with self.publishing.lock:
            by_uri = {record["uri"]: (key, record) for key, record in self.publishing.records.items()}
        posts = []
        for uri in uris:
            if uri not in by_uri:
                continue  # unknown or deleted posts are simply left out
            (did, _collection, _rkey), record = by_uri[uri]
            likes, reposts, replies = growing_counts(record["created"])
            posts.append(
                {
                    "uri": uri,
                    "cid": record["cid"],
                    "author": {"did": did, "handle": record["handle"], "displayName": "Biblioteca Pública Demo"},
                    "record": record["value"],
                    "indexedAt": _iso(record["created"]),
                    "likeCount": likes,
                    "repostCount": reposts,
                    "replyCount": replies,
                    "quoteCount": 0,
                }
            )
        self._json(200, {"posts": posts})

    def _resolve_handle(self, handle: str) -> None:
        handle = handle.strip().lstrip("@").lower()
        with self.publishing.lock:
            known = {session["handle"]: session["did"] for session in self.publishing.sessions.values()}
        known |= _people_handles()
        known.setdefault("bibliotecademo.bsky.social", _did_for("bibliotecademo.bsky.social"))
        if handle not in known:
            return self._xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        self._json(200, {"did": known[handle]})

    def _record_page(self, handle: str, rkey: str) -> None:
        record = self._find_record(handle, "app.bsky.feed.post", rkey)
        if record is None:
            return self._send(404, b"Not found", "text/plain")
        self._send(200, _page(f"@{handle}", record["value"].get("text", "")), "text/html")


def make_server(host: str = "127.0.0.1", port: int = 8765, start: datetime | None = None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), DemoHandler)
    server.daemon_threads = True
    server.catalogue = Catalogue(start)
    server.publishing = Publishing()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Demo platforms (RSS, Mastodon, Bluesky) for MESM.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port)
    print(f"Demo platforms on http://{args.host}:{args.port}/ (rss/noticias.xml, mastodon/, bluesky/)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
