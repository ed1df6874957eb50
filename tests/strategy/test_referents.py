from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from listening.models import AuthorDaily
from strategy.models import Referent, ReferentInteraction, ReferentStatus
from strategy.referents import referent_add_from_suggestion, referent_suggestions
from tests.listening.factories import MentionFactory

pytestmark = pytest.mark.django_db


def _author(org, handle, *, mentions, followers, interactions, posts=1, days_ago=3, name=""):
    day = timezone.localdate() - timedelta(days=days_ago)
    AuthorDaily.objects.create(org=org, day=day, author_handle=handle, count=mentions)
    for i in range(posts):
        MentionFactory(
            org=org,
            author_handle=handle,
            author_name=name,
            author_followers=followers,
            likes=interactions // posts,
            reposts=0,
            replies=0,
            published_at=timezone.now() - timedelta(days=days_ago, minutes=i),
        )


@pytest.fixture
def authors(org, other_org):
    # A: the most mentions, small reach, low engagement  → 0.5·1 + 0.3·0.4 + 0.2·0.1 = 0.64
    _author(org, "@ana@mastodon.social", mentions=10, followers=100, interactions=4, posts=2, name="Ana")
    # B: fewer mentions, the largest reach and engagement → 0.5·0.5 + 0.3·1 + 0.2·1 = 0.75
    _author(org, "@bea@mastodon.social", mentions=5, followers=99_999, interactions=20, name="Bea")
    # C: a couple of mentions, tiny reach, no engagement
    _author(org, "@carla@mastodon.social", mentions=1, followers=9, interactions=0)
    # Outside the window, already registered, or of another organisation: never suggested.
    _author(org, "@old@mastodon.social", mentions=50, followers=10**6, interactions=100, days_ago=200)
    _author(org, "@Known@Mastodon.Social", mentions=40, followers=10**6, interactions=100)
    Referent.objects.create(org=org, name="Known", handles={"mastodon": "@known@mastodon.social"})
    _author(other_org, "@sur@mastodon.social", mentions=99, followers=10**6, interactions=100)


def test_ranking_order_and_factors(org, authors):
    suggestions = referent_suggestions(org)
    assert [s["handle"] for s in suggestions] == [
        "@bea@mastodon.social",
        "@ana@mastodon.social",
        "@carla@mastodon.social",
    ]
    bea, ana, carla = suggestions
    assert bea["score"] == pytest.approx(0.75, abs=0.01)
    assert ana["score"] == pytest.approx(0.64, abs=0.01)
    assert ana["relevance"] == 1.0 and ana["mentions"] == 10 and ana["engagement"] == 2.0
    assert bea["reach"] == 1.0 and bea["engagement_score"] == 1.0 and bea["followers"] == 99_999
    assert carla["engagement_score"] == 0.0 and carla["relevance"] == pytest.approx(0.1)
    assert ana["name"] == "Ana" and ana["platform"] == "mastodon"
    assert set(bea) >= {"handle", "name", "mentions", "followers", "engagement", "score", "relevance", "reach"}


def test_limit_and_few_queries(org, authors, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(referent_suggestions(org, limit=1)) == 1


def test_registered_authors_are_excluded(org, authors):
    referent_add_from_suggestion(org, "@BEA@mastodon.social", name="Bea", platform="mastodon")
    handles = [s["handle"] for s in referent_suggestions(org)]
    assert "@bea@mastodon.social" not in handles and "@Known@Mastodon.Social" not in handles


def test_one_click_add(org, editor, authors, client_for):
    client = client_for(editor)
    url = reverse("strategy-referent-suggestion-add", args=[org.slug])
    response = client.post(url, {"handle": "@bea@mastodon.social", "name": "Bea", "platform": "mastodon"})
    assert response.status_code == 302
    referent = Referent.objects.get(org=org, name="Bea")
    assert referent.handles == {"mastodon": "@bea@mastodon.social"}
    assert referent.status == ReferentStatus.IDENTIFIED
    # Twice is harmless: the same referent is returned.
    client.post(url, {"handle": "@BEA@mastodon.social", "name": "Bea", "platform": "mastodon"})
    assert Referent.objects.filter(org=org).count() == 2  # Known + Bea
    page = client.get(reverse("strategy-referent-suggestions", args=[org.slug]))
    assert page.status_code == 200
    assert "@ana@mastodon.social" in page.content.decode()
    assert "@bea@mastodon.social" not in page.content.decode()


def test_add_with_clashing_name_gets_a_distinct_name(org):
    Referent.objects.create(org=org, name="Ana")
    referent = referent_add_from_suggestion(org, "@ana@bsky.social", name="Ana", platform="bluesky")
    assert referent.name == "Ana (2)"


def test_create_edit_and_list_filters(org, editor, viewer, client_for):
    client = client_for(editor)
    response = client.post(
        reverse("strategy-referent-create", args=[org.slug]),
        {
            "name": "Radio Norte",
            "kind": "media",
            "handles": "mastodon: @radio@mastodon.social\nbluesky: @radio.bsky.social",
            "topics": "cultura, barrio",
            "why": "La escucha todo el barrio",
            "status": "identified",
            "owner": editor.pk,
            "notes": "",
        },
    )
    assert response.status_code == 302
    radio = Referent.objects.get(org=org, name="Radio Norte")
    assert radio.handles == {"mastodon": "@radio@mastodon.social", "bluesky": "@radio.bsky.social"}
    assert radio.topic_list == ["cultura", "barrio"]
    edit = client.get(reverse("strategy-referent-edit", args=[org.slug, radio.pk]))
    assert "mastodon: @radio@mastodon.social" in edit.content.decode()
    Referent.objects.create(org=org, name="Ana", kind="person", status="partner")

    viewer_client = client_for(viewer)
    list_url = reverse("strategy-referent-list", args=[org.slug])
    page = viewer_client.get(list_url, {"kind": "media"}).content.decode()
    assert "Radio Norte" in page and "Ana" not in page
    page = viewer_client.get(list_url, {"status": "partner"}).content.decode()
    assert "Ana" in page and "Radio Norte" not in page


def test_bad_handles_are_rejected(org, editor, client_for):
    response = client_for(editor).post(
        reverse("strategy-referent-create", args=[org.slug]),
        {"name": "X", "kind": "person", "handles": "no colon here", "status": "identified"},
    )
    assert response.status_code == 200
    assert not Referent.objects.filter(org=org, name="X").exists()


def test_status_workflow(org, editor, client_for):
    referent = Referent.objects.create(org=org, name="Ana")
    client = client_for(editor)
    url = reverse("strategy-referent-detail", args=[org.slug, referent.pk])
    for status in ["contacted", "engaged", "partner"]:
        assert client.post(url, {"status": status}).status_code == 302
        referent.refresh_from_db()
        assert referent.status == status
    client.post(url, {"status": "nonsense"})
    referent.refresh_from_db()
    assert referent.status == "partner"


def test_interactions(org, editor, viewer, client_for):
    referent = Referent.objects.create(org=org, name="Ana")
    client = client_for(editor)
    url = reverse("strategy-referent-interaction-add", args=[org.slug, referent.pk])
    response = client.post(url, {"date": "2026-11-01", "kind": "meeting", "note": "Café en la biblioteca"})
    assert response.status_code == 302
    interaction = ReferentInteraction.objects.get(referent=referent)
    assert interaction.by == editor and interaction.kind == "meeting"
    assert client.post(url, {"date": "", "kind": "bogus"}).status_code == 400
    page = client_for(viewer).get(reverse("strategy-referent-detail", args=[org.slug, referent.pk]))
    assert "Café en la biblioteca" in page.content.decode()


def test_viewer_cannot_write(org, viewer, authors, client_for):
    referent = Referent.objects.create(org=org, name="Ana")
    client = client_for(viewer)
    assert client.get(reverse("strategy-referent-list", args=[org.slug])).status_code == 200
    assert client.get(reverse("strategy-referent-suggestions", args=[org.slug])).status_code == 200
    assert client.get(reverse("strategy-referent-detail", args=[org.slug, referent.pk])).status_code == 200
    writes = [
        (reverse("strategy-referent-create", args=[org.slug]), {"name": "Z", "kind": "person"}),
        (reverse("strategy-referent-edit", args=[org.slug, referent.pk]), {"name": "Z"}),
        (reverse("strategy-referent-detail", args=[org.slug, referent.pk]), {"status": "partner"}),
        (reverse("strategy-referent-interaction-add", args=[org.slug, referent.pk]), {"kind": "message"}),
        (reverse("strategy-referent-suggestion-add", args=[org.slug]), {"handle": "@ana@mastodon.social"}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("strategy-referent-create", args=[org.slug])).status_code == 403
    referent.refresh_from_db()
    assert referent.status == "identified" and Referent.objects.filter(org=org).count() == 2


def test_other_org_gets_404(org, outsider, client_for, api_for):
    referent = Referent.objects.create(org=org, name="Ana")
    client = client_for(outsider)
    for name in ["strategy-referent-detail", "strategy-referent-edit", "strategy-referent-interaction-add"]:
        assert client.get(reverse(name, args=["sur", referent.pk])).status_code in (404, 405)
        assert client.post(reverse(name, args=["sur", referent.pk]), {"status": "partner"}).status_code == 404
    assert client.get(reverse("strategy-referent-list", args=[org.slug])).status_code == 404
    api = api_for(outsider)
    assert api.get(f"/api/v1/orgs/sur/referents/{referent.pk}/").status_code == 404
    assert api.get(f"/api/v1/orgs/{org.slug}/referents/").status_code == 404


def test_api_shape(org, editor, viewer, authors, api_for):
    referent = Referent.objects.create(org=org, name="Ana", handles={"mastodon": "@ana@mastodon.social"})
    ReferentInteraction.objects.create(referent=referent, kind="message", note="Hola", by=editor)
    api = api_for(editor)
    base = f"/api/v1/orgs/{org.slug}/referents/"
    data = api.get(f"{base}{referent.pk}/").json()
    assert set(data) >= {"id", "name", "kind", "handles", "topics", "why", "status", "owner", "interactions"}
    assert data["interactions"][0]["note"] == "Hola" and data["interactions"][0]["by"] == editor.pk
    created = api.post(
        base,
        {"name": "Radio", "kind": "media", "handles": {"bluesky": "@radio.bsky.social"}, "interactions": []},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["interactions"] == []
    assert api.post(base, {"name": "radio", "kind": "media"}, format="json").status_code == 400
    assert api.post(base, {"name": "Bad", "handles": {"x": 3}}, format="json").status_code == 400
    suggestions = api.get(f"{base}suggestions/").json()
    assert [s["handle"] for s in suggestions] == ["@bea@mastodon.social", "@carla@mastodon.social"]
    assert set(suggestions[0]) >= {"score", "relevance", "reach", "engagement_score", "mentions", "followers"}
    viewer_api = api_for(viewer)
    assert viewer_api.get(f"{base}suggestions/").status_code == 200
    # The same ranking at the address.
    assert viewer_api.get(f"/api/v1/orgs/{org.slug}/influencer-suggestions/").json() == suggestions
    assert viewer_api.post(base, {"name": "Nope"}, format="json").status_code == 403
