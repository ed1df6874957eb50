"""The daily term rollup: what counts as a term, and counts that stay equal to the raw mentions
after ingest, re-ingest, deletion and a rebuild."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from listening.connectors.base import FetchedItem
from listening.enrichment.terms import STOP_WORDS, fold, surface_form, terms
from listening.models import HashtagDaily, Mention, TermDaily
from listening.services.ingest import mentions_ingest
from listening.services.mentions import mentions_delete
from tests.listening.factories import SourceFactory


def test_it_keeps_the_words_and_drops_spanish_stop_words_links_handles_numbers_and_hashtags():
    text = (
        "¡Qué gozada el Club de Lectura de la biblioteca! Nos vemos a las 19h del 2026 con @ana@mastodon.social "
        "y @bib.bsky.social en https://biblioteca.example/club?x=1 #ClubDeLectura jajaja, escribe a info@bib.es"
    )
    assert terms(text) == {"gozada", "club", "lectura", "biblioteca", "escribe"}


def test_it_drops_english_stop_words_and_possessives():
    text = "The library's storytelling session was really great, and we'll be there again tomorrow!"
    assert terms(text) == {"library", "storytelling", "session"}


def test_it_folds_case_and_accents_but_keeps_the_tilde_of_n():
    assert terms("PROGRAMACIÓN programacion Programación") == {"programacion"}
    assert terms("Feliz año") == {"feliz"}  # "año" is a stop-word; "ano" would not be
    assert fold("Año") == "año" != fold("ano")
    assert terms("Pingüino CAFÉ") == {"pinguino", "cafe"}


def test_it_drops_short_and_overlong_words_and_numbers():
    assert terms("tv ok 123 4k 15m " + "x" * 41 + " covid19") == {"covid19"}


def test_the_stop_word_lists_are_folded_and_large_enough():
    assert len(STOP_WORDS) > 500
    assert {"que", "para", "porque", "tambien", "the", "which", "because", "don't"} <= STOP_WORDS
    assert all(word == fold(word) for word in STOP_WORDS)


def test_it_finds_how_a_term_is_usually_written():
    texts = ["La programación del mes", "Programación infantil", "programacion de otoño", "la programación"]
    assert surface_form(texts, "programacion") == "programación"
    assert surface_form(["Leyendo Marianela", "Marianela, de Galdós"], "marianela") == "Marianela"
    assert surface_form(["nada que ver"], "marianela") is None


# --- the rollup ------------------------------------------------------------------------------

TEXTS = [
    "La biblioteca abre hoy con el club de lectura #Lectura",
    "Qué mal el wifi de la biblioteca, el wifi otra vez",  # "wifi" twice: counted once
    "Gran club de lectura juvenil #Lectura #Club",
    "The library wifi is down again",
]


def _items(numbers, likes=0):
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    return [
        FetchedItem(
            external_id=f"https://m.example/{n}",
            url=f"https://m.example/{n}",
            text=TEXTS[n % len(TEXTS)],
            author_handle=f"@autor{n % 3}@m.example",
            published_at=start + timedelta(hours=7 * n),
            language="es",
            likes=likes,
        )  # fmt: skip
        for n in numbers
    ]


def _ingest(source, items):
    with transaction.atomic():
        mentions_ingest(source=source, items=items, queries=[], keep_query_ids=None, cursor={})


def stored(org) -> Counter:
    rows = TermDaily.objects.filter(org=org, count__gt=0).values_list("day", "term", "count")
    return Counter({(day, term): count for day, term, count in rows})


def recount(org) -> Counter:
    """The same counts, straight from the raw mentions."""
    counts = Counter()
    for published_at, text in Mention.objects.filter(org=org).values_list("published_at", "text"):
        for term in terms(text):
            counts[(published_at.astimezone(org.zoneinfo).date(), term)] += 1
    return counts


@pytest.mark.django_db
def test_the_term_rollup_matches_the_raw_mentions_after_ingest_reingest_and_deletion(org):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="lectura")
    _ingest(source, _items(range(0, 12)))
    assert stored(org) == recount(org)
    assert sum(c for (_day, term), c in stored(org).items() if term == "wifi") == 6  # 12 posts, 2 of 4 texts
    assert {"lectura", "club", "wifi", "library"} <= {term for _day, term in stored(org)}
    assert not any(term in STOP_WORDS for _day, term in stored(org))

    _ingest(source, _items(range(6, 18), likes=5))  # half of it seen before: refreshed, not recounted
    assert Mention.objects.filter(org=org).count() == 18
    assert stored(org) == recount(org)
    assert sum(c for (_day, term), c in stored(org).items() if term == "wifi") == 9

    doomed = list(Mention.objects.filter(org=org, text__contains="wifi").values_list("pk", flat=True))
    assert mentions_delete(org=org, ids=doomed) == 9
    assert stored(org) == recount(org)
    assert not any(term == "wifi" for _day, term in stored(org))


@pytest.mark.django_db
def test_a_word_used_twice_in_one_mention_counts_once(org):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="x")
    _ingest(source, _items([1]))  # "Qué mal el wifi de la biblioteca, el wifi otra vez"
    day = date(2026, 11, 1)
    assert TermDaily.objects.get(org=org, day=day, term="wifi").count == 1
    assert not TermDaily.objects.filter(org=org, term__in=["que", "mal", "otra", "vez"]).exists()


@pytest.mark.django_db
def test_hashtags_are_not_counted_as_terms(org):
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="x")
    item = FetchedItem(
        external_id="a",
        url="",
        author_handle="@a@m.example",
        text="#ClubDeLectura #Lectura",
        published_at=datetime.now(UTC),
    )
    _ingest(source, [item])
    assert not TermDaily.objects.filter(org=org).exists()
    assert set(HashtagDaily.objects.filter(org=org).values_list("tag", flat=True)) == {"clubdelectura", "lectura"}


@pytest.mark.django_db
def test_rebuild_recounts_one_organisation_from_its_mentions(org, other_org):
    mine = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="x")
    theirs = SourceFactory(org=other_org, platform="mastodon", kind="hashtag", target="x")
    _ingest(mine, _items(range(0, 10)))
    _ingest(theirs, _items(range(0, 4)))
    expected_mine, expected_theirs = recount(org), recount(other_org)
    # Data from before the rollup existed, or a rollup gone wrong.
    TermDaily.objects.filter(org=org).delete()
    TermDaily.objects.create(org=org, day=date(2020, 1, 1), term="fantasma", count=7)
    TermDaily.objects.filter(org=other_org, term="wifi").update(count=99)
    broken_theirs = stored(other_org)

    call_command("rebuild_rollups", org=org.slug, batch=3)  # several batches

    assert stored(org) == expected_mine
    assert stored(other_org) == broken_theirs != expected_theirs  # untouched

    call_command("rebuild_rollups")  # every organisation
    assert stored(other_org) == expected_theirs


@pytest.mark.django_db
def test_rebuild_refuses_an_unknown_organisation(org):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("rebuild_rollups", org="nope")
