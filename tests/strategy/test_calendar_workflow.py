"""The planned-post workflow and the 70/20/10 balance, through the services every page and API uses."""

from datetime import date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from mesm.models import Role
from strategy import workflow
from strategy.balance import balance_compute
from strategy.models import (
    ConversationSettings,
    PlannedPost,
    PostEvent,
    PostEventKind,
    PostMedia,
    PostStatus,
    Tier,
)
from strategy.workflow import WorkflowError
from tests.factories import MembershipFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def future(days=3):
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


def new_post(org, user, **fields):
    profile = (
        fields.pop("profile", None)
        or ProfileFactory._meta.model.objects.get_or_create(org=org, platform="mastodon", handle="@bib@example.social")[
            0
        ]
    )
    post = PlannedPost(org=org, profile=profile, text=fields.pop("text", "Hoy, club de lectura"), **fields)
    if post.scheduled_at is None:
        post.scheduled_at = future()
    return workflow.post_save(post, user=user)


@pytest.fixture
def second_editor(org):
    user = UserFactory(username="second")
    MembershipFactory(user=user, org=org, role=Role.EDITOR)
    return user


def test_the_whole_workflow_keeps_every_step_in_the_history(org, editor, second_editor):
    post = new_post(org, editor)
    assert post.status == PostStatus.DRAFT
    assert post.created_by == editor and post.owner == editor

    workflow.post_transition(post, "submit", user=editor)
    workflow.post_transition(post, "approve", user=second_editor)
    post = workflow.post_transition(post, "schedule", user=second_editor)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert post.reviewed_by == second_editor and post.submitted_by == editor

    moves = list(post.events.filter(kind=PostEventKind.STATUS).values_list("from_status", "to_status"))
    assert moves == [("draft", "in_review"), ("in_review", "approved"), ("approved", "scheduled")]
    assert post.events.filter(kind=PostEventKind.CREATED).count() == 1


def test_author_cannot_approve_their_own_post_when_a_second_reviewer_is_required(org, editor):
    post = new_post(org, editor)
    workflow.post_transition(post, "submit", user=editor)
    with pytest.raises(WorkflowError, match="second reviewer"):
        workflow.post_transition(post, "approve", user=editor)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert post.reviewed_by is None
    assert not post.events.filter(to_status=PostStatus.APPROVED).exists()
    assert "approve" not in [a.name for a in workflow.available_actions(post, editor.memberships.get(org=org))]


def test_without_the_second_reviewer_rule_the_author_may_approve(org, editor):
    settings = ConversationSettings.for_org(org)
    settings.require_second_reviewer = False
    settings.save()
    post = new_post(org, editor)
    workflow.post_transition(post, "submit", user=editor)
    assert workflow.post_transition(post, "approve", user=editor).status == PostStatus.APPROVED


def test_viewers_cannot_write_or_move_posts_but_can_comment(org, editor, viewer):
    post = new_post(org, editor)
    with pytest.raises(WorkflowError):
        workflow.post_transition(post, "submit", user=viewer)
    with pytest.raises(WorkflowError):
        new_post(org, viewer)
    assert PlannedPost.objects.count() == 1
    event = workflow.post_comment(post, user=viewer, message="¿Y si añadimos la hora?")
    assert event.kind == PostEventKind.COMMENT and event.actor == viewer
    with pytest.raises(WorkflowError):
        workflow.post_comment(post, user=viewer, message="   ")


def test_outsiders_cannot_comment(org, editor, outsider):
    post = new_post(org, editor)
    with pytest.raises(WorkflowError):
        workflow.post_comment(post, user=outsider, message="hola")
    assert not post.events.filter(kind=PostEventKind.COMMENT).exists()


def test_a_post_cannot_be_planned_in_the_past(org, editor):
    with pytest.raises(WorkflowError) as caught:
        new_post(org, editor, scheduled_at=timezone.now() - timedelta(hours=1))
    assert "scheduled_at" in caught.value.message_dict
    assert PlannedPost.objects.count() == 0


def test_an_experiment_needs_a_hypothesis(org, editor):
    with pytest.raises(WorkflowError) as caught:
        new_post(org, editor, tier=Tier.RADICAL)
    assert "hypothesis" in caught.value.message_dict
    post = new_post(org, editor, tier=Tier.RADICAL, hypothesis="Un vídeo vertical atraerá a adolescentes")
    assert post.is_experiment


def test_over_the_limit_cannot_be_approved(org, editor, second_editor):
    bluesky = ProfileFactory(org=org, platform="bluesky", handle="bib.bsky.social")
    # 301 graphemes: 300 flags (each two code points, one grapheme) and one letter.
    post = new_post(org, editor, profile=bluesky, text="🇪🇸" * 300 + "a")
    workflow.post_transition(post, "submit", user=editor)
    with pytest.raises(WorkflowError) as caught:
        workflow.post_transition(post, "approve", user=second_editor)
    assert "301" in " ".join(caught.value.message_dict["text"])
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW

    post.text = "🇪🇸" * 300
    before = workflow.snapshot(post)
    workflow.post_save(post, user=editor, before=before)
    assert workflow.post_transition(post, "approve", user=second_editor).status == PostStatus.APPROVED


def test_mastodon_counts_links_as_23_and_the_per_profile_limit(org, editor, second_editor):
    profile = ProfileFactory(org=org, platform="mastodon", handle="@bib@small.social", char_limit=40)
    post = new_post(org, editor, profile=profile, text="Mira esto", link="https://example.org/" + "x" * 200)
    # "Mira esto" (9) + two newlines (2) + link counted as 23 = 34 ≤ 40
    assert workflow.post_problems(post) == {}
    post.hashtags = "#bibliotecas"
    assert "text" in workflow.post_problems(post)


def test_media_without_alt_text_blocks_approval(org, editor, second_editor):
    post = new_post(org, editor)
    PostMedia.objects.create(post=post, file=ContentFile(b"GIF89a", name="cartel.gif"), alt_text="")
    workflow.post_transition(post, "submit", user=editor)
    with pytest.raises(WorkflowError) as caught:
        workflow.post_transition(post, "approve", user=second_editor)
    assert "media" in caught.value.message_dict


def test_rejecting_needs_a_reason(org, editor, second_editor):
    post = new_post(org, editor)
    workflow.post_transition(post, "submit", user=editor)
    with pytest.raises(WorkflowError):
        workflow.post_transition(post, "reject", user=second_editor, reason=" ")
    post = workflow.post_transition(post, "reject", user=second_editor, reason="El tono no encaja")
    assert post.status == PostStatus.REJECTED and post.rejection_reason == "El tono no encaja"
    # the author reworks it and sends it again
    workflow.post_transition(post, "draft", user=editor)
    assert workflow.post_transition(post, "submit", user=editor).rejection_reason == ""


def test_editing_an_approved_post_sends_it_back_to_review(org, editor, second_editor):
    post = new_post(org, editor)
    workflow.post_transition(post, "submit", user=editor)
    workflow.post_transition(post, "approve", user=second_editor)
    post.refresh_from_db()
    before = workflow.snapshot(post)
    post.text = "Otro texto"
    workflow.post_save(post, user=editor, before=before)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.reviewed_by is None
    edit = post.events.filter(kind=PostEventKind.EDITED).get()
    assert edit.changes["text"] == ["Hoy, club de lectura", "Otro texto"]


def test_changing_only_the_owner_keeps_the_approval(org, editor, second_editor):
    post = new_post(org, editor)
    workflow.post_transition(post, "submit", user=editor)
    workflow.post_transition(post, "approve", user=second_editor)
    post.refresh_from_db()
    before = workflow.snapshot(post)
    post.owner = second_editor
    workflow.post_save(post, user=editor, before=before)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_an_action_from_the_wrong_status_is_refused(org, editor, second_editor):
    post = new_post(org, editor)
    with pytest.raises(WorkflowError):
        workflow.post_transition(post, "schedule", user=second_editor)
    with pytest.raises(WorkflowError):
        workflow.post_transition(post, "publish", user=second_editor)
    assert PostEvent.objects.filter(post=post, kind=PostEventKind.STATUS).count() == 0


def test_reschedule_moves_the_time_and_refuses_the_past(org, editor):
    post = new_post(org, editor)
    target = post.scheduled_at + timedelta(days=2)
    workflow.post_reschedule(post, target, user=editor)
    post.refresh_from_db()
    assert post.scheduled_at == target
    with pytest.raises(WorkflowError):
        workflow.post_reschedule(post, timezone.now() - timedelta(days=1), user=editor)
    post.refresh_from_db()
    assert post.scheduled_at == target


# --- Balance ------------------------------------------------------------------------------------


def _plan(org, profile, tier, when, status=PostStatus.DRAFT):
    return PlannedPost.objects.create(
        org=org, profile=profile, text="x", tier=tier, scheduled_at=when, status=status, hypothesis="h"
    )


def _month_posts(org, profile, proven, moderate, radical, start=date(2030, 3, 1)):
    moment = datetime(start.year, start.month, start.day, 10, tzinfo=org.zoneinfo)
    for tier, n in ((Tier.PROVEN, proven), (Tier.MODERATE, moderate), (Tier.RADICAL, radical)):
        for i in range(n):
            _plan(org, profile, tier, moment + timedelta(days=i))


def test_balance_7_2_1_is_balanced(org):
    profile = ProfileFactory(org=org)
    _month_posts(org, profile, 7, 2, 1)
    balance = balance_compute(org, date(2030, 3, 1), date(2030, 3, 31))
    assert balance.total == 10
    assert [(t.tier, t.count, round(t.share)) for t in balance.tiers] == [
        ("proven", 7, 70),
        ("moderate", 2, 20),
        ("radical", 1, 10),
    ]
    assert balance.is_balanced and balance.warnings() == []


def test_balance_warns_in_plain_words_when_a_tier_is_off(org):
    profile = ProfileFactory(org=org)
    _month_posts(org, profile, 5, 2, 3)  # 50/20/30: proven and radical are 20 points away
    balance = balance_compute(org, date(2030, 3, 1), date(2030, 3, 31))
    assert [t.tier for t in balance.off] == ["proven", "radical"]
    warnings = balance.warnings()
    assert len(warnings) == 2
    assert "50" in warnings[0] and "70" in warnings[0] and "Plan more" in warnings[0]
    assert "30" in warnings[1] and "10" in warnings[1] and "fewer" in warnings[1]


def test_balance_tolerance_is_the_organisations(org):
    profile = ProfileFactory(org=org)
    _month_posts(org, profile, 6, 2, 2)  # 60/20/20: exactly 10 points away is still within
    assert balance_compute(org, date(2030, 3, 1), date(2030, 3, 31)).off == []
    settings = ConversationSettings.for_org(org)
    settings.tier_tolerance = 5
    settings.save()
    off = {t.tier for t in balance_compute(org, date(2030, 3, 1), date(2030, 3, 31)).off}
    assert off == {"proven", "radical"}
    assert "Radical experiment" in balance_compute(org, date(2030, 3, 1), date(2030, 3, 31)).warnings()[1]


def test_balance_ignores_rejected_posts_other_profiles_and_other_periods(org, other_org):
    mine, theirs = ProfileFactory(org=org), ProfileFactory(org=org, handle="@otra@example.social")
    _month_posts(org, mine, 7, 2, 1)
    _plan(org, mine, Tier.RADICAL, datetime(2030, 3, 15, 10, tzinfo=org.zoneinfo), status=PostStatus.REJECTED)
    _plan(org, theirs, Tier.RADICAL, datetime(2030, 3, 15, 10, tzinfo=org.zoneinfo))
    _plan(org, mine, Tier.RADICAL, datetime(2030, 4, 1, 0, 30, tzinfo=org.zoneinfo))  # next month, local time
    _month_posts(other_org, ProfileFactory(org=other_org), 0, 0, 5)
    balance = balance_compute(org, date(2030, 3, 1), date(2030, 3, 31), profile_id=mine.pk)
    assert balance.total == 10 and balance.is_balanced
    assert balance_compute(org, date(2030, 3, 1), date(2030, 3, 31)).total == 11


def test_an_empty_period_is_not_off_balance(org):
    balance = balance_compute(org, date(2030, 1, 1), date(2030, 1, 31))
    assert balance.total == 0 and balance.is_balanced and balance.warnings() == []
