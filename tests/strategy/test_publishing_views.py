"""The publishing pages: a profile's connection (administrators), and on a post the publishing
panel, "mark as published" and "retry now" (editors)."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from strategy.models import PlannedPost, PostEvent, PostStatus, Profile
from strategy.publishing.services import CLAIM_TTL, MAX_ATTEMPTS
from tests.factories import ProfileFactory
from tests.strategy.publishing_factories import (
    add_media,
    bluesky_profile,
    configure_publishing,
    mastodon_profile,
    scheduled_post,
    serve_demo_platforms,
)

ENGLISH = {"django_language": "en"}


@pytest.fixture(autouse=True)
def _publishing_settings(settings, tmp_path):
    configure_publishing(settings, tmp_path)


@pytest.fixture
def demo_platforms():
    yield from serve_demo_platforms()


@pytest.fixture
def english(client):
    client.cookies.load(ENGLISH)
    return client


def _page_url(profile):
    return reverse("strategy-profile-publishing", kwargs={"org_slug": profile.org.slug, "pk": profile.pk})


def _post_url(name, post):
    return reverse(name, kwargs={"org_slug": post.org.slug, "pk": post.pk})


# --- The profile's connection --------------------------------------------------------------------


def test_an_admin_connects_a_mastodon_profile_and_never_sees_the_token_again(
    org, admin_user, client_for, english, demo_platforms
):
    profile = ProfileFactory(org=org, platform="mastodon")
    client = client_for(admin_user)

    response = client.post(
        _page_url(profile),
        {"action": "save", "api_base_url": f"{demo_platforms.base_url}/mastodon", "access_token": "s3cret-token"},
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.credentials["access_token"] == "s3cret-token"
    assert profile.publishes_automatically and profile.api_base_url == f"{demo_platforms.base_url}/mastodon"
    page = client.get(_page_url(profile)).content.decode()
    assert "s3cret-token" not in page
    assert "Credentials saved on" in page and "Connected" in page

    # Saving again with a blank token keeps it; a new char limit is stored.
    client.post(_page_url(profile), {"action": "save", "api_base_url": profile.api_base_url, "char_limit": "1000"})
    profile.refresh_from_db()
    assert profile.credentials["access_token"] == "s3cret-token" and profile.effective_char_limit == 1000

    tested = client.post(_page_url(profile), {"action": "test"}, follow=True).content.decode()
    assert "It works: Mastodon accepted the credentials of @bibliotecademo." in tested
    assert demo_platforms.publishing.log.count(("GET", "/mastodon/api/v1/accounts/verify_credentials")) == 1


def test_a_refused_token_is_reported_in_plain_words(org, admin_user, client_for, english, httpserver):
    profile = mastodon_profile(org, httpserver.url_for("/"), token="old")
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_json(
        {"error": "The access token is invalid"}, status=401
    )

    page = client_for(admin_user).post(_page_url(profile), {"action": "test"}, follow=True).content.decode()

    assert "Mastodon did not accept these credentials." in page


def test_a_bluesky_profile_keeps_its_account_visible_and_its_app_password_secret(
    org, admin_user, client_for, english, demo_platforms
):
    profile = ProfileFactory(org=org, platform="bluesky", handle="@bibliotecademo.bsky.social")
    client = client_for(admin_user)
    url = _page_url(profile)
    base = f"{demo_platforms.base_url}/bluesky"

    missing = client.post(url, {"action": "save", "api_base_url": base, "identifier": "bibliotecademo.bsky.social"})
    assert missing.status_code == 200 and "Write the app password of this account." in missing.content.decode()
    client.post(
        url,
        {
            "action": "save",
            "api_base_url": base,
            "identifier": "bibliotecademo.bsky.social",
            "app_password": "abcd-efgh",
        },
    )

    profile.refresh_from_db()
    assert profile.credentials["identifier"] == "bibliotecademo.bsky.social"
    assert profile.credentials["app_password"] == "abcd-efgh"
    page = client.get(url).content.decode()
    assert "abcd-efgh" not in page and "Account: bibliotecademo.bsky.social." in page
    tested = client.post(url, {"action": "test"}, follow=True).content.decode()
    assert "It works: Bluesky accepted the credentials of bibliotecademo.bsky.social." in tested

    removed = client.post(url, {"action": "remove"}, follow=True).content.decode()
    profile.refresh_from_db()
    assert not profile.has_credentials and not profile.publishes_automatically
    assert "Posts of this profile are now published by hand." in removed


def test_only_administrators_open_the_publishing_page(org, editor, outsider, client_for):
    profile = ProfileFactory(org=org, platform="mastodon")

    assert client_for(editor).get(_page_url(profile)).status_code == 403
    assert client_for(outsider).get(_page_url(profile)).status_code == 404


def test_an_instagram_profile_only_sets_its_length_limit(org, admin_user, client_for, english):
    profile = ProfileFactory(org=org, platform="instagram")
    client = client_for(admin_user)

    page = client.get(_page_url(profile)).content.decode()
    client.post(_page_url(profile), {"action": "save", "char_limit": "2200", "api_base_url": "https://x.example"})

    assert "its posts are published by hand" in page and 'name="api_base_url"' not in page
    profile = Profile.objects.get(pk=profile.pk)
    assert profile.char_limit == 2200 and profile.api_base_url == ""


# --- Mark as published, retry now ----------------------------------------------------------------


def test_an_editor_marks_a_post_published_by_hand(org, editor, client_for, english):
    post = scheduled_post(ProfileFactory(org=org, platform="instagram"))

    response = client_for(editor).post(
        _post_url("strategy-post-mark-published", post), {"url": "https://www.instagram.com/p/abc123/"}
    )

    assert response.status_code == 302 and response.url == _post_url("strategy-post-detail", post)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    again = client_for(editor).post(
        _post_url("strategy-post-mark-published", post), {"url": "https://x.example/2"}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 200 and "Only an approved or scheduled post" in again.content.decode()
    assert post.external_url == "https://www.instagram.com/p/abc123/"
    event = PostEvent.objects.get(post=post, kind="published")
    assert (event.actor, event.from_status, event.to_status) == (editor, "scheduled", "published")


def test_marking_published_needs_an_approved_or_scheduled_post_and_a_real_address(org, editor, client_for, english):
    client = client_for(editor)
    draft = scheduled_post(ProfileFactory(org=org, platform="instagram"), status=PostStatus.DRAFT)
    approved = scheduled_post(draft.profile, status=PostStatus.APPROVED)

    refused = client.post(_post_url("strategy-post-mark-published", draft), {"url": "https://x.example/1"}, follow=True)
    no_url = client.post(_post_url("strategy-post-mark-published", approved), {"url": "not a url"}, follow=True)

    assert "Only an approved or scheduled post can be marked as published" in refused.content.decode()
    assert "Write the full address of the published post" in no_url.content.decode()
    assert PlannedPost.objects.get(pk=draft.pk).status == PostStatus.DRAFT
    assert PlannedPost.objects.get(pk=approved.pk).status == PostStatus.APPROVED
    assert not PostEvent.objects.filter(kind="published").exists()


def test_under_htmx_a_success_reloads_the_post_page(org, editor, client_for):
    post = scheduled_post(ProfileFactory(org=org, platform="instagram"), status=PostStatus.APPROVED)

    response = client_for(editor).post(
        _post_url("strategy-post-mark-published", post), {"url": "https://x.example/p/1"}, HTTP_HX_REQUEST="true"
    )

    assert response.headers["HX-Redirect"] == _post_url("strategy-post-detail", post)
    assert PlannedPost.objects.get(pk=post.pk).status == PostStatus.PUBLISHED


def test_viewers_cannot_mark_published_and_outsiders_do_not_find_the_post(org, viewer, outsider, client_for):
    post = scheduled_post(ProfileFactory(org=org, platform="instagram"))
    url = _post_url("strategy-post-mark-published", post)

    assert client_for(viewer).post(url, {"url": "https://x.example/1"}).status_code == 403
    assert client_for(outsider).post(url, {"url": "https://x.example/1"}).status_code == 404
    assert PlannedPost.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_retry_now_makes_a_failed_post_due_again(
    org, editor, client_for, demo_platforms, django_capture_on_commit_callbacks
):
    post = scheduled_post(
        mastodon_profile(org, f"{demo_platforms.base_url}/mastodon"),
        publish_attempts=MAX_ATTEMPTS,
        publish_error="Mastodon did not answer. We stopped trying after 8 attempts.",
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(editor).post(_post_url("strategy-post-publish-retry", post))

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.publish_attempts == 0 and post.next_attempt_at is None
    assert len(callbacks) == 1  # the publication is queued once the change is committed


def test_retry_now_refuses_a_post_being_published(org, editor, client_for, english, demo_platforms):
    post = scheduled_post(
        mastodon_profile(org, f"{demo_platforms.base_url}/mastodon"),
        publish_attempts=3,
        publish_error="x",
        next_attempt_at=timezone.now() + timedelta(minutes=8),
        publish_claimed_at=timezone.now() - CLAIM_TTL / 2,
    )

    response = client_for(editor).post(_post_url("strategy-post-publish-retry", post), HTTP_HX_REQUEST="true")

    # htmx swaps the panel, now saying why nothing happened.
    assert response.status_code == 200 and 'id="publishing-panel"' in response.content.decode()
    assert 'role="alert">This post is being published automatically right now.' in response.content.decode()
    post.refresh_from_db()
    assert post.publish_attempts == 3 and post.next_attempt_at is not None


# --- The panel -----------------------------------------------------------------------------------


def _panel(post, *, can_edit=True, is_admin=False):
    request = RequestFactory().get("/")
    context = {"post": post, "org": post.org, "can_edit": can_edit, "current_membership": {"is_admin": is_admin}}
    with translation.override(post.org.language):  # as the post page does
        return render_to_string("strategy/publishing/_panel.html", context, request=request)


def test_the_panel_of_a_manual_profile_offers_the_text_to_copy_and_the_form(org):
    post = scheduled_post(
        ProfileFactory(org=org, platform="instagram"), text="Hoy <cuentacuentos>", hashtags="#biblioteca"
    )
    add_media(post, "cartel.png", "Cartel del cuentacuentos")

    html = _panel(post)

    assert "readonly>Hoy &lt;cuentacuentos&gt;\n\n#biblioteca</textarea>" in html
    assert 'class="button small secondary copy-button"' in html and "hidden>" in html
    assert _post_url("strategy-post-mark-published", post) in html
    assert "Cartel del cuentacuentos" in html
    assert "mark-published" not in _panel(post, can_edit=False)


def test_the_panel_of_an_unconnected_mastodon_profile_invites_the_admin_to_connect_it(org):
    profile = ProfileFactory(org=org, platform="mastodon")
    post = scheduled_post(profile)

    assert _page_url(profile) in _panel(post, is_admin=True)
    assert _page_url(profile) not in _panel(post, is_admin=False)


def test_the_panel_of_a_failed_automatic_post_shows_the_error_attempts_and_retry(org):
    post = scheduled_post(
        mastodon_profile(org, "https://social.example"),
        publish_attempts=2,
        publish_error="El servidor de Mastodon no ha respondido a tiempo.",
        next_attempt_at=timezone.now() + timedelta(minutes=3),
    )

    html = _panel(post)

    assert "El servidor de Mastodon no ha respondido a tiempo." in html
    assert _post_url("strategy-post-publish-retry", post) in html
    assert "<details" in html  # publishing by hand stays possible, folded away
    assert _post_url("strategy-post-publish-retry", post) not in _panel(post, can_edit=False)


def test_the_panel_of_a_published_post_links_it_and_shows_its_counts(org):
    profile = bluesky_profile(org, "https://bsky.example")
    post = scheduled_post(
        profile,
        status=PostStatus.PUBLISHED,
        published_at=timezone.now(),
        external_id="at://did:plc:x/app.bsky.feed.post/3l",
        external_url="https://bsky.app/profile/b/post/3l",
        likes=1234,
        reposts=5,
        replies=0,
        metrics_refreshed_at=timezone.now(),
    )

    html = _panel(post)

    assert 'href="https://bsky.app/profile/b/post/3l"' in html
    assert "1.234" in html  # Spanish grouping: the page speaks the organisation's language
    assert "textarea" not in html and "mark-published" not in html
