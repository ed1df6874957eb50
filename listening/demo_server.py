"""A stand-in for the platforms, so the demo organisation's sources fill without internet.

``make run`` starts it (``python -m listening.demo_server --port 8765``). It serves posts about
"Biblioteca Pública Demo" in each platform's documented wire format:

- ``/rss/noticias.xml`` — RSS 2.0 local news, with ETag/Last-Modified (304 when unchanged);
- ``/mastodon/api/v1/timelines/tag/<tag>`` — Mastodon statuses, ``max_id``/``since_id``/``min_id``
  and a ``Link`` header (use ``<server>/mastodon`` as the source's base URL);
- ``/bluesky/xrpc/com.atproto.server.createSession``, ``…refreshSession`` and
  ``…/app.bsky.feed.searchPosts`` — any identifier and app password are accepted (base URL
  ``<server>/bluesky``).

Content is fixed (seeded random); only the timestamps follow the clock: 60 posts spread over the
14 days before the server started, then one more every 2 minutes so the inbox keeps moving.
Standard library only, so it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import random
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

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/rss/noticias.xml":
            return self._rss()
        if parts.path.startswith("/mastodon/api/v1/timelines/tag/"):
            return self._mastodon(parts.path, parts.path.rsplit("/", 1)[-1], query)
        if parts.path == "/bluesky/xrpc/app.bsky.feed.searchPosts":
            return self._search_posts(query)
        return self._json(404, {"error": "Not found"})

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
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

    @staticmethod
    def _session(handle: str) -> dict:
        handle = handle if "." in handle else f"{handle}.bsky.social"
        # Real tokens are JWTs; clients must treat them as opaque, so random text is faithful enough.
        return {
            "did": "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24],
            "handle": handle,
            "accessJwt": "demo-access-" + secrets.token_urlsafe(24),
            "refreshJwt": "demo-refresh-" + secrets.token_urlsafe(24),
            "active": True,
        }


def make_server(host: str = "127.0.0.1", port: int = 8765, start: datetime | None = None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), DemoHandler)
    server.daemon_threads = True
    server.catalogue = Catalogue(start)
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
