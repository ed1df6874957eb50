"""Collecting the owned profiles' daily counts against a real local HTTP server speaking each
platform's documented wire format (Mastodon accounts/lookup, Bluesky getProfile, YouTube Data API
v3 channels.list, Reddit about.json)."""

from datetime import date

import pytest
from django.utils import translation

from listening.connectors.base import ConnectorError
from listening.http import HttpClient
from listening.services.poll import limiter_prefix, redis_client
from metrics import collect
from metrics.collect import NotCollectable, profile_counts, profile_snapshot_collect, snapshots_collect
from metrics.models import ProfileSnapshot
from tests.factories import ProfileFactory

DAY = date(2025, 6, 3)


@pytest.fixture(autouse=True)
def _fresh_host_limiter(settings):
    """The local server is one host for every platform: no spacing, nothing left blocked."""
    settings.LISTENING_HOST_MIN_INTERVAL = 0
    client = redis_client()
    for key in client.scan_iter(f"{limiter_prefix()}:*"):
        client.delete(key)
    yield
    for key in client.scan_iter(f"{limiter_prefix()}:*"):
        client.delete(key)


@pytest.fixture
def http():
    client = HttpClient()
    yield client
    client.close()


@pytest.fixture
def platforms(httpserver, monkeypatch):
    """Point every platform's base URL at the local server."""
    base = httpserver.url_for("").rstrip("/")
    monkeypatch.setattr(collect, "BASE_URLS", {"bluesky": base, "youtube": base, "reddit": base})
    return base


def mastodon_account(username: str, followers: int, following: int, statuses: int) -> dict:
    return {
        "id": "109302",
        "username": username,
        "acct": username,
        "display_name": "Biblioteca Norte",
        "locked": False,
        "bot": False,
        "created_at": "2022-11-07T00:00:00.000Z",
        "note": "<p>Biblioteca pública</p>",
        "url": f"https://mastodon.example/@{username}",
        "followers_count": followers,
        "following_count": following,
        "statuses_count": statuses,
        "last_status_at": "2025-06-02",
        "emojis": [],
        "fields": [],
    }


def mastodon_profile(httpserver, org, username="biblio", **kwargs):
    return ProfileFactory(
        org=org,
        platform="mastodon",
        handle=f"@{username}@mastodon.example",
        url=httpserver.url_for(f"/@{username}"),
        **kwargs,
    )


def expect_lookup(httpserver, username, followers=1200, following=80, statuses=450):
    httpserver.expect_request("/api/v1/accounts/lookup", query_string={"acct": username}).respond_with_json(
        mastodon_account(username, followers, following, statuses)
    )


# --- Mastodon -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mastodon_lookup_is_stored_as_todays_snapshot(httpserver, org, http):
    profile = mastodon_profile(httpserver, org)
    expect_lookup(httpserver, "biblio")

    snapshot = profile_snapshot_collect(profile=profile, http=http, today=DAY)

    snapshot.refresh_from_db()
    assert (snapshot.followers, snapshot.following, snapshot.posts) == (1200, 80, 450)
    assert snapshot.org == org
    assert snapshot.date == DAY
    assert snapshot.origin == ProfileSnapshot.Origin.POLL


@pytest.mark.django_db
def test_a_second_collection_the_same_day_updates_the_snapshot(httpserver, org, http):
    profile = mastodon_profile(httpserver, org)
    httpserver.expect_ordered_request("/api/v1/accounts/lookup").respond_with_json(
        mastodon_account("biblio", 1200, 80, 450)
    )
    httpserver.expect_ordered_request("/api/v1/accounts/lookup").respond_with_json(
        mastodon_account("biblio", 1210, 81, 452)
    )

    first = profile_snapshot_collect(profile=profile, http=http, today=DAY)
    second = profile_snapshot_collect(profile=profile, http=http, today=DAY)

    assert first.pk == second.pk
    assert ProfileSnapshot.objects.filter(profile=profile).count() == 1
    stored = ProfileSnapshot.objects.get(profile=profile)
    assert (stored.followers, stored.following, stored.posts) == (1210, 81, 452)


@pytest.mark.django_db
def test_mastodon_handle_alone_gives_the_server_and_base_url_replaces_it(httpserver, org, http):
    profile = ProfileFactory(org=org, platform="mastodon", handle="@lectura@mastodon.example", url="")
    expect_lookup(httpserver, "lectura", followers=7, following=3, statuses=9)

    counts = profile_counts(profile, http=http, base_url=httpserver.url_for(""))

    assert counts == {"followers": 7, "following": 3, "posts": 9}


@pytest.mark.django_db
def test_mastodon_handle_without_server_is_explained(org, http):
    profile = ProfileFactory(org=org, platform="mastodon", handle="@biblio", url="")
    with translation.override("en"), pytest.raises(ConnectorError) as error:
        profile_counts(profile, http=http)
    assert "with its server" in error.value.message


# --- Bluesky --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bluesky_get_profile_counts(httpserver, org, http, platforms):
    profile = ProfileFactory(org=org, platform="bluesky", handle="@norte.bsky.social")
    httpserver.expect_request(
        "/xrpc/app.bsky.actor.getProfile", query_string={"actor": "norte.bsky.social"}
    ).respond_with_json(
        {
            "did": "did:plc:abc123",
            "handle": "norte.bsky.social",
            "displayName": "Biblioteca Norte",
            "description": "Biblioteca pública",
            "followersCount": 530,
            "followsCount": 120,
            "postsCount": 88,
            "indexedAt": "2025-06-01T10:00:00.000Z",
            "createdAt": "2023-05-01T10:00:00.000Z",
        }
    )

    snapshot = profile_snapshot_collect(profile=profile, http=http, today=DAY)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (530, 120, 88)


# --- YouTube --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_youtube_channel_statistics_strings_become_ints(httpserver, org, http, platforms, settings):
    settings.YOUTUBE_API_KEY = "AIza-test-key"
    profile = ProfileFactory(org=org, platform="youtube", handle="@BibliotecaNorte")
    httpserver.expect_request(
        "/youtube/v3/channels",
        query_string={"part": "statistics", "forHandle": "BibliotecaNorte", "key": "AIza-test-key"},
    ).respond_with_json(
        {
            "kind": "youtube#channelListResponse",
            "etag": "e",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [
                {
                    "kind": "youtube#channel",
                    "etag": "e",
                    "id": "UC123",
                    "statistics": {
                        "viewCount": "98765",
                        "subscriberCount": "2400",
                        "hiddenSubscriberCount": False,
                        "videoCount": "61",
                    },
                }
            ],
        }
    )

    snapshot = profile_snapshot_collect(profile=profile, http=http, today=DAY)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (2400, None, 61)


@pytest.mark.django_db
def test_youtube_without_api_key_is_a_plain_error(httpserver, org, http, platforms, settings):
    settings.YOUTUBE_API_KEY = ""
    profile = ProfileFactory(org=org, platform="youtube", handle="@BibliotecaNorte")

    with translation.override("en"), pytest.raises(ConnectorError) as error:
        profile_counts(profile, http=http)

    assert "API key" in error.value.message
    assert not isinstance(error.value, NotCollectable)
    assert httpserver.log == []  # nothing was asked without a key


@pytest.mark.django_db
def test_youtube_unknown_handle_is_explained(httpserver, org, http, platforms, settings):
    settings.YOUTUBE_API_KEY = "AIza-test-key"
    profile = ProfileFactory(org=org, platform="youtube", handle="@nadie")
    httpserver.expect_request("/youtube/v3/channels").respond_with_json(
        {"kind": "youtube#channelListResponse", "etag": "e", "pageInfo": {"totalResults": 0, "resultsPerPage": 5}}
    )

    with translation.override("en"), pytest.raises(ConnectorError) as error:
        profile_counts(profile, http=http)

    assert "@nadie" in error.value.message


# --- Reddit ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reddit_about_json_subscribers(httpserver, org, http, platforms):
    profile = ProfileFactory(org=org, platform="reddit", handle="r/bibliotecas")
    httpserver.expect_request("/r/bibliotecas/about.json").respond_with_json(
        {
            "kind": "t5",
            "data": {
                "display_name": "bibliotecas",
                "display_name_prefixed": "r/bibliotecas",
                "title": "Bibliotecas",
                "subscribers": 15230,
                "accounts_active": 12,
                "public_description": "Todo sobre bibliotecas",
                "subreddit_type": "public",
                "over18": False,
            },
        }
    )

    snapshot = profile_snapshot_collect(profile=profile, http=http, today=DAY)

    assert (snapshot.followers, snapshot.following, snapshot.posts) == (15230, None, None)
    request, _response = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("MESM/")


# --- Not collectable and the whole run ------------------------------------------------------------


@pytest.mark.django_db
def test_instagram_is_not_collectable(org, http):
    profile = ProfileFactory(org=org, platform="instagram", handle="@biblionorte")
    with translation.override("en"), pytest.raises(NotCollectable) as error:
        profile_counts(profile, http=http)
    assert "CSV export" in error.value.message


@pytest.mark.django_db
def test_one_failing_profile_does_not_stop_the_others(httpserver, org, other_org, platforms):
    good = mastodon_profile(httpserver, org, username="norte")
    broken = mastodon_profile(httpserver, org, username="roto")
    reddit = ProfileFactory(org=org, platform="reddit", handle="r/bibliotecas")
    instagram = ProfileFactory(org=org, platform="instagram", handle="@biblionorte")
    archived = mastodon_profile(httpserver, org, username="viejo")
    archived.archive()
    elsewhere = mastodon_profile(httpserver, other_org, username="sur")
    expect_lookup(httpserver, "norte")
    httpserver.expect_request("/api/v1/accounts/lookup", query_string={"acct": "roto"}).respond_with_data(
        "boom", status=500
    )
    httpserver.expect_request("/r/bibliotecas/about.json").respond_with_json({"kind": "t5", "data": {"subscribers": 9}})

    result = snapshots_collect(org=org)

    assert result["collected"] == 2
    assert result["skipped"] == 1
    assert [profile_id for profile_id, _message in result["failed"]] == [broken.pk]
    message = result["failed"][0][1]
    assert isinstance(message, str) and "500" in message
    assert set(ProfileSnapshot.objects.values_list("profile_id", flat=True)) == {good.pk, reddit.pk}
    assert not ProfileSnapshot.objects.filter(profile__in=[instagram, archived, elsewhere]).exists()
    assert ProfileSnapshot.objects.get(profile=good).origin == ProfileSnapshot.Origin.POLL


@pytest.mark.django_db
def test_collect_all_organisations_when_no_org_is_given(httpserver, org, other_org):
    mastodon_profile(httpserver, org, username="norte")
    mastodon_profile(httpserver, other_org, username="sur")
    expect_lookup(httpserver, "norte")
    expect_lookup(httpserver, "sur")

    result = snapshots_collect()

    assert result == {"collected": 2, "skipped": 0, "failed": []}
    assert ProfileSnapshot.objects.count() == 2


@pytest.mark.django_db
def test_the_beat_task_collects(httpserver, org):
    from metrics.tasks import collect_profile_snapshots

    mastodon_profile(httpserver, org, username="norte")
    expect_lookup(httpserver, "norte")

    assert collect_profile_snapshots() == {"collected": 1, "skipped": 0, "failed": []}
