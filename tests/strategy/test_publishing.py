"""Publishing scheduled posts to Mastodon and Bluesky: once, with media and alt text, with facets,
and with plain-words errors and a bounded backoff. The outside world is the demo platform server
(a stateful stand-in speaking both wire formats) or pytest-httpserver for error answers."""

import json
import threading
import time
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from werkzeug import Response

from listening.http import HttpClient
from strategy import publishing
from strategy.models import PlannedPost, PostEvent, PostMetric, PostStatus
from strategy.publishing.base import post_rkey
from strategy.publishing.bluesky import BlueskyPublisher
from strategy.publishing.mastodon import MastodonPublisher
from strategy.publishing.services import BACKOFF_CAP, CLAIM_TTL, MAX_ATTEMPTS, Outcome, post_publish
from tests.factories import OrganizationFactory, ProfileFactory
from tests.strategy.publishing_factories import (
    add_media,
    bluesky_profile,
    configure_publishing,
    http,
    mastodon_profile,
    scheduled_post,
    serve_demo_platforms,
)


@pytest.fixture(autouse=True)
def _publishing_settings(settings, tmp_path):
    configure_publishing(settings, tmp_path)


@pytest.fixture
def demo_platforms():
    yield from serve_demo_platforms()


@pytest.fixture
def org_en(db):
    """An English-speaking organisation, so messages can be read in the catalogue's source language."""
    return OrganizationFactory(slug="north", language="en")


def _statuses(server):
    return list(server.publishing.statuses.values())


def _records(server):
    return list(server.publishing.records.values())


# --- Mastodon ----------------------------------------------------------------------------------


def test_it_publishes_a_mastodon_post_with_its_images_alt_text_and_idempotency_key(org, demo_platforms):
    profile = mastodon_profile(org, f"{demo_platforms.base_url}/mastodon")
    post = scheduled_post(
        profile, text="Club de lectura el jueves 📚", link="https://biblioteca.example/club", hashtags="#lectura"
    )
    add_media(post, "cartel.png", "Cartel: club de lectura, jueves a las 19:00")
    add_media(post, "sala.png", "La sala infantil con cojines de colores")

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    [status] = _statuses(demo_platforms)
    assert status["text"] == "Club de lectura el jueves 📚\n\nhttps://biblioteca.example/club\n\n#lectura"
    assert status["visibility"] == "public" and status["language"] == "es"
    assert status["idempotency_key"] == str(post.idempotency_key)
    assert [media["description"] for media in status["media_attachments"]] == [
        "Cartel: club de lectura, jueves a las 19:00",
        "La sala infantil con cojines de colores",
    ]
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.external_id == status["id"]
    assert post.external_url == f"{demo_platforms.base_url}/mastodon/@bibliotecademo/{status['id']}"
    assert post.published_at is not None and post.publish_error == "" and post.publish_claimed_at is None
    event = PostEvent.objects.get(post=post, kind="published")
    assert (event.actor, event.from_status, event.to_status) == (None, "scheduled", "published")
    assert httpx.get(post.external_url).status_code == 200  # the demo's page of the status


def test_it_waits_for_media_the_server_is_still_processing(org, httpserver):
    profile = mastodon_profile(org, httpserver.url_for("/"))
    post = scheduled_post(profile)
    add_media(post, "video.mp4", "Vídeo del taller de robótica", content=b"\x00\x00\x00\x18ftypmp42")
    media = {"id": "77", "type": "video", "url": None, "description": "Vídeo del taller de robótica"}
    httpserver.expect_ordered_request("/api/v2/media", method="POST").respond_with_json(media, status=202)
    httpserver.expect_ordered_request("/api/v1/media/77").respond_with_json(media, status=206)
    httpserver.expect_ordered_request("/api/v1/media/77").respond_with_json(
        {**media, "url": "https://files.example/77.mp4"}
    )
    httpserver.expect_ordered_request("/api/v1/statuses", method="POST").respond_with_json(
        {"id": "1001", "url": "https://social.example/@b/1001", "uri": "https://social.example/users/b/1001"}
    )

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    upload, *_polls, create = [request for request, _response in httpserver.log]
    assert b'name="description"' in upload.get_data() and "Vídeo del taller".encode() in upload.get_data()
    assert create.form.getlist("media_ids[]") == ["77"]
    assert create.headers["Idempotency-Key"] == str(post.idempotency_key)
    assert create.headers["Authorization"] == "Bearer demo-token"
    post.refresh_from_db()
    assert (post.external_id, post.external_url) == ("1001", "https://social.example/@b/1001")


# --- Bluesky -----------------------------------------------------------------------------------


def test_it_publishes_a_bluesky_post_with_facets_images_and_a_fixed_record_key(org, demo_platforms):
    profile = bluesky_profile(org, f"{demo_platforms.base_url}/bluesky")
    post = scheduled_post(
        profile,
        text="Día 📚 del libro con @martalee.bsky.social y @nadie.example: ¡ven!",
        link="https://biblioteca.example/día",
        hashtags="#DíaDelLibro",
    )
    add_media(post, "cartel.png", "Cartel del Día del Libro")

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    [stored] = _records(demo_platforms)
    record = stored["value"]
    text = record["text"]
    assert text == post.compose_text()
    assert record["langs"] == ["es"] and record["$type"] == "app.bsky.feed.post"
    encoded = text.encode()

    def sliced(facet):
        return encoded[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()

    found = {(facet["features"][0]["$type"].rsplit("#", 1)[1], sliced(facet)) for facet in record["facets"]}
    assert found == {
        ("mention", "@martalee.bsky.social"),  # @nadie.example does not resolve: left as plain text
        ("link", "https://biblioteca.example/día"),
        ("tag", "#DíaDelLibro"),
    }
    tag = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#tag"))
    assert tag["features"][0]["tag"] == "DíaDelLibro"
    mention = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"].startswith("did:plc:")
    [image] = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == "Cartel del Día del Libro" and image["aspectRatio"] == {"width": 40, "height": 30}
    post.refresh_from_db()
    rkey = post_rkey(post)
    assert post.external_id == stored["uri"] and post.external_id.endswith(f"/app.bsky.feed.post/{rkey}")
    assert post.external_url == f"https://bsky.app/profile/bibliotecademo.bsky.social/post/{rkey}"


def test_it_embeds_the_link_as_a_card_when_the_post_has_no_images(org, demo_platforms, settings):
    settings.BLUESKY_WEB_URL = "https://bsky.example"
    profile = bluesky_profile(org, f"{demo_platforms.base_url}/bluesky")
    post = scheduled_post(profile, text="Nuevo horario de verano", link="https://biblioteca.example/horario")

    post_publish(post_id=post.pk, http=http())

    [stored] = _records(demo_platforms)
    assert stored["value"]["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": post.link, "title": post.link, "description": ""},
    }
    post.refresh_from_db()
    assert post.external_url.startswith("https://bsky.example/profile/bibliotecademo.bsky.social/post/")


def test_the_record_key_is_a_valid_tid_and_the_same_on_every_attempt(org):
    profile = ProfileFactory(org=org, platform="bluesky")
    first, second = scheduled_post(profile), scheduled_post(profile)
    rkey = post_rkey(first)

    assert len(rkey) == 13 and rkey[0] in "234567abcdefghij"
    assert set(rkey) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert post_rkey(PlannedPost.objects.get(pk=first.pk)) == rkey
    assert post_rkey(second) != rkey


def test_an_existing_record_reply_reads_the_record_back_and_counts_as_published(org_en, httpserver):
    """The explicit "already exists" answer Bluesky is adding: the post is there, so it is published."""
    profile = bluesky_profile(org_en, httpserver.url_for("/"))
    post = scheduled_post(profile, text="Hola")
    rkey = post_rkey(post)
    session = {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:biblio", "handle": "biblio.example"}
    uri = f"at://did:plc:biblio/app.bsky.feed.post/{rkey}"
    httpserver.expect_request("/xrpc/com.atproto.server.createSession", method="POST").respond_with_json(session)
    httpserver.expect_request("/xrpc/com.atproto.repo.createRecord", method="POST").respond_with_json(
        {"error": "RecordAlreadyExists", "message": "Record already exists"}, status=400
    )
    httpserver.expect_request(
        "/xrpc/com.atproto.repo.getRecord",
        query_string={"repo": "did:plc:biblio", "collection": "app.bsky.feed.post", "rkey": rkey},
    ).respond_with_json({"uri": uri, "cid": "bafy", "value": {"text": "Hola"}})

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    post.refresh_from_db()
    assert post.external_id == uri
    assert post.external_url == f"https://bsky.app/profile/biblio.example/post/{rkey}"
    create = next(request for request, _ in httpserver.log if request.path.endswith("createRecord"))
    assert json.loads(create.get_data())["rkey"] == rkey


def test_a_refused_bluesky_record_quotes_the_platform(org_en, httpserver):
    profile = bluesky_profile(org_en, httpserver.url_for("/"))
    post = scheduled_post(profile, text="x" * 320)
    session = {"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:biblio", "handle": "biblio.example"}
    httpserver.expect_request("/xrpc/com.atproto.server.createSession", method="POST").respond_with_json(session)
    message = "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    httpserver.expect_request("/xrpc/com.atproto.repo.createRecord", method="POST").respond_with_json(
        {"error": "InvalidRequest", "message": message}, status=400
    )
    httpserver.expect_request("/xrpc/com.atproto.repo.getRecord").respond_with_json(
        {"error": "RecordNotFound", "message": "Could not locate record"}, status=400
    )

    assert post_publish(post_id=post.pk, http=http()) == Outcome.FAILED

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.external_id == ""
    assert post.publish_error.startswith(f"Bluesky refused the post: “{message}”.")


# --- Once and only once ------------------------------------------------------------------------


def test_running_it_twice_publishes_once(org, demo_platforms):
    post = scheduled_post(mastodon_profile(org, f"{demo_platforms.base_url}/mastodon"))

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED
    assert post_publish(post_id=post.pk, http=http()) == Outcome.SKIPPED

    assert demo_platforms.publishing.status_requests == 1
    assert len(_statuses(demo_platforms)) == 1
    assert PostEvent.objects.filter(post=post, kind="published").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_two_workers_at_once_publish_once(demo_platforms, platform):
    org = OrganizationFactory(slug=f"concurrent-{platform}")
    make = mastodon_profile if platform == "mastodon" else bluesky_profile
    post = scheduled_post(make(org, f"{demo_platforms.base_url}/{platform}"))
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(post_publish(post_id=post.pk, http=http()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) in (["busy", "published"], ["published", "skipped"])
    creates = demo_platforms.publishing.status_requests + demo_platforms.publishing.record_requests
    assert creates == 1
    assert len(_statuses(demo_platforms)) + len(_records(demo_platforms)) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_a_crash_after_mastodon_replied_is_retried_with_the_same_key_and_posts_once(org, demo_platforms):
    profile = mastodon_profile(org, f"{demo_platforms.base_url}/mastodon")
    post = scheduled_post(profile)
    # A worker claimed the post and got the status created, then died before recording it.
    created = MastodonPublisher(profile, http()).publish(post, [], language="es")
    PlannedPost.objects.filter(pk=post.pk).update(publish_claimed_at=timezone.now() - CLAIM_TTL - timedelta(seconds=1))

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    assert demo_platforms.publishing.status_requests == 2  # the retry did ask again…
    assert len(_statuses(demo_platforms)) == 1  # …and Mastodon answered with the first status
    post.refresh_from_db()
    assert post.external_id == created.external_id and post.status == PostStatus.PUBLISHED


def test_a_crash_after_bluesky_replied_is_retried_with_the_same_record_key_and_posts_once(org, demo_platforms):
    profile = bluesky_profile(org, f"{demo_platforms.base_url}/bluesky")
    post = scheduled_post(profile, text="Hoy #cuentacuentos")
    created = BlueskyPublisher(profile, http()).publish(post, [], language="es")
    PlannedPost.objects.filter(pk=post.pk).update(publish_claimed_at=timezone.now() - CLAIM_TTL - timedelta(seconds=1))

    assert post_publish(post_id=post.pk, http=http()) == Outcome.PUBLISHED

    assert demo_platforms.publishing.record_requests == 2  # the second create was refused (key taken)
    assert len(_records(demo_platforms)) == 1
    post.refresh_from_db()
    assert post.external_id == created.external_id and post.publish_error == ""


def test_a_live_claim_keeps_other_workers_away(org, demo_platforms):
    post = scheduled_post(mastodon_profile(org, f"{demo_platforms.base_url}/mastodon"))
    PlannedPost.objects.filter(pk=post.pk).update(publish_claimed_at=timezone.now() - timedelta(minutes=1))

    assert post_publish(post_id=post.pk, http=http()) == Outcome.BUSY
    assert demo_platforms.publishing.status_requests == 0


# --- Which posts are due -----------------------------------------------------------------------


def test_it_finds_the_due_posts_of_connected_profiles_only(org, demo_platforms):
    connected = mastodon_profile(org, f"{demo_platforms.base_url}/mastodon")
    due = scheduled_post(connected)
    retry_due = scheduled_post(connected, next_attempt_at=timezone.now() - timedelta(seconds=5), publish_attempts=2)
    stale_claim = scheduled_post(connected, publish_claimed_at=timezone.now() - CLAIM_TTL - timedelta(minutes=1))
    scheduled_post(connected, scheduled_at=timezone.now() + timedelta(hours=1))  # not yet
    scheduled_post(connected, next_attempt_at=timezone.now() + timedelta(minutes=5))  # backing off
    scheduled_post(connected, publish_claimed_at=timezone.now())  # in flight
    scheduled_post(connected, publish_attempts=MAX_ATTEMPTS)  # gave up
    scheduled_post(connected, status=PostStatus.APPROVED)
    scheduled_post(ProfileFactory(org=org, platform="instagram"))  # published by hand

    assert publishing.posts_due_for_publishing() == [due.pk, retry_due.pk, stale_claim.pk]


def test_a_due_post_of_an_unconnected_profile_says_to_publish_by_hand_once_and_is_never_sent(org_en):
    profile = ProfileFactory(org=org_en, platform="bluesky")  # no server, no credentials
    post = scheduled_post(profile)

    assert publishing.posts_due_for_publishing() == []
    assert publishing.posts_due_for_publishing() == []
    assert post_publish(post_id=post.pk) == Outcome.MANUAL

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.publish_attempts == 0
    assert "publish by hand or connect the profile" in post.publish_error
    assert PostEvent.objects.filter(post=post, kind="publish_failed").count() == 1


# --- Failures in plain words ---------------------------------------------------------------------


def test_refused_credentials_say_to_reconnect_the_profile(org_en, httpserver):
    post = scheduled_post(mastodon_profile(org_en, httpserver.url_for("/")))
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        {"error": "The access token is invalid"}, status=401
    )
    before = timezone.now()

    assert post_publish(post_id=post.pk, http=http()) == Outcome.FAILED

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.publish_attempts == 1
    assert "reconnect the profile" in post.publish_error
    assert post.publish_error.endswith("We will try again automatically.")
    assert before + timedelta(seconds=47) <= post.next_attempt_at <= timezone.now() + timedelta(seconds=73)
    assert post.publish_claimed_at is None
    event = PostEvent.objects.get(post=post, kind="publish_failed")
    assert event.message == post.publish_error and event.actor is None


def test_a_validation_error_quotes_mastodon(org_en, httpserver):
    post = scheduled_post(mastodon_profile(org_en, httpserver.url_for("/")))
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        {"error": "Validation failed: Text character limit of 500 exceeded"}, status=422
    )

    post_publish(post_id=post.pk, http=http())

    post.refresh_from_db()
    assert post.publish_error.startswith(
        "Mastodon refused the post: “Validation failed: Text character limit of 500 exceeded”."
    )


def test_a_server_that_does_not_answer_is_reported_as_such(org_en, httpserver):
    post = scheduled_post(mastodon_profile(org_en, httpserver.url_for("/")))

    def slow(request):
        time.sleep(1.5)
        return Response("{}", status=200, content_type="application/json")

    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_handler(slow)

    post_publish(post_id=post.pk, http=HttpClient(limiter=None, client=httpx.Client(timeout=0.5)))

    post.refresh_from_db()
    assert post.publish_error.startswith("The Mastodon server did not answer in time.")
    assert post.publish_attempts == 1


def test_the_message_speaks_the_organisations_language(org):
    # Nothing listens on port 9: the connection is refused. The org speaks Spanish.
    post = scheduled_post(mastodon_profile(org, "http://127.0.0.1:9"))

    post_publish(post_id=post.pk, http=http())

    post.refresh_from_db()
    assert post.publish_error.startswith("No se ha podido conectar con 127.0.0.1:9")


def test_a_rate_limit_waits_as_asked_without_counting_an_attempt(org_en, httpserver):
    post = scheduled_post(mastodon_profile(org_en, httpserver.url_for("/")))
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        {"error": "Too many requests"}, status=429, headers={"Retry-After": "600"}
    )

    post_publish(post_id=post.pk, http=http())

    post.refresh_from_db()
    assert post.publish_attempts == 0
    assert timezone.now() + timedelta(minutes=9) < post.next_attempt_at < timezone.now() + timedelta(minutes=11)
    assert "asked us to slow down" in post.publish_error


def test_it_backs_off_exponentially_and_stops_after_the_last_attempt(org_en):
    post = scheduled_post(mastodon_profile(org_en, "http://127.0.0.1:9"))
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        PlannedPost.objects.filter(pk=post.pk).update(next_attempt_at=None)
        started = timezone.now()
        assert post_publish(post_id=post.pk, http=http()) == Outcome.FAILED
        post.refresh_from_db()
        assert post.publish_attempts == attempt
        if post.next_attempt_at:
            waits.append((post.next_attempt_at - started).total_seconds() / 60)

    assert len(waits) == MAX_ATTEMPTS - 1
    for index, minutes in enumerate(waits):
        expected = min(2**index, BACKOFF_CAP.total_seconds() / 60)
        assert expected * 0.79 <= minutes <= min(expected * 1.21, BACKOFF_CAP.total_seconds() / 60 + 0.01)
    assert post.next_attempt_at is None
    assert f"We stopped trying after {MAX_ATTEMPTS} attempts" in post.publish_error
    assert post_publish(post_id=post.pk, http=http()) == Outcome.SKIPPED
    assert post.pk not in publishing.posts_due_for_publishing()
    assert PostEvent.objects.filter(post=post, kind="publish_failed").count() == MAX_ATTEMPTS


def test_a_missing_media_file_is_a_plain_error_and_nothing_is_sent(org_en, demo_platforms):
    post = scheduled_post(mastodon_profile(org_en, f"{demo_platforms.base_url}/mastodon"))
    media = add_media(post, "cartel.png", "Cartel")
    media.file.storage.delete(media.file.name)

    assert post_publish(post_id=post.pk, http=http()) == Outcome.FAILED

    post.refresh_from_db()
    assert post.publish_error.startswith("The file “cartel.png” is no longer on the server.")
    assert demo_platforms.publishing.log.count(("POST", "/mastodon/api/v2/media")) == 0
    assert demo_platforms.publishing.status_requests == 0


def test_bluesky_refuses_videos_and_images_over_one_megabyte_before_sending_anything(org_en, demo_platforms):
    profile = bluesky_profile(org_en, f"{demo_platforms.base_url}/bluesky")
    video_post = scheduled_post(profile)
    add_media(video_post, "taller.mp4", "Taller", content=b"\x00\x00\x00\x18ftypmp42")
    big_post = scheduled_post(profile)
    add_media(big_post, "mapa.png", "Mapa antiguo", content=b"\x89PNG" + b"0" * 1_100_000)

    post_publish(post_id=video_post.pk, http=http())
    post_publish(post_id=big_post.pk, http=http())

    video_post.refresh_from_db()
    big_post.refresh_from_db()
    assert "“taller.mp4” is not one" in video_post.publish_error
    assert "Bluesky accepts images of up to" in big_post.publish_error
    assert demo_platforms.publishing.record_requests == 0 and not demo_platforms.publishing.blobs


# --- Performance -------------------------------------------------------------------------------


def test_it_reads_the_counts_of_recent_posts_and_keeps_one_row_a_day(org, demo_platforms):
    mastodon = mastodon_profile(org, f"{demo_platforms.base_url}/mastodon")
    bluesky = bluesky_profile(org, f"{demo_platforms.base_url}/bluesky")
    toot, skeet = scheduled_post(mastodon), scheduled_post(bluesky)
    post_publish(post_id=toot.pk, http=http())
    post_publish(post_id=skeet.pk, http=http())
    # Pretend both went out an hour ago, so the demo counts have grown.
    hour_ago = timezone.now() - timedelta(hours=1)
    for status in demo_platforms.publishing.statuses.values():
        status["created"] = hour_ago
    for record in demo_platforms.publishing.records.values():
        record["created"] = hour_ago
    old = scheduled_post(mastodon, status=PostStatus.PUBLISHED, external_id="999")
    PlannedPost.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=31))

    assert publishing.posts_refresh_metrics(http=http()) == 2
    assert publishing.posts_refresh_metrics(http=http()) == 2

    for post in (toot, skeet):
        post.refresh_from_db()
        assert (post.likes, post.reposts, post.replies) == (30, 7, 3)
        assert post.metrics_refreshed_at is not None
        [metric] = PostMetric.objects.filter(post=post)
        assert metric.date == timezone.localdate(timezone.now(), org.zoneinfo)
        assert (metric.likes, metric.reposts, metric.replies) == (30, 7, 3)
    assert not PostMetric.objects.filter(post=old).exists()
    assert ("GET", "/mastodon/api/v1/statuses/999") not in demo_platforms.publishing.log


def test_bluesky_counts_are_asked_25_posts_at_a_time(org, demo_platforms):
    profile = bluesky_profile(org, f"{demo_platforms.base_url}/bluesky")
    posts = [scheduled_post(profile, text=f"Post {n}") for n in range(26)]
    for post in posts:
        post_publish(post_id=post.pk, http=http())

    assert publishing.posts_refresh_metrics(http=http()) == 26

    assert demo_platforms.publishing.log.count(("GET", "/bluesky/xrpc/app.bsky.feed.getPosts")) == 2
    assert PostMetric.objects.filter(post__in=posts).count() == 26
