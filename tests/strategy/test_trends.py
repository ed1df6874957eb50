"""Trends: detection on constructed series, the page, the API, tenancy and a fixed query count."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from listening.connectors.base import FetchedItem
from listening.enrichment.terms import STOP_WORDS
from listening.models import HashtagDaily, TermDaily
from listening.services.ingest import mentions_ingest
from strategy.trends import trends
from tests.listening.factories import MentionFactory, SourceFactory

pytestmark = pytest.mark.django_db

END = date(2026, 11, 20)  # exclusive: the 7-day window is 13–19 November, the 28-day baseline 16 Oct–12 Nov
WINDOW = [END - timedelta(days=n) for n in range(1, 8)]
BASELINE = [END - timedelta(days=n) for n in range(8, 36)]


def _rows(org, model, key, value, per_day: dict):
    """Rollup rows: ``per_day`` maps a list of days to the count on each of them."""
    for days, count in per_day.items():
        for day in days:
            model.objects.create(org=org, day=day, count=count, **{key: value})


def _term(org, term, *, baseline: int, window: int):
    _rows(org, TermDaily, "term", term, {tuple(BASELINE): baseline, tuple(WINDOW): window})


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


# --- detection on constructed rollups ------------------------------------------------------------


def test_a_rising_term_is_found_with_its_ratio_and_a_steady_one_is_not(org):
    _term(org, "lectura", baseline=2, window=6)  # 56 in 28 days → 14 a week; 42 this week: ×3
    _term(org, "biblioteca", baseline=5, window=5)  # steady
    _term(org, "wifi", baseline=1, window=1)  # steady and small
    _rows(org, TermDaily, "term", "ruido", {tuple(BASELINE): 1, tuple(WINDOW[:1]): 12})  # 7 → 12: ×1.7 but chance

    found = {t.term: t for t in trends(org, end=END)}

    assert set(found) == {"lectura"}
    lectura = found["lectura"]
    assert lectura.window_count == 42
    assert lectura.baseline_average == pytest.approx(14.0)
    assert lectura.growth == pytest.approx(3.0)
    assert not lectura.is_new and lectura.kind == "term"
    assert [count for _day, count in lectura.daily] == [2] * 28 + [6] * 7
    assert lectura.daily[0][0] == BASELINE[-1] and lectura.daily[-1][0] == WINDOW[0]


def test_a_term_never_seen_before_is_new_and_a_one_off_is_not_a_trend(org):
    _rows(org, TermDaily, "term", "marianela", {tuple(WINDOW[:5]): 2})  # 10 this week, never before
    _rows(org, TermDaily, "term", "raro", {tuple(WINDOW[:2]): 1})  # twice: too few
    _rows(org, HashtagDaily, "tag", "clubdelectura", {(BASELINE[0], BASELINE[9]): 2, tuple(WINDOW[:3]): 3})

    found = {t.term: t for t in trends(org, end=END)}

    assert set(found) == {"marianela", "clubdelectura"}
    assert found["marianela"].is_new and found["marianela"].growth == pytest.approx(10.0)  # over the floor of 1
    club = found["clubdelectura"]
    assert club.kind == "hashtag" and not club.is_new
    assert club.baseline_average == pytest.approx(1.0) and club.growth == pytest.approx(9.0)


def test_trends_are_ranked_by_growth_and_volume_and_can_be_filtered_and_limited(org):
    _term(org, "grande", baseline=10, window=25)  # 70 → 175: ×2.5 on a big volume
    _term(org, "pequena", baseline=0, window=1)  # 7, new: ×7 on a small volume
    _rows(org, HashtagDaily, "tag", "nochedejuegos", {tuple(WINDOW): 2})

    ranked = trends(org, end=END)
    assert [t.term for t in ranked] == ["grande", "nochedejuegos", "pequena"]
    assert ranked[0].score > ranked[1].score > ranked[2].score

    assert [t.term for t in trends(org, end=END, kind="hashtag")] == ["nochedejuegos"]
    assert [t.term for t in trends(org, end=END, kind="term")] == ["grande", "pequena"]
    assert [t.term for t in trends(org, end=END, limit=1)] == ["grande"]


def test_the_baseline_length_changes_the_average_per_window(org):
    # 28 quiet days, then 28 busier ones, then the window: a longer baseline remembers the quiet.
    older = [END - timedelta(days=n) for n in range(36, 64)]
    _rows(org, TermDaily, "term", "taller", {tuple(older): 1, tuple(BASELINE): 2, tuple(WINDOW): 5})
    short = trends(org, end=END, baseline_days=28)[0]
    longer = trends(org, end=END, baseline_days=56)[0]
    assert short.baseline_average == pytest.approx(14.0) and short.growth == pytest.approx(35 / 14)
    assert longer.baseline_average == pytest.approx(10.5) and longer.growth == pytest.approx(35 / 10.5)


def test_another_organisations_rollups_never_count(org, other_org):
    _term(other_org, "lectura", baseline=0, window=9)
    _term(org, "lectura", baseline=2, window=2)
    assert trends(org, end=END) == []
    assert [t.term for t in trends(other_org, end=END)] == ["lectura"]


def test_it_refuses_parameters_out_of_range(org):
    with pytest.raises(ValueError):
        trends(org, window_days=0)
    with pytest.raises(ValueError):
        trends(org, kind="emoji")
    with pytest.raises(ValueError):
        trends(org, limit=1000)


# --- end to end: mentions through the real ingest --------------------------------------------------


def _ingest(org, posts):
    """``posts``: (day, text) pairs, stored through the real ingest so the rollups are the real ones."""
    source = SourceFactory(org=org, platform="mastodon", kind="hashtag", target="biblioteca")
    items = [
        FetchedItem(
            external_id=f"https://m.example/{n}",
            url=f"https://m.example/{n}",
            text=text,
            author_handle=f"@vecina{n % 5}@m.example",
            author_name=f"Vecina {n % 5}",
            published_at=_noon(day) + timedelta(minutes=n),
        )
        for n, (day, text) in enumerate(posts)
    ]
    with transaction.atomic():
        mentions_ingest(source=source, items=items, queries=[], keep_query_ids=None, cursor={})


@pytest.fixture
def conversation(org):
    steady_es = "La sala de estudio de la biblioteca abre temprano"
    steady_en = "The study room at the library opens early"
    rising_es = "¡Qué ganas de que llegue el club de lectura de los jueves! Para que lo sepáis #ClubDeLectura"
    new_en = "Such a wonderful storytelling afternoon for the kids, thank you all"
    new_es = "Este mes la programación infantil está genial"
    posts = [(day, steady_es) for day in BASELINE + WINDOW]
    posts += [(day, steady_en) for day in (BASELINE + WINDOW)[::2]]
    posts += [(day, rising_es) for day in BASELINE[::7]]  # once a week
    posts += [(day, rising_es + ending) for day in WINDOW for ending in ("", " 📚", " 🙌")]  # three a day
    posts += [(day, new_en) for day in WINDOW[:5]]
    posts += [(day, new_es.replace("programación", spelling)) for day, spelling in zip(
        WINDOW[:4], ["programación", "PROGRAMACIÓN", "programacion", "programación"], strict=True
    )]  # fmt: skip
    _ingest(org, posts)


def test_rising_words_in_spanish_and_english_are_found_and_steady_ones_and_stop_words_are_not(org, conversation):
    found = {(t.kind, t.term): t for t in trends(org, end=END, limit=100)}

    terms = {term for kind, term in found if kind == "term"}
    assert {"club", "lectura", "jueves", "ganas", "llegue", "sepais"} <= terms  # Spanish, rising ×21
    assert {"storytelling", "wonderful", "afternoon", "kids"} <= terms  # English, new
    assert {"programacion", "infantil"} <= terms  # Spanish, new, written three ways
    assert not terms & {"sala", "estudio", "biblioteca", "abre", "temprano", "study", "room", "library", "opens"}
    assert not terms & STOP_WORDS
    assert found[("hashtag", "clubdelectura")].growth == pytest.approx(21.0)
    assert found[("term", "club")].window_count == 21 and found[("term", "club")].baseline_average == 1.0
    assert found[("term", "storytelling")].is_new


def test_each_trend_comes_with_recent_samples_from_its_window_and_its_usual_spelling(org, conversation):
    found = {(t.kind, t.term): t for t in trends(org, end=END, limit=100)}

    club = found[("hashtag", "clubdelectura")]
    assert club.label == "#ClubDeLectura"
    assert len(club.samples) == 3
    assert all("#ClubDeLectura" in s.text for s in club.samples)
    published = [s.published_at for s in club.samples]
    assert published == sorted(published, reverse=True) and published[0].date() == WINDOW[0]

    programming = found[("term", "programacion")]
    assert programming.label == "programación"  # the commonest spelling, not the folded key
    assert {s.text for s in programming.samples} >= {
        "Este mes la programación infantil está genial",
        "Este mes la programacion infantil está genial",
    }
    storytelling = found[("term", "storytelling")]
    assert storytelling.samples[0].author_handle.startswith("@vecina")
    assert len(storytelling.samples) == 1  # five posts with one text: shown once


def test_detection_reads_the_rollups_and_uses_a_fixed_number_of_queries(org, conversation):
    with CaptureQueriesContext(connection) as few:
        assert len(trends(org, end=END, limit=2)) == 2
    with CaptureQueriesContext(connection) as many:
        assert len(trends(org, end=END, limit=100)) > 10
    assert len(few.captured_queries) == len(many.captured_queries) <= 5
    raw_reads = [q["sql"] for q in many.captured_queries if "listening_mention" in q["sql"]]
    assert len(raw_reads) == 1  # only the samples; detection and series come from the rollups


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def recent(org):
    """A rising hashtag and word in the real last week (the page's window ends today)."""
    today = timezone.localdate(timezone=org.zoneinfo)
    window = [today - timedelta(days=n) for n in range(0, 7)]
    baseline = [today - timedelta(days=n) for n in range(7, 35)]
    _rows(org, HashtagDaily, "tag", "clubdelectura", {tuple(baseline[::7]): 1, tuple(window): 1})  # 1 → 7
    _rows(org, TermDaily, "term", "marianela", {tuple(window[:4]): 2})  # new
    _rows(org, TermDaily, "term", "biblioteca", {tuple(baseline + window): 3})  # steady
    moment = timezone.now() - timedelta(hours=2)
    mention = MentionFactory(
        org=org, text="Vamos al #ClubDeLectura a hablar de Marianela", author_handle="@ana@m.example",
        author_name="Ana Lectora", published_at=moment,
    )  # fmt: skip
    return mention


def test_the_page_shows_rising_trends_with_samples_and_links(client_for, org, editor, recent):
    response = client_for(editor).get(reverse("strategy-trends", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "#ClubDeLectura" in html and "Marianela" in html
    assert ">biblioteca<br>" not in html  # steady
    assert reverse("listening-mention-detail", kwargs={"org_slug": org.slug, "pk": recent.pk}) in html
    assert "Ana Lectora" in html
    assert reverse("listening-inbox", kwargs={"org_slug": org.slug}) + "?q=%23ClubDeLectura&amp;since=" in html
    idea = reverse("strategy-idea-create", kwargs={"org_slug": org.slug})
    assert f"{idea}?trend=%23ClubDeLectura" in html and f"{idea}?trend=Marianela" in html
    assert 'class="sparkline"' in html
    assert '<html lang="es">' in html  # the organisation's language


def test_the_page_speaks_english_and_formats_the_ratio_per_language(client_for, org, viewer, recent):
    client = client_for(viewer)
    url = reverse("strategy-trends", kwargs={"org_slug": org.slug})
    spanish = client.get(url, {"window": "14", "baseline": "28"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url, {"window": "14", "baseline": "28"}).content.decode()
    assert "Trends" in english and "How a trend is found" in english and "Sample mentions" in english
    assert "×</span>" in english
    assert "#ClubDeLectura" in spanish and '<html lang="es">' in spanish
    # Viewers read, they do not create ideas.
    assert "?trend=" not in english and "?trend=" not in spanish


def test_the_growth_ratio_uses_the_decimal_separator_of_the_language(client_for, org, viewer):
    today = timezone.localdate(timezone=org.zoneinfo)
    window = [today - timedelta(days=n) for n in range(0, 7)]
    baseline = [today - timedelta(days=n) for n in range(7, 35)]
    _rows(org, TermDaily, "term", "taller", {tuple(baseline): 2, tuple(window): 7})  # 56/4 = 14 → 49: ×3.5
    client = client_for(viewer)
    url = reverse("strategy-trends", kwargs={"org_slug": org.slug})
    assert "3,5</strong>" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert "3.5</strong>" in client.get(url).content.decode()


def test_the_page_explains_an_empty_result_and_survives_bad_parameters(client_for, org, viewer):
    client = client_for(viewer)
    client.cookies["django_language"] = "en"
    url = reverse("strategy-trends", kwargs={"org_slug": org.slug})
    response = client.get(url, {"window": "999", "kind": "hashtag"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is rising in the last 7 days" in html  # the default window, with the error shown
    assert "Select a valid choice" in html


def test_the_page_uses_a_fixed_number_of_queries(client_for, org, editor, recent, django_assert_num_queries):
    client = client_for(editor)
    url = reverse("strategy-trends", kwargs={"org_slug": org.slug})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    today = timezone.localdate(timezone=org.zoneinfo)
    for n in range(15):
        _rows(org, TermDaily, "term", f"palabra{n}", {(today, today - timedelta(days=1)): 3})
        MentionFactory(org=org, text=f"Hoy hablamos de palabra{n}", published_at=timezone.now())
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_inbox_offers_to_turn_a_mention_into_an_idea(client_for, org, editor, viewer, recent):
    idea = reverse("strategy-idea-create", kwargs={"org_slug": org.slug}) + f"?mention={recent.pk}"
    for page in ("listening-inbox", "listening-mention-detail"):
        kwargs = {"org_slug": org.slug} | ({"pk": recent.pk} if page.endswith("detail") else {})
        assert idea in client_for(editor).get(reverse(page, kwargs=kwargs)).content.decode()
    client = client_for(viewer)
    assert idea not in client.get(reverse("listening-inbox", kwargs={"org_slug": org.slug})).content.decode()


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_trends_in_a_pinned_shape(api_for, org, viewer, recent):
    response = api_for(viewer).get(f"/api/v1/orgs/{org.slug}/trends/", {"kind": "hashtag"})
    assert response.status_code == 200
    (club,) = response.json()
    assert set(club) == {
        "term", "kind", "label", "window_count", "baseline_average", "growth", "is_new", "daily", "samples"
    }  # fmt: skip
    assert club["term"] == "clubdelectura" and club["kind"] == "hashtag" and club["label"] == "#ClubDeLectura"
    assert club["window_count"] == 7 and club["baseline_average"] == 1.0 and club["growth"] == 7.0
    assert club["is_new"] is False
    assert len(club["daily"]) == 35 and club["daily"][-1] == {
        "date": timezone.localdate(timezone=org.zoneinfo).isoformat(),
        "count": 1,
    }
    (sample,) = club["samples"]
    assert set(sample) == {"id", "author", "text", "url", "published_at"}
    assert sample["id"] == recent.pk and sample["author"] == "@ana@m.example"


def test_the_api_takes_window_baseline_and_limit(api_for, org, viewer, recent):
    api = api_for(viewer)
    both = api.get(f"/api/v1/orgs/{org.slug}/trends/", {"window": 7, "baseline": 28}).json()
    assert [t["term"] for t in both] == ["marianela", "clubdelectura"]  # new ×8 on 8 beats ×7 on 7
    assert [t["term"] for t in api.get(f"/api/v1/orgs/{org.slug}/trends/", {"limit": 1}).json()] == ["marianela"]
    short = api.get(f"/api/v1/orgs/{org.slug}/trends/", {"window": 3, "kind": "term"}).json()
    assert [t["term"] for t in short] == ["marianela"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"window": 0}, "window"),
        ({"window": "week"}, "window"),
        ({"window": 91}, "window"),
        ({"baseline": 3}, "baseline"),
        ({"baseline": 400}, "baseline"),
        ({"kind": "emoji"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_the_api_refuses_bad_parameters_in_plain_words(api_for, org, viewer, params, field):
    response = api_for(viewer).get(f"/api/v1/orgs/{org.slug}/trends/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {field}
    assert error["fields"][field][0]


def test_the_api_answers_errors_in_the_language_asked_for(api_for, org, viewer):
    api, url = api_for(viewer), f"/api/v1/orgs/{org.slug}/trends/"
    spanish = api.get(url, {"window": 0}, HTTP_ACCEPT_LANGUAGE="es").json()["error"]["fields"]["window"][0]
    english = api.get(url, {"window": 0}, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["fields"]["window"][0]
    assert "1" in english and "1" in spanish and spanish != english


def test_the_api_uses_a_fixed_number_of_queries(api_for, org, viewer, recent, django_assert_num_queries):
    api = api_for(viewer)
    with CaptureQueriesContext(connection) as few:
        api.get(f"/api/v1/orgs/{org.slug}/trends/")
    today = timezone.localdate(timezone=org.zoneinfo)
    for n in range(15):
        _rows(org, HashtagDaily, "tag", f"tema{n}", {(today,): 4})
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api.get(f"/api/v1/orgs/{org.slug}/trends/").json()) == 17


# --- tenancy -------------------------------------------------------------------------------------


def test_an_outsider_gets_404_from_the_page_and_the_api(client_for, api_for, org, outsider, recent):
    assert client_for(outsider).get(reverse("strategy-trends", kwargs={"org_slug": org.slug})).status_code == 404
    assert api_for(outsider).get(f"/api/v1/orgs/{org.slug}/trends/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_or_refused(client, org):
    page = client.get(reverse("strategy-trends", kwargs={"org_slug": org.slug}))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert client.get(f"/api/v1/orgs/{org.slug}/trends/").status_code in (401, 403)
