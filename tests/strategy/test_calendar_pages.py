"""The content calendar in the browser's terms: month, week and list views, the post form and page,
ideas from trends and mentions, the balance page and the calendar settings."""

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mesm.models import Role
from strategy.models import (
    ConversationIdea,
    ConversationSettings,
    IdeaStatus,
    PlannedPost,
    PostEventKind,
    PostMedia,
    PostStatus,
    Tier,
)
from tests.factories import MembershipFactory, ProfileFactory, UserFactory
from tests.listening.factories import MentionFactory

pytestmark = pytest.mark.django_db

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@pytest.fixture
def profile(org):
    return ProfileFactory(org=org, platform="mastodon", handle="@bib@example.social")


def url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def local(days, hour=10):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def form_data(profile, **overrides):
    data = {
        "profile": profile.pk,
        "scheduled_at": local(5).strftime("%Y-%m-%dT%H:%M"),
        "text": "Esta tarde, club de lectura en la sala 2",
        "link": "",
        "hashtags": "#ClubDeLectura",
        "tier": "proven",
        "hypothesis": "",
        "media-TOTAL_FORMS": "1",
        "media-INITIAL_FORMS": "0",
        "media-MIN_NUM_FORMS": "0",
        "media-MAX_NUM_FORMS": "4",
        "media-0-alt_text": "",
    }
    data.update(overrides)
    return data


def test_editor_plans_a_post_with_an_image_and_its_alt_text(client_for, org, editor, profile):
    client = client_for(editor)
    image = SimpleUploadedFile("cartel.gif", GIF, content_type="image/gif")
    response = client.post(
        url("strategy-post-create", org), form_data(profile, **{"media-0-file": image, "media-0-alt_text": "Cartel"})
    )
    assert response.status_code == 302
    post = PlannedPost.objects.get()
    assert post.status == PostStatus.DRAFT and post.owner == editor
    media = PostMedia.objects.get(post=post)
    assert media.alt_text == "Cartel"
    # the file is served to members only
    assert client.get(url("strategy-post-media", org, pk=post.pk, media_pk=media.pk)).status_code == 200


def test_media_without_alt_text_is_refused_and_nothing_saved(client_for, org, editor, profile):
    image = SimpleUploadedFile("cartel.gif", GIF, content_type="image/gif")
    response = client_for(editor).post(url("strategy-post-create", org), form_data(profile, **{"media-0-file": image}))
    assert response.status_code == 400
    assert "alt text" in response.content.decode() or "texto alternativo" in response.content.decode()
    assert PlannedPost.objects.count() == 0 and PostMedia.objects.count() == 0


def test_a_time_in_the_past_is_refused_in_spanish(client_for, org, editor, profile):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(editor).post(url("strategy-post-create", org), form_data(profile, scheduled_at=past))
    assert response.status_code == 400
    assert "ya ha pasado" in response.content.decode()
    assert PlannedPost.objects.count() == 0


def test_a_radical_post_without_hypothesis_is_refused(client_for, org, editor, profile):
    response = client_for(editor).post(url("strategy-post-create", org), form_data(profile, tier="radical"))
    assert response.status_code == 400
    assert PlannedPost.objects.count() == 0


def test_viewers_cannot_open_the_post_form(client_for, org, viewer):
    assert client_for(viewer).get(url("strategy-post-create", org)).status_code == 403


def _post(org, profile, user, days=3, tier=Tier.PROVEN, status=PostStatus.DRAFT, text="Publicación de prueba"):
    return PlannedPost.objects.create(
        org=org,
        profile=profile,
        text=text,
        tier=tier,
        hypothesis="h" if tier != Tier.PROVEN else "",
        scheduled_at=local(days),
        status=status,
        created_by=user,
        owner=user,
    )


def test_month_view_shows_the_posts_and_the_balance_warning(client_for, org, editor, profile):
    for i in range(5):
        _post(org, profile, editor, days=1 + i, text=f"Probada {i}")
    _post(org, profile, editor, days=2, tier=Tier.RADICAL, text="Radical uno")
    _post(org, profile, editor, days=3, tier=Tier.RADICAL, text="Radical dos")
    month = local(1).strftime("%Y-%m")
    response = client_for(editor).get(url("strategy-calendar", org) + f"?month={month}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Radical uno" in page and "Probada 0" in page
    assert "Experimento radical" in page and "fuera de equilibrio" in page


def test_calendar_views_keep_a_fixed_number_of_queries(client_for, org, editor, profile, django_assert_max_num_queries):
    client = client_for(editor)
    _post(org, profile, editor)
    month = local(3).strftime("%Y-%m")
    with django_assert_max_num_queries(30) as few:
        client.get(url("strategy-calendar", org) + f"?month={month}")
    for i in range(30):
        _post(org, profile, editor, days=1 + i % 20, tier=[Tier.PROVEN, Tier.MODERATE, Tier.RADICAL][i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("strategy-calendar", org) + f"?month={month}")
    with django_assert_max_num_queries(30) as few_list:
        client.get(url("strategy-post-list", org))
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        client.get(url("strategy-post-list", org))


def test_filters_narrow_the_month_view(client_for, org, editor, profile):
    other = ProfileFactory(org=org, platform="bluesky", handle="bib.bsky.social")
    _post(org, profile, editor, text="En Mastodon")
    _post(org, other, editor, text="En Bluesky")
    month = local(3).strftime("%Y-%m")
    page = client_for(editor).get(url("strategy-calendar", org) + f"?month={month}&profile={other.pk}").content.decode()
    assert "En Bluesky" in page and "En Mastodon" not in page


def test_week_and_list_views(client_for, org, editor, profile):
    post = _post(org, profile, editor, days=1, text="Cuentacuentos del sábado")
    client = client_for(editor)
    day = timezone.localtime(post.scheduled_at).date()
    assert "Cuentacuentos" in client.get(url("strategy-calendar-week", org) + f"?date={day}").content.decode()
    assert "Cuentacuentos" in client.get(url("strategy-post-list", org)).content.decode()


def test_the_workflow_through_the_pages_with_two_people(client_for, org, editor, profile):
    reviewer = UserFactory(username="revisora")
    MembershipFactory(user=reviewer, org=org, role=Role.EDITOR)
    post = _post(org, profile, editor)
    author = client_for(editor)
    assert author.post(url("strategy-post-action", org, pk=post.pk, action="submit")).status_code == 302
    # the author's page explains that someone else must approve, and approving is refused
    page = author.get(url("strategy-post-detail", org, pk=post.pk)).content.decode()
    assert "otra persona editora" in page or "otro editor" in page
    author.post(url("strategy-post-action", org, pk=post.pk, action="approve"))
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW

    second = client_for(reviewer)
    second.post(url("strategy-post-action", org, pk=post.pk, action="approve"))
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.reviewed_by == reviewer


def test_rejecting_without_reason_shows_the_error(client_for, org, editor, admin_user, profile):
    post = _post(org, profile, editor, status=PostStatus.IN_REVIEW)
    response = client_for(admin_user).post(
        url("strategy-post-action", org, pk=post.pk, action="reject"), {"reason": ""}
    )
    assert response.status_code == 400
    assert 'id="reject-error"' in response.content.decode()
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW


def test_viewers_comment_but_cannot_move_posts(client_for, org, editor, viewer, profile):
    post = _post(org, profile, editor, status=PostStatus.IN_REVIEW)
    client = client_for(viewer)
    assert client.post(url("strategy-post-action", org, pk=post.pk, action="approve")).status_code == 403
    assert client.post(url("strategy-post-comment", org, pk=post.pk), {"message": "Me encanta"}).status_code == 302
    assert post.events.filter(kind=PostEventKind.COMMENT, actor=viewer).exists()
    page = client.get(url("strategy-post-detail", org, pk=post.pk)).content.decode()
    assert "Me encanta" in page
    assert "Aprobar" not in page


def test_drag_and_drop_reschedule_keeps_the_time(client_for, org, editor, profile):
    post = _post(org, profile, editor, days=2)
    target = (timezone.localtime(post.scheduled_at) + timedelta(days=4)).date()
    response = client_for(editor).post(
        url("strategy-post-reschedule", org, pk=post.pk), {"date": target.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    post.refresh_from_db()
    moved = timezone.localtime(post.scheduled_at)
    assert moved.date() == target and moved.hour == 10
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client_for(editor).post(
        url("strategy-post-reschedule", org, pk=post.pk), {"date": past}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    post.refresh_from_db()
    assert timezone.localtime(post.scheduled_at).date() == target


def test_idea_from_a_trend_then_a_post_from_the_idea(client_for, org, editor, profile):
    client = client_for(editor)
    form = client.get(url("strategy-idea-create", org) + "?trend=%23ClubDeLectura").content.decode()
    assert 'value="#ClubDeLectura"' in form
    response = client.post(
        url("strategy-idea-create", org),
        {
            "title": "Club de lectura juvenil",
            "angle": "Invitar a adolescentes",
            "trend": "#ClubDeLectura",
            "status": "open",
        },
    )
    idea = ConversationIdea.objects.get()
    assert response.status_code == 302 and idea.created_by == editor
    prefilled = client.get(url("strategy-post-create", org) + f"?idea={idea.pk}").content.decode()
    assert "Invitar a adolescentes" in prefilled
    client.post(url("strategy-post-create", org), form_data(profile, idea=idea.pk, text="¡Nuevo club juvenil!"))
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED and idea.posts.count() == 1


def test_idea_from_a_mention(client_for, org, editor):
    mention = MentionFactory(org=org, author_handle="@lectora@example.social", text="¿Hay club de lectura en verano?")
    client = client_for(editor)
    form = client.get(url("strategy-idea-create", org) + f"?mention={mention.pk}").content.decode()
    assert "¿Hay club de lectura en verano?" in form
    client.post(
        url("strategy-idea-create", org),
        {"title": "Club en verano", "mention": mention.pk, "status": "open"},
    )
    assert ConversationIdea.objects.get().mention == mention


def test_balance_page_has_the_chart_and_the_table(client_for, org, viewer, editor, profile):
    _post(org, profile, editor, tier=Tier.RADICAL)
    start, end = local(0).date().replace(day=1), (local(0) + timedelta(days=60)).date()
    page = client_for(viewer).get(url("strategy-balance", org) + f"?start={start}&end={end}").content.decode()
    assert "<svg" in page and "<table" in page
    assert "100 %" in page  # one radical post: 100 % radical


def test_calendar_settings_token_lifecycle(client_for, org, admin_user, editor):
    assert client_for(editor).get(url("strategy-calendar-settings", org)).status_code == 403
    client = client_for(admin_user)
    client.post(url("strategy-calendar-settings", org), {"intent": "new-token"})
    settings = ConversationSettings.for_org(org)
    assert len(settings.calendar_token) >= 32
    page = client.get(url("strategy-calendar-settings", org)).content.decode()
    assert settings.calendar_token in page
    client.post(url("strategy-calendar-settings", org), {"intent": "revoke-token"})
    settings.refresh_from_db()
    assert settings.calendar_token == ""
    response = client.post(
        url("strategy-calendar-settings", org),
        {"intent": "save", "tier_tolerance": "99", "require_second_reviewer": "on"},
    )
    assert response.status_code == 400
    response = client.post(url("strategy-calendar-settings", org), {"intent": "save", "tier_tolerance": "15"})
    settings.refresh_from_db()
    assert settings.tier_tolerance == 15 and settings.require_second_reviewer is False


def test_pages_read_in_english(client_for, org, editor, profile):
    client = client_for(editor)
    client.cookies["django_language"] = "en"
    page = client.get(url("strategy-calendar", org)).content.decode()
    assert "Content calendar" in page and "70/20/10 balance" in page


def test_month_view_tolerates_a_bad_month(client_for, org, editor):
    assert client_for(editor).get(url("strategy-calendar", org) + "?month=abc").status_code == 200
    assert client_for(editor).get(url("strategy-calendar", org) + "?month=2026-13").status_code == 200


def test_posts_around_midnight_land_on_the_local_day(client_for, org, editor, profile):
    # 23:30 local time on the last day of a month is still that month in Madrid (UTC+1/+2).
    last = datetime(2031, 1, 31, 23, 30, tzinfo=org.zoneinfo)
    PlannedPost.objects.create(org=org, profile=profile, text="Nochevieja lectora", scheduled_at=last)
    january = client_for(editor).get(url("strategy-calendar", org) + "?month=2031-01").content.decode()
    february = client_for(editor).get(url("strategy-calendar", org) + "?month=2031-02").content.decode()
    assert "Nochevieja lectora" in january and "Nochevieja lectora" not in february


def test_adding_an_image_to_an_approved_post_sends_it_back_to_review(client_for, org, editor, profile):
    post = _post(org, profile, editor, status=PostStatus.APPROVED)
    image = SimpleUploadedFile("nuevo.gif", GIF, content_type="image/gif")
    data = form_data(profile, scheduled_at=timezone.localtime(post.scheduled_at).strftime("%Y-%m-%dT%H:%M"))
    data.update({"text": post.text, "hashtags": "", "media-0-file": image, "media-0-alt_text": "Cartel nuevo"})
    response = client_for(editor).post(url("strategy-post-edit", org, pk=post.pk), data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    change = post.events.filter(kind=PostEventKind.EDITED).last()
    assert "nuevo" in change.changes["media"][1]
