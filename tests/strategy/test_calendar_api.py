"""The content calendar's API: posts and their workflow by role, bad input, balance, filters, tenancy."""

import os
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strategy.models import (
    ConversationIdea,
    ConversationSettings,
    IdeaStatus,
    PlannedPost,
    PostEvent,
    PostEventKind,
    PostMedia,
    PostStatus,
    Tier,
)
from tests import factories
from tests.strategy.calendar_factories import PlannedPostFactory, in_days

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/norte"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def profile(org):
    return factories.ProfileFactory(org=org, platform="mastodon", handle="@biblio@mastodon.social")


def _body(profile, **overrides):
    data = {
        "profile": profile.pk,
        "scheduled_at": in_days(3).isoformat(),
        "text": "Este jueves, club de lectura juvenil a las 18:00.",
        "tier": "proven",
    }
    data.update(overrides)
    return data


def _image(name="portada.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _counts():
    return PlannedPost.objects.count(), PostEvent.objects.count(), PostMedia.objects.count()


# --- The workflow by role -----------------------------------------------------------------------


def test_it_runs_the_whole_workflow_with_roles(api_for, org, admin_user, editor, viewer, profile):
    ConversationSettings.objects.create(org=org, require_second_reviewer=True)
    api = api_for(editor)

    response = api.post(f"{BASE}/posts/", _body(profile), format="json")
    assert response.status_code == 201, response.json()
    post_id = response.json()["id"]
    post = PlannedPost.objects.get(pk=post_id)
    assert (post.org, post.status, post.created_by, post.owner) == (org, PostStatus.DRAFT, editor, editor)

    response = api.post(f"{BASE}/posts/{post_id}/submit/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"

    # The same editor cannot approve their own post when a second reviewer is required.
    response = api.post(f"{BASE}/posts/{post_id}/approve/", {}, format="json", **EN)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "second reviewer" in error["fields"]["non_field_errors"][0]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and post.reviewed_by is None

    # A viewer cannot approve either: 403, before any rule is looked at.
    assert api_for(viewer).post(f"{BASE}/posts/{post_id}/approve/", {}, format="json").status_code == 403

    admin = api_for(admin_user)
    response = admin.post(f"{BASE}/posts/{post_id}/approve/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["reviewed_by"] == admin_user.pk
    response = admin.post(f"{BASE}/posts/{post_id}/schedule/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"

    # A viewer may comment, and everybody reads the history.
    response = api_for(viewer).post(f"{BASE}/posts/{post_id}/comments/", {"message": "¡Qué buena idea!"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "comment"
    comments = api_for(viewer).get(f"{BASE}/posts/{post_id}/comments/").json()
    assert [c["message"] for c in comments] == ["¡Qué buena idea!"]
    assert comments[0]["actor"] == viewer.pk

    history = api_for(viewer).get(f"{BASE}/posts/{post_id}/history/").json()
    moves = [(e["from_status"], e["to_status"]) for e in history if e["kind"] == "status"]
    assert moves == [("draft", "in_review"), ("in_review", "approved"), ("approved", "scheduled")]
    assert [e["kind"] for e in history][0] == "created"
    assert history[-1]["kind"] == "comment"


def test_it_lets_the_author_approve_when_no_second_reviewer_is_required(api_for, org, editor, profile):
    ConversationSettings.objects.create(org=org, require_second_reviewer=False)
    post = PlannedPostFactory(org=org, profile=profile, created_by=editor, status=PostStatus.IN_REVIEW)
    response = api_for(editor).post(f"{BASE}/posts/{post.pk}/approve/", {}, format="json")
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_it_requires_a_reason_to_reject(api_for, org, admin_user, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.IN_REVIEW)
    api = api_for(admin_user)
    response = api.post(f"{BASE}/posts/{post.pk}/reject/", {"reason": "  "}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["reason"] == [
        "Say why the post is rejected, so its author can improve it."
    ]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert not PostEvent.objects.filter(post=post).exists()

    response = api.post(f"{BASE}/posts/{post.pk}/reject/", {"reason": "El tono no encaja."}, format="json")
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "El tono no encaja."
    response = api.post(f"{BASE}/posts/{post.pk}/draft/", {}, format="json")
    assert response.json()["status"] == "draft"


def test_it_refuses_a_move_that_the_status_does_not_allow(api_for, org, admin_user, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.DRAFT)
    response = api_for(admin_user).post(f"{BASE}/posts/{post.pk}/schedule/", {}, format="json", **EN)
    assert response.status_code == 400
    assert "cannot be moved" in response.json()["error"]["fields"]["non_field_errors"][0]
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_a_viewer_reads_and_comments_but_cannot_write(api_for, org, viewer, profile):
    post = PlannedPostFactory(org=org, profile=profile)
    api = api_for(viewer)
    before = _counts()
    assert api.get(f"{BASE}/posts/").status_code == 200
    assert api.get(f"{BASE}/posts/{post.pk}/").status_code == 200
    assert api.post(f"{BASE}/posts/", _body(profile), format="json").status_code == 403
    assert api.patch(f"{BASE}/posts/{post.pk}/", {"text": "x"}, format="json").status_code == 403
    assert api.delete(f"{BASE}/posts/{post.pk}/").status_code == 403
    for action in ("submit", "approve", "reject", "schedule", "draft"):
        assert api.post(f"{BASE}/posts/{post.pk}/{action}/", {"reason": "x"}, format="json").status_code == 403
    response = api.post(f"{BASE}/posts/{post.pk}/media/", {"file": _image(), "alt_text": "Portada"}, format="multipart")
    assert response.status_code == 403
    assert api.post(f"{BASE}/ideas/", {"title": "Idea"}, format="json").status_code == 403
    assert _counts() == before
    assert api.post(f"{BASE}/posts/{post.pk}/comments/", {"message": "Bien"}, format="json").status_code == 201


def test_it_refuses_an_empty_comment(api_for, org, viewer, profile):
    post = PlannedPostFactory(org=org, profile=profile)
    response = api_for(viewer).post(f"{BASE}/posts/{post.pk}/comments/", {"message": "   "}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["message"] == ["Write a comment first."]
    assert not PostEvent.objects.exists()


# --- Bad input: a clear error and nothing saved ------------------------------------------------------


def test_it_refuses_a_post_scheduled_in_the_past(api_for, org, editor, profile):
    before = _counts()
    response = api_for(editor).post(
        f"{BASE}/posts/", _body(profile, scheduled_at=in_days(-1).isoformat()), format="json", **EN
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["scheduled_at"] == [
        "This time has already passed; choose a time in the future."
    ]
    assert _counts() == before


def test_it_refuses_an_experiment_without_hypothesis(api_for, org, editor, profile):
    response = api_for(editor).post(f"{BASE}/posts/", _body(profile, tier="radical"), format="json", **EN)
    assert response.status_code == 400
    assert "hypothesis" in response.json()["error"]["fields"]
    assert PlannedPost.objects.count() == 0


def test_it_refuses_a_profile_or_objective_of_another_organisation(api_for, org, other_org, editor, profile):
    foreign_profile = factories.ProfileFactory(org=other_org)
    foreign_objective = factories.ObjectiveFactory(org=other_org)
    api = api_for(editor)
    response = api.post(f"{BASE}/posts/", _body(foreign_profile), format="json")
    assert response.status_code == 400
    assert "profile" in response.json()["error"]["fields"]
    response = api.post(f"{BASE}/posts/", _body(profile, objective=foreign_objective.pk), format="json")
    assert response.status_code == 400
    assert "objective" in response.json()["error"]["fields"]
    assert PlannedPost.objects.count() == 0


def test_the_status_changes_only_through_the_actions(api_for, org, editor, profile):
    api = api_for(editor)
    response = api.post(f"{BASE}/posts/", _body(profile, status="approved"), format="json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    assert PlannedPost.objects.count() == 0

    response = api.post(f"{BASE}/posts/", _body(profile, status="idea"), format="json")
    assert response.status_code == 201
    post_id = response.json()["id"]
    assert response.json()["status"] == "idea"
    response = api.patch(f"{BASE}/posts/{post_id}/", {"status": "scheduled"}, format="json")
    assert response.status_code == 400
    assert PlannedPost.objects.get(pk=post_id).status == PostStatus.IDEA


def test_a_post_over_the_limit_is_saved_but_cannot_be_approved(api_for, org, editor, admin_user, profile):
    long_text = "Lectura " * 80  # 640 characters, Mastodon allows 500
    response = api_for(editor).post(f"{BASE}/posts/", _body(profile, text=long_text), format="json", **EN)
    assert response.status_code == 201
    data = response.json()
    assert (data["length"], data["limit"]) == (len(long_text.strip()), 500)
    assert "the limit is 500" in data["problems"]["text"][0]
    api_for(editor).post(f"{BASE}/posts/{data['id']}/submit/", {}, format="json")

    response = api_for(admin_user).post(f"{BASE}/posts/{data['id']}/approve/", {}, format="json", **EN)
    assert response.status_code == 400
    assert "the limit is 500" in response.json()["error"]["fields"]["text"][0]
    assert PlannedPost.objects.get(pk=data["id"]).status == PostStatus.IN_REVIEW


def test_it_refuses_media_without_alt_text(api_for, org, editor, profile, settings):
    post = PlannedPostFactory(org=org, profile=profile)
    before = _counts()
    response = api_for(editor).post(
        f"{BASE}/posts/{post.pk}/media/", {"file": _image(), "alt_text": "  "}, format="multipart", **EN
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["alt_text"] == [
        "Describe the image or video for people who cannot see it (alt text)."
    ]
    response = api_for(editor).post(f"{BASE}/posts/{post.pk}/media/", {"file": _image()}, format="multipart")
    assert response.status_code == 400
    assert _counts() == before
    assert not any(settings.MEDIA_ROOT.rglob("*.png"))


def test_it_refuses_a_file_that_is_not_an_image_or_video(api_for, org, editor, profile):
    post = PlannedPostFactory(org=org, profile=profile)
    upload = SimpleUploadedFile("notes.txt", b"hola", content_type="text/plain")
    response = api_for(editor).post(
        f"{BASE}/posts/{post.pk}/media/", {"file": upload, "alt_text": "Notas"}, format="multipart", **EN
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"] == ["Attach an image or a video."]
    assert not PostMedia.objects.exists()


# --- Edits, deletion, media ---------------------------------------------------------------------------


def test_editing_an_approved_post_sends_it_back_to_draft(api_for, org, editor, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.APPROVED, created_by=editor)
    response = api_for(editor).patch(f"{BASE}/posts/{post.pk}/", {"text": "Nuevo texto"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    post.refresh_from_db()
    assert (post.text, post.status) == ("Nuevo texto", PostStatus.DRAFT)
    edited = post.events.get(kind=PostEventKind.EDITED)
    assert edited.changes["text"][1] == "Nuevo texto"


def test_a_published_post_cannot_be_edited(api_for, org, editor, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.PUBLISHED, scheduled_at=in_days(-2))
    response = api_for(editor).patch(f"{BASE}/posts/{post.pk}/", {"text": "Otro"}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == ["A published post cannot be changed."]
    post.refresh_from_db()
    assert post.text != "Otro"


def test_it_deletes_only_ideas_drafts_and_rejected_posts(api_for, org, editor, profile):
    api = api_for(editor)
    for status in (PostStatus.IDEA, PostStatus.DRAFT, PostStatus.REJECTED):
        post = PlannedPostFactory(org=org, profile=profile, status=status)
        assert api.delete(f"{BASE}/posts/{post.pk}/").status_code == 204
        assert not PlannedPost.objects.filter(pk=post.pk).exists()
    for status in (PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED):
        post = PlannedPostFactory(org=org, profile=profile, status=status)
        response = api.delete(f"{BASE}/posts/{post.pk}/", **EN)
        assert response.status_code == 400
        assert "can be deleted" in response.json()["error"]["fields"]["non_field_errors"][0]
        assert PlannedPost.objects.filter(pk=post.pk).exists()


def test_it_attaches_lists_and_removes_media(
    api_for, org, editor, viewer, profile, settings, django_capture_on_commit_callbacks
):
    post = PlannedPostFactory(org=org, profile=profile)
    api = api_for(editor)
    response = api.post(
        f"{BASE}/posts/{post.pk}/media/", {"file": _image(), "alt_text": "Portada del libro"}, format="multipart"
    )
    assert response.status_code == 201
    media = response.json()
    assert media["alt_text"] == "Portada del libro"
    assert media["url"] == f"http://testserver/o/norte/calendar/posts/{post.pk}/media/{media['id']}/"
    assert "file" not in media
    stored = PostMedia.objects.get()
    assert stored.post == post and stored.file.read() == PNG

    listed = api_for(viewer).get(f"{BASE}/posts/{post.pk}/media/").json()
    assert [m["id"] for m in listed] == [media["id"]]
    detail = api_for(viewer).get(f"{BASE}/posts/{post.pk}/").json()
    assert [m["alt_text"] for m in detail["media"]] == ["Portada del libro"]
    assert post.events.filter(kind=PostEventKind.EDITED, changes__has_key="media").count() == 1

    path = stored.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{BASE}/posts/{post.pk}/media/?id={media['id']}").status_code == 204
    assert not PostMedia.objects.exists()
    assert api.delete(f"{BASE}/posts/{post.pk}/media/?id={media['id']}").status_code == 404
    assert not os.path.exists(path)


def test_new_media_on_an_approved_post_needs_a_new_review(api_for, org, editor, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.APPROVED)
    response = api_for(editor).post(
        f"{BASE}/posts/{post.pk}/media/", {"file": _image(), "alt_text": "Cartel"}, format="multipart"
    )
    assert response.status_code == 201
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    move = post.events.get(kind=PostEventKind.STATUS)
    assert (move.from_status, move.to_status) == ("approved", "draft")


def test_it_allows_at_most_four_media(api_for, org, editor, profile):
    post = PlannedPostFactory(org=org, profile=profile)
    api = api_for(editor)
    for n in range(4):
        response = api.post(
            f"{BASE}/posts/{post.pk}/media/", {"file": _image(f"{n}.png"), "alt_text": "Foto"}, format="multipart"
        )
        assert response.status_code == 201
    response = api.post(f"{BASE}/posts/{post.pk}/media/", {"file": _image(), "alt_text": "Foto"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert PostMedia.objects.count() == 4


def test_media_without_alt_text_blocks_the_approval(api_for, org, admin_user, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.IN_REVIEW)
    PostMedia.objects.create(post=post, file="posts/x.png", alt_text="")
    response = api_for(admin_user).post(f"{BASE}/posts/{post.pk}/approve/", {}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["media"] == ["Every image or video needs a description (alt text)."]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW


# --- Ideas ------------------------------------------------------------------------------------------


def test_it_creates_ideas_and_a_post_from_one(api_for, org, editor, profile):
    api = api_for(editor)
    response = api.post(f"{BASE}/ideas/", {"title": "Día del libro", "angle": "Lecturas del barrio"}, format="json")
    assert response.status_code == 201
    idea = ConversationIdea.objects.get()
    assert (idea.org, idea.created_by, idea.status) == (org, editor, IdeaStatus.OPEN)
    response = api.post(f"{BASE}/posts/", _body(profile, idea=idea.pk), format="json")
    assert response.status_code == 201
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED
    assert [i["title"] for i in api.get(f"{BASE}/ideas/").json()["results"]] == ["Día del libro"]


# --- Balance ----------------------------------------------------------------------------------------


def _plan(org, profile, counts, day):
    start = datetime.combine(day, datetime.min.time(), tzinfo=org.zoneinfo) + timedelta(hours=10)
    n = 0
    for tier, count in counts.items():
        for _ in range(count):
            PlannedPostFactory(org=org, profile=profile, tier=tier, scheduled_at=start + timedelta(hours=n))
            n += 1


def _balance(api, **params):
    response = api.get(f"{BASE}/posts/balance/", params, **EN)
    assert response.status_code == 200, response.json()
    data = response.json()
    return data, {tier["tier"]: tier for tier in data["tiers"]}


def test_the_balance_of_seven_two_one_is_within_tolerance(api_for, org, viewer, profile):
    day = in_days(10).astimezone(org.zoneinfo).date()
    _plan(org, profile, {Tier.PROVEN: 7, Tier.MODERATE: 2, Tier.RADICAL: 1}, day)
    PlannedPostFactory(
        org=org, profile=profile, tier=Tier.RADICAL, status=PostStatus.REJECTED, scheduled_at=in_days(10)
    )
    data, tiers = _balance(api_for(viewer), start=day.isoformat(), end=day.isoformat())
    assert (data["total"], data["tolerance"], data["balanced"], data["warnings"]) == (10, 10, True, [])
    assert {t: (v["count"], v["share"], v["target"], v["within"]) for t, v in tiers.items()} == {
        "proven": (7, 70.0, 70, True),
        "moderate": (2, 20.0, 20, True),
        "radical": (1, 10.0, 10, True),
    }


def test_the_balance_of_five_two_three_flags_the_radical_tier(api_for, org, viewer, profile):
    day = in_days(10).astimezone(org.zoneinfo).date()
    _plan(org, profile, {Tier.PROVEN: 5, Tier.MODERATE: 2, Tier.RADICAL: 3}, day)
    data, tiers = _balance(api_for(viewer), start=day.isoformat(), end=day.isoformat())
    assert data["total"] == 10 and data["balanced"] is False
    assert (tiers["radical"]["share"], tiers["radical"]["within"], tiers["radical"]["deviation"]) == (30.0, False, 20.0)
    assert tiers["moderate"]["within"] is True
    assert tiers["proven"]["within"] is False  # 50 % is 20 points under 70 %
    assert len(data["warnings"]) == 2
    assert any("30%" in warning and "aim is 10%" in warning for warning in data["warnings"])  # English: no space


def test_the_balance_counts_one_profile_and_the_organisation_tolerance(api_for, org, viewer, profile):
    other_profile = factories.ProfileFactory(org=org)
    day = in_days(10).astimezone(org.zoneinfo).date()
    _plan(org, profile, {Tier.PROVEN: 5, Tier.MODERATE: 2, Tier.RADICAL: 3}, day)
    _plan(org, other_profile, {Tier.PROVEN: 4}, day)
    ConversationSettings.objects.create(org=org, tier_tolerance=25)
    data, tiers = _balance(api_for(viewer), start=day.isoformat(), end=day.isoformat(), profile=profile.pk)
    assert (data["total"], data["tolerance"], data["profile"], data["balanced"]) == (10, 25, profile.pk, True)


def test_the_balance_explains_a_wrong_period(api_for, org, viewer):
    response = api_for(viewer).get(f"{BASE}/posts/balance/", {"start": "2027-02-01", "end": "2027-01-01"}, **EN)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"] == ["The end date cannot be before the start date."]


# --- Filters ----------------------------------------------------------------------------------------


def test_it_filters_by_period_in_the_organisation_time_zone(api_for, org, viewer, profile):
    day = in_days(20).astimezone(org.zoneinfo).date()
    zone = org.zoneinfo
    early = PlannedPostFactory(
        org=org, profile=profile, scheduled_at=datetime.combine(day, datetime.min.time(), zone) + timedelta(minutes=30)
    )
    late = PlannedPostFactory(
        org=org, profile=profile, scheduled_at=datetime.combine(day, datetime.max.time(), zone) - timedelta(minutes=30)
    )
    PlannedPostFactory(
        org=org, profile=profile, scheduled_at=datetime.combine(day, datetime.min.time(), zone) - timedelta(minutes=30)
    )
    PlannedPostFactory(
        org=org, profile=profile, scheduled_at=datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    )
    response = api_for(viewer).get(f"{BASE}/posts/", {"start": day.isoformat(), "end": day.isoformat()})
    assert sorted(p["id"] for p in response.json()["results"]) == sorted([early.pk, late.pk])


def test_it_filters_by_status_tier_profile_campaign_and_objective(api_for, org, viewer, profile):
    other_profile = factories.ProfileFactory(org=org)
    campaign = factories.CampaignFactory(org=org)
    objective = factories.ObjectiveFactory(org=org)
    target = PlannedPostFactory(
        org=org,
        profile=profile,
        status=PostStatus.APPROVED,
        tier=Tier.MODERATE,
        hypothesis="Más respuestas",
        campaign=campaign,
        objective=objective,
    )
    PlannedPostFactory(org=org, profile=other_profile, status=PostStatus.APPROVED, tier=Tier.MODERATE)
    PlannedPostFactory(org=org, profile=profile, status=PostStatus.DRAFT, campaign=campaign, objective=objective)
    api = api_for(viewer)
    for params in (
        {"status": "approved", "profile": profile.pk},
        {"tier": "moderate", "campaign": campaign.pk},
        {"objective": objective.pk, "status": "approved"},
    ):
        response = api.get(f"{BASE}/posts/", params)
        assert [p["id"] for p in response.json()["results"]] == [target.pk], params


def test_it_refuses_a_filter_with_another_organisations_profile(api_for, org, other_org, viewer):
    foreign = factories.ProfileFactory(org=other_org)
    response = api_for(viewer).get(f"{BASE}/posts/", {"profile": foreign.pk})
    assert response.status_code == 400
    assert "profile" in response.json()["error"]["fields"]


# --- The list's shape and query count ----------------------------------------------------------------


def test_the_post_list_pins_its_shape(api_for, org, viewer, profile):
    PlannedPostFactory(org=org, profile=profile)
    item = api_for(viewer).get(f"{BASE}/posts/").json()["results"][0]
    assert set(item) == {
        "id", "profile", "idea", "scheduled_at", "text", "link", "hashtags", "tier", "hypothesis", "owner",
        "objective", "campaign", "audience", "status", "rejection_reason", "created_by", "submitted_by",
        "reviewed_by", "reviewed_at", "length", "limit", "problems", "media", "external_url", "published_at",
        "publish_error", "likes", "reposts", "replies", "created_at", "updated_at",
    }  # fmt: skip
    assert item["problems"] == {}
    assert (item["likes"], item["external_url"], item["publish_error"]) == (None, "", "")


def _list_queries(api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{BASE}/posts/")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_the_post_list_runs_a_fixed_number_of_queries(api_for, org, viewer, profile):
    api = api_for(viewer)
    post = PlannedPostFactory(org=org, profile=profile)
    PostMedia.objects.create(post=post, file="posts/a.png", alt_text="A")
    one, listed = _list_queries(api)
    assert listed == 1
    profiles = [factories.ProfileFactory(org=org, platform="bluesky") for _ in range(3)]
    for n in range(29):
        extra = PlannedPostFactory(org=org, profile=profiles[n % 3])
        PostMedia.objects.create(post=extra, file=f"posts/{n}.png", alt_text="B")
    thirty, listed = _list_queries(api)
    assert listed == 30
    assert thirty == one


# --- CSV through the API ------------------------------------------------------------------------------


def test_the_api_exports_the_filtered_plan_as_csv(api_for, org, viewer, profile):
    PlannedPostFactory(org=org, profile=profile, text='=HYPERLINK("http://malo")', status=PostStatus.APPROVED)
    PlannedPostFactory(org=org, profile=profile, text="Borrador", status=PostStatus.DRAFT)
    response = api_for(viewer).get(f"{BASE}/posts/export/", {"status": "approved"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].startswith("id,scheduled_at,profile,status,tier,text")
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]
    assert "Borrador" not in body


# --- Tenancy ------------------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_route_and_action(api_for, org, other_org, outsider, profile):
    post = PlannedPostFactory(org=org, profile=profile, status=PostStatus.IN_REVIEW)
    media = PostMedia.objects.create(post=post, file="posts/a.png", alt_text="A")
    idea = ConversationIdea.objects.create(org=org, title="Idea")
    api = api_for(outsider)
    for slug in ("norte", "sur"):  # not a member of norte; norte's objects are not in sur
        base = f"/api/v1/orgs/{slug}"
        calls = [
            ("get", f"{base}/posts/{post.pk}/"),
            ("patch", f"{base}/posts/{post.pk}/"),
            ("put", f"{base}/posts/{post.pk}/"),
            ("delete", f"{base}/posts/{post.pk}/"),
            ("get", f"{base}/posts/{post.pk}/history/"),
            ("get", f"{base}/posts/{post.pk}/comments/"),
            ("post", f"{base}/posts/{post.pk}/comments/"),
            ("get", f"{base}/posts/{post.pk}/media/"),
            ("post", f"{base}/posts/{post.pk}/media/"),
            ("delete", f"{base}/posts/{post.pk}/media/?id={media.pk}"),
            ("get", f"{base}/ideas/{idea.pk}/"),
            ("delete", f"{base}/ideas/{idea.pk}/"),
        ] + [
            ("post", f"{base}/posts/{post.pk}/{action}/")
            for action in ("submit", "approve", "reject", "schedule", "draft")
        ]
        if slug == "norte":
            calls += [("get", f"{base}/posts/"), ("get", f"{base}/posts/balance/"), ("get", f"{base}/posts/export/")]
        for method, url in calls:
            response = getattr(api, method)(url, {"reason": "x", "message": "x"}, format="json")
            assert response.status_code == 404, (method, url, response.status_code)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert PostMedia.objects.filter(pk=media.pk).exists() and ConversationIdea.objects.filter(pk=idea.pk).exists()
    assert not PostEvent.objects.exists()
    assert api_for(outsider).get("/api/v1/orgs/sur/posts/").json()["results"] == []


def test_anonymous_requests_are_refused(client, org, profile):
    post = PlannedPostFactory(org=org, profile=profile)
    assert client.get(f"{BASE}/posts/").status_code in (401, 403)
    assert client.post(f"{BASE}/posts/{post.pk}/submit/").status_code in (401, 403)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
