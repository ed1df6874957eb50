"""Exploring trends: votes on the ideas board, turning ideas into conversation, experiments into lessons."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from learning.models import Experiment, Lesson, ThinkTankIdea, ThinkTankVote
from learning.people.staff import NothingToRecord
from learning.services.lessons import lesson_record
from strategy.models import ConversationIdea


def idea_vote_toggle(idea: ThinkTankIdea, user) -> bool:
    """Vote for the idea, or take the vote back if the member had voted. Returns whether they now vote for it."""
    deleted, _rows = ThinkTankVote.objects.filter(idea=idea, user=user).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            ThinkTankVote.objects.create(idea=idea, user=user)
    except IntegrityError:
        pass  # a double click raced us: the vote exists, which is what was asked
    return True


def idea_vote(idea: ThinkTankIdea, user, *, on: bool) -> bool:
    """Set the member's vote explicitly (the API's idempotent form)."""
    if on:
        ThinkTankVote.objects.get_or_create(idea=idea, user=user)
    else:
        ThinkTankVote.objects.filter(idea=idea, user=user).delete()
    return on


@transaction.atomic
def idea_to_conversation(idea: ThinkTankIdea, *, by=None) -> ConversationIdea:
    """Create a conversation idea (stage 3) from the board idea and link it back; once per idea."""
    idea = ThinkTankIdea.objects.select_for_update().get(pk=idea.pk)
    if idea.conversation_idea_id:
        return idea.conversation_idea
    board_url = reverse("learning-idea-detail", kwargs={"org_slug": idea.org.slug, "pk": idea.pk})
    conversation = ConversationIdea(
        org=idea.org,
        title=idea.title[:200],
        angle=idea.description,
        notes=_("From the ideas board: %(url)s") % {"url": board_url},
        created_by=by,
    )
    conversation.full_clean()
    conversation.save()
    idea.conversation_idea = conversation
    idea.save(update_fields=["conversation_idea", "updated_at"])
    return conversation


def post_create_url(org_slug: str, conversation: ConversationIdea) -> str | None:
    """The lead's "new planned post" form, prefilled from the conversation idea; None while it does not exist."""
    try:
        return reverse("strategy-post-create", kwargs={"org_slug": org_slug}) + f"?idea={conversation.pk}"
    except NoReverseMatch:
        return None


def conversation_idea_url(org_slug: str, conversation: ConversationIdea) -> str | None:
    for name, kwargs in (("strategy-idea-detail", {"pk": conversation.pk}), ("strategy-idea-list", {})):
        try:
            return reverse(name, kwargs={"org_slug": org_slug, **kwargs})
        except NoReverseMatch:
            continue
    return None


def experiment_record_lesson(experiment: Experiment, *, by=None) -> Lesson:
    """Turn the experiment's lesson into a lesson learned (once; a second call returns the same lesson)."""
    if experiment.lesson_id:
        return experiment.lesson
    if not experiment.lesson_learned.strip():
        raise NothingToRecord(_("Write the lesson learned first: it becomes the lesson."))
    parts = [experiment.lesson_learned.strip()]
    if experiment.hypothesis.strip():
        parts.append(_("Hypothesis: %(text)s") % {"text": experiment.hypothesis.strip()})
    if experiment.result.strip():
        parts.append(_("Result: %(text)s") % {"text": experiment.result.strip()})
    with transaction.atomic():
        lesson = lesson_record(
            experiment.org,
            title=experiment.title,
            body="\n\n".join(parts),
            source_kind=Lesson.SourceKind.EXPERIMENT,
            source_label=experiment.get_tier_display(),
            source_url=reverse(
                "learning-experiment-detail", kwargs={"org_slug": experiment.org.slug, "pk": experiment.pk}
            ),
            author=by,
            tags=experiment.tier,
        )
        experiment.lesson = lesson
        experiment.save(update_fields=["lesson", "updated_at"])
    return lesson
