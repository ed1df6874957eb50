"""The demo platform server's publishing endpoints answer in Mastodon's and Bluesky's wire formats,
so `make run`'s demo organisation can publish without internet."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from listening.demo_server import growing_counts
from tests.strategy.publishing_factories import png_bytes, serve_demo_platforms


@pytest.fixture
def demo():
    yield from serve_demo_platforms()


def test_mastodon_statuses_honour_the_idempotency_key(demo):
    url = f"{demo.base_url}/mastodon/api/v1/statuses"
    auth = {"Authorization": "Bearer t", "Idempotency-Key": "k-1"}

    first = httpx.post(url, data={"status": "Hola", "visibility": "public"}, headers=auth)
    again = httpx.post(url, data={"status": "Hola otra vez", "visibility": "public"}, headers=auth)
    other = httpx.post(url, data={"status": "Otra"}, headers={**auth, "Idempotency-Key": "k-2"})

    assert first.status_code == again.status_code == other.status_code == 200
    assert again.json()["id"] == first.json()["id"] and other.json()["id"] != first.json()["id"]
    assert first.json()["content"] == "<p>Hola</p>"
    assert demo.publishing.status_requests == 3 and len(demo.publishing.statuses) == 2
    assert httpx.post(url, data={"status": "x"}).status_code == 401
    too_long = httpx.post(url, data={"status": "a" * 501}, headers={"Authorization": "Bearer t"})
    assert too_long.status_code == 422 and "character limit" in too_long.json()["error"]


def test_mastodon_media_is_processed_and_statuses_carry_it_with_growing_counts(demo):
    auth = {"Authorization": "Bearer t"}
    image = httpx.post(
        f"{demo.base_url}/mastodon/api/v2/media",
        files={"file": ("a.png", png_bytes(), "image/png")},
        data={"description": "Un cartel azul"},
        headers=auth,
    )
    video = httpx.post(
        f"{demo.base_url}/mastodon/api/v2/media",
        files={"file": ("b.mp4", b"\x00\x00", "video/mp4")},
        data={"description": "Vídeo"},
        headers=auth,
    )
    assert image.status_code == 200 and image.json()["url"] and image.json()["description"] == "Un cartel azul"
    assert video.status_code == 202 and video.json()["url"] is None
    media_url = f"{demo.base_url}/mastodon/api/v1/media/{video.json()['id']}"
    assert httpx.get(media_url, headers=auth).status_code == 206
    assert httpx.get(media_url, headers=auth).json()["url"]

    status = httpx.post(
        f"{demo.base_url}/mastodon/api/v1/statuses",
        data={"status": "Con imagen", "media_ids[]": [image.json()["id"], video.json()["id"]]},
        headers=auth,
    ).json()
    assert [media["description"] for media in status["media_attachments"]] == ["Un cartel azul", "Vídeo"]
    demo.publishing.statuses[status["id"]]["created"] -= timedelta(hours=2)
    read = httpx.get(f"{demo.base_url}/mastodon/api/v1/statuses/{status['id']}").json()
    assert (read["favourites_count"], read["reblogs_count"], read["replies_count"]) == (60, 15, 7)
    account = httpx.get(f"{demo.base_url}/mastodon/api/v1/accounts/verify_credentials", headers=auth).json()
    assert account["acct"] == "bibliotecademo"


def test_bluesky_record_keys_are_unique_and_records_can_be_read_back(demo):
    xrpc = f"{demo.base_url}/bluesky/xrpc"
    session = httpx.post(
        f"{xrpc}/com.atproto.server.createSession", json={"identifier": "bibliotecademo.bsky.social", "password": "p"}
    ).json()
    auth = {"Authorization": f"Bearer {session['accessJwt']}"}
    blob = httpx.post(
        f"{xrpc}/com.atproto.repo.uploadBlob", content=png_bytes(), headers={**auth, "Content-Type": "image/png"}
    ).json()["blob"]
    record = {
        "$type": "app.bsky.feed.post",
        "text": "Hola #biblio",
        "createdAt": "2026-11-20T10:00:00.000Z",
        "facets": [{"index": {"byteStart": 5, "byteEnd": 12}, "features": [{"$type": "x#tag", "tag": "biblio"}]}],
        "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "Un cartel", "image": blob}]},
    }
    body = {"repo": session["did"], "collection": "app.bsky.feed.post", "rkey": "3lbcdefghijkl", "record": record}

    created = httpx.post(f"{xrpc}/com.atproto.repo.createRecord", json=body, headers=auth)
    repeated = httpx.post(f"{xrpc}/com.atproto.repo.createRecord", json=body, headers=auth)
    bad_facet = {**record, "facets": [{"index": {"byteStart": 5, "byteEnd": 40}, "features": []}]}
    invalid = httpx.post(
        f"{xrpc}/com.atproto.repo.createRecord",
        json={**body, "rkey": "3lbcdefghijkm", "record": bad_facet},
        headers=auth,
    )

    assert created.status_code == 200
    assert created.json()["uri"] == f"at://{session['did']}/app.bsky.feed.post/3lbcdefghijkl"
    assert repeated.status_code == 500  # as Bluesky's server answers a taken record key today
    assert invalid.status_code == 400 and "facets" in invalid.json()["message"]
    params = {"repo": session["did"], "collection": "app.bsky.feed.post", "rkey": "3lbcdefghijkl"}
    read = httpx.get(f"{xrpc}/com.atproto.repo.getRecord", params=params)
    assert read.json()["value"]["text"] == "Hola #biblio"
    missing = httpx.get(f"{xrpc}/com.atproto.repo.getRecord", params={**params, "rkey": "3lbcdefghijkz"})
    assert missing.status_code == 400 and missing.json()["error"] == "RecordNotFound"
    posts = httpx.get(f"{xrpc}/app.bsky.feed.getPosts", params={"uris": [created.json()["uri"], "at://x/y/z"]})
    assert [post["uri"] for post in posts.json()["posts"]] == [created.json()["uri"]]
    too_many = httpx.get(f"{xrpc}/app.bsky.feed.getPosts", params={"uris": [f"at://x/y/{n}" for n in range(26)]})
    assert too_many.status_code == 400
    page = httpx.get(f"{demo.base_url}/bluesky/profile/bibliotecademo.bsky.social/post/3lbcdefghijkl")
    assert page.status_code == 200 and "Hola #biblio" in page.text


def test_bluesky_resolves_the_demo_handles_only(demo):
    url = f"{demo.base_url}/bluesky/xrpc/com.atproto.identity.resolveHandle"

    assert httpx.get(url, params={"handle": "martalee.bsky.social"}).json()["did"].startswith("did:plc:")
    assert httpx.get(url, params={"handle": "bibliotecademo.bsky.social"}).status_code == 200
    assert httpx.get(url, params={"handle": "nadie.example"}).status_code == 400


def test_counts_grow_with_age_then_level_off():
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    assert growing_counts(now, now) == (0, 0, 0)
    assert growing_counts(now - timedelta(minutes=20), now) == (10, 2, 1)
    assert growing_counts(now - timedelta(days=3), now) == (120, 30, 15)
