"""A realistic synthetic data set: Spanish and English posts on several platforms, authors with a
long-tailed follower distribution, hashtags and a year of timestamps, as the connectors' normalised
``FetchedItem``s (the format ``mentions_ingest`` accepts). Deterministic for a given seed."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import UTC, datetime, timedelta

from listening.connectors.base import FetchedItem

PLATFORMS = ["mastodon", "bluesky", "reddit", "rss", "youtube", "lemmy"]
PLATFORM_WEIGHTS = [30, 25, 15, 15, 10, 5]

ES_WORDS = (  # noqa: SIM905 - a readable sentence of words
    "la biblioteca del barrio abre hoy un taller de lectura para niños y mayores con cuentos club libros préstamo "
    "horario sala estudio exposición autora presentación novela poesía cómic wifi ordenadores actividades verano "
    "vecinos cultura gratis inscripción agenda semana tarde mañana encantado genial gracias fantástico cerrada obras "
    "queja ruido frío espera lento mal fatal problema carné socio digital ebook catálogo archivo historia local"
).split()
EN_WORDS = (  # noqa: SIM905
    "the public library downtown opens a reading workshop for kids and adults with stories book club loan hours "
    "study room exhibition author launch novel poetry comics wifi computers summer events neighbours culture free "
    "signup agenda week afternoon morning love great thanks amazing closed works complaint noise cold waiting slow "
    "bad awful problem card member digital ebook catalogue archive local history"
).split()
HASHTAGS = [
    "biblioteca", "bibliotecas", "lectura", "clubdelectura", "libros", "library", "libraries", "bookclub",
    "reading", "cultura", "diadellibro", "bibliotecapública", "makerspace", "storytime", "bookstagram",
    "literatura", "poesía", "cómic", "opendata", "wikipedia",
]  # fmt: skip

# About twenty listening queries of the kind a library network keeps.
QUERIES = [
    ("Biblioteca", "biblioteca OR bibliotecas", ["es"]),
    ("Library", "library OR libraries", ["en"]),
    ("Club de lectura", '"club de lectura" OR #clubdelectura', []),
    ("Book club", '"book club" OR #bookclub', []),
    ("Talleres", "taller* OR workshop*", []),
    ("Quejas", "queja OR complaint OR ruido OR noise", []),
    ("Cerrada", "cerrada OR closed -horario", []),
    ("Infantil", "niños OR kids OR cuentos OR storytime", []),
    ("Digital", "ebook OR digital OR catálogo OR catalogue", []),
    ("Exposiciones", "exposición OR exhibition", []),
    ("Autores", "autora OR author OR presentación OR launch", []),
    ("Poesía", "poesía OR poetry OR #poesía", []),
    ("Cómic", "cómic OR comics OR #cómic", []),
    ("Wifi", "wifi OR ordenadores OR computers", []),
    ("Verano", "verano OR summer", []),
    ("Historia local", '"historia local" OR "local history"', []),
    ("Carné", "carné OR card OR socio OR member", []),
    ("Día del libro", "#diadellibro", []),
    ("Makerspace", "#makerspace OR maker*", []),
    ("Cultura", "cultura OR culture", []),
]


class Authors:
    """Handles per platform; a Pareto (long-tailed) follower count and a Zipf-like posting rate."""

    def __init__(self, rng: random.Random, count: int):
        self.handles = []
        self.followers = []
        for number in range(count):
            self.handles.append(f"lector{number}")
            self.followers.append(min(int(rng.paretovariate(1.1) * 20), 5_000_000))
        self._cumulative = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(count)))

    def pick(self, rng: random.Random) -> int:
        """Inverse CDF on cumulative weights (``rng.choices`` would recompute them on every call)."""
        return min(bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1]), len(self.handles) - 1)


ORDERS = ("newest", "shuffled")


def items(
    count: int, *, seed: int = 7, now: datetime | None = None, order: str = "newest"
) -> dict[str, list[FetchedItem]]:
    """``count`` posts grouped by platform, published over the year before ``now``.

    ``order`` "newest" lists each platform's posts newest first, the order in which the platforms'
    APIs and feeds page through them (a poll, or a backfill walking back a year), so a page of 100
    covers a stretch of time; "shuffled" leaves them in random time order, so every page samples
    the whole year and touches the most rollup rows (the worst case for the storage step)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    authors = Authors(rng, max(50, count // 20))
    by_platform: dict[str, list[FetchedItem]] = {platform: [] for platform in PLATFORMS}
    year = 365 * 24 * 3600
    for number in range(count):
        platform = rng.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
        spanish = rng.random() < 0.65
        words = ES_WORDS if spanish else EN_WORDS
        body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        tags = " ".join("#" + rng.choice(HASHTAGS) for _ in range(rng.choice((0, 0, 1, 1, 2, 3))))
        text = f"{body[0].upper()}{body[1:]}. {tags}".strip()
        author = authors.pick(rng)
        handle = f"@{authors.handles[author]}@{platform}.example"
        # Recent days are busier (a growing service), and nothing is in the future.
        published = now - timedelta(seconds=int(year * rng.random() ** 1.3) + 1)
        external_id = f"https://{platform}.example/p/{seed}-{number}"
        by_platform[platform].append(
            FetchedItem(
                external_id=external_id,
                url=external_id,
                text=text,
                author_handle=handle,
                author_name=f"Lector {author}",
                author_followers=authors.followers[author],
                published_at=published,
                language=("es" if spanish else "en") if rng.random() < 0.7 else None,
                likes=int(rng.paretovariate(1.5)) - 1,
                reposts=int(rng.paretovariate(2.0)) - 1,
                replies=int(rng.paretovariate(2.5)) - 1,
                raw={"id": f"{seed}-{number}", "platform": platform, "content": text},
            )
        )
    if order == "newest":
        for posts in by_platform.values():
            posts.sort(key=lambda item: item.published_at, reverse=True)
    return by_platform
