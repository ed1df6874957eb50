"""The life of a planned post: idea → draft → in review → approved → scheduled → published (or rejected).

Every write goes through here, from the HTML pages, the API and the CSV import, so the rules are
the same everywhere and every change lands in the post's history (PostEvent):

- editors (and admins) write posts and move them; viewers can only comment;
- a reviewer approves; when the organisation requires a second reviewer, nobody approves a post
  they wrote or sent to review;
- a post cannot be approved or scheduled while it breaks a rule: time in the past, media without
  alt text, an experiment without hypothesis, text over the platform's limit;
- editing the content of an approved or scheduled post sends it back to draft (it needs a new
  review); a published post is not edited.

Rules raise ``WorkflowError`` (a ``ValidationError`` with messages per field in the user's language);
nothing is saved when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesm.audit import audit
from mesm.models import Membership, Role
from strategy.limits import length_error
from strategy.models import (
    LOCKED_STATUSES,
    ConversationIdea,
    ConversationSettings,
    IdeaStatus,
    PlannedPost,
    PostEvent,
    PostEventKind,
    PostStatus,
)


class WorkflowError(ValidationError):
    """A rule of the workflow was broken; nothing was saved."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    button_class: str = "button"


S = PostStatus
ACTIONS = {
    "draft": Action(
        "draft", gettext_lazy("Back to draft"), (S.IDEA, S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.REJECTED), S.DRAFT
    ),
    "submit": Action("submit", gettext_lazy("Send for review"), (S.IDEA, S.DRAFT), S.IN_REVIEW, "button primary"),
    "approve": Action("approve", gettext_lazy("Approve"), (S.IN_REVIEW,), S.APPROVED, "button primary"),
    "reject": Action("reject", gettext_lazy("Reject"), (S.IN_REVIEW, S.APPROVED, S.SCHEDULED), S.REJECTED),
    "schedule": Action("schedule", gettext_lazy("Schedule"), (S.APPROVED,), S.SCHEDULED, "button primary"),
}

# Fields whose change means the post must be reviewed again.
CONTENT_FIELDS = ("profile", "text", "link", "hashtags", "tier", "hypothesis", "scheduled_at")
TRACKED_FIELDS = (
    *CONTENT_FIELDS,
    "owner",
    "objective",
    "campaign",
    "audience",
    "idea",
)


def _can_write(membership: Membership | None) -> bool:
    return membership is not None and membership.has_role(Role.EDITOR)


def _membership(post: PlannedPost, user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(org_id=post.org_id, user=user).first()


def post_problems(post: PlannedPost, *, now=None) -> dict[str, list[str]]:
    """What stops this post from being approved or scheduled, by field (empty: nothing)."""
    now = now or timezone.now()
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if not (post.text or "").strip():
        add("text", _("Write the text of the post."))
    if post.scheduled_at is None:
        add("scheduled_at", _("Choose when the post goes out."))
    elif post.scheduled_at <= now:
        add("scheduled_at", _("This time has already passed; choose a time in the future."))
    if post.is_experiment and not (post.hypothesis or "").strip():
        add("hypothesis", _("An experiment needs a hypothesis: what you expect to happen and how you will know."))
    if post.pk and any(not (media.alt_text or "").strip() for media in post.media.all()):
        add("media", _("Every image or video needs a description (alt text)."))
    error = length_error(post) if post.profile_id else None
    if error:
        add("text", error)
    return problems


def _event(post, actor, kind, *, from_status="", to_status="", changes=None, message=""):
    actor = actor if actor is not None and actor.is_authenticated else None
    if kind != PostEventKind.COMMENT:
        # The organisation's audit log (administrators) gets every change and approval too.
        audit_changes = dict(changes or {})
        if from_status or to_status:
            audit_changes["status"] = [from_status, to_status]
        if message:
            audit_changes["message"] = message
        action = {PostEventKind.CREATED: "create", PostEventKind.EDITED: "update"}.get(kind, "transition")
        audit(post.org, actor, action, post, changes=audit_changes)
    return PostEvent.objects.create(
        post=post,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        changes=changes or {},
        message=message,
    )


def _display(value) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    return str(value)


def _changes(before: dict, post: PlannedPost) -> dict[str, list[str]]:
    changed = {}
    for field in TRACKED_FIELDS:
        old, new = before.get(field), getattr(post, field)
        if old != new:
            changed[field] = [_display(old), _display(new)]
    return changed


def snapshot(post: PlannedPost) -> dict:
    """The tracked fields of a post as they are now, to diff after an edit."""
    return {**{field: getattr(post, field) for field in TRACKED_FIELDS}, "_status": post.status}


def _check_future(post: PlannedPost, before: dict | None) -> None:
    """A new or moved time must be in the future (a post is never planned in the past)."""
    if post.status == S.PUBLISHED or post.scheduled_at is None:
        return
    moved = before is None or before.get("scheduled_at") != post.scheduled_at
    if moved and post.scheduled_at <= timezone.now():
        raise WorkflowError({"scheduled_at": [_("This time has already passed; choose a time in the future.")]})


@transaction.atomic
def post_save(post: PlannedPost, *, user, before: dict | None = None, media_problems: bool = False) -> PlannedPost:
    """Create or edit a post (editors), keeping its history; content edits after approval reopen review."""
    creating = post.pk is None
    if creating:
        membership = Membership.objects.filter(org_id=post.org_id, user=user).first()
    else:
        membership = _membership(post, user)
    if not _can_write(membership):
        raise WorkflowError(_("Only editors and administrators can change posts."))
    if not creating and before is None:
        raise ValueError("post_save needs the snapshot() taken before the edit")
    if not creating and before.get("_status", post.status) == S.PUBLISHED:
        raise WorkflowError(_("A published post cannot be changed."))
    _check_future(post, before)
    if post.profile_id and post.profile.org_id != post.org_id:
        raise WorkflowError({"profile": [_("This profile does not exist.")]})
    if post.is_experiment and not (post.hypothesis or "").strip():
        raise WorkflowError(
            {"hypothesis": [_("An experiment needs a hypothesis: what you expect to happen and how you will know.")]}
        )
    if creating:
        post.created_by = user
        if post.owner_id is None:
            post.owner = user
        post.save()
        _event(post, user, PostEventKind.CREATED, to_status=post.status)
        if post.idea_id and post.idea.status == IdeaStatus.OPEN:
            ConversationIdea.objects.filter(pk=post.idea_id).update(status=IdeaStatus.PLANNED)
        return post
    changes = _changes(before, post)
    reopen = post.status in (S.APPROVED, S.SCHEDULED) and any(field in changes for field in CONTENT_FIELDS)
    old_status = post.status
    if reopen:
        post.status = S.DRAFT
        post.reviewed_by = None
        post.reviewed_at = None
    post.save()
    if changes:
        _event(post, user, PostEventKind.EDITED, changes=changes)
    if reopen:
        _event(
            post,
            user,
            PostEventKind.STATUS,
            from_status=old_status,
            to_status=post.status,
            message=_("The content changed after approval, so it needs a new review."),
        )
    return post


def available_actions(post: PlannedPost, membership: Membership | None) -> list[Action]:
    """The moves this member can make on this post now (buttons on the page)."""
    if not _can_write(membership):
        return []
    found = []
    for action in ACTIONS.values():
        if post.status not in action.sources:
            continue
        if action.name == "approve" and _is_own_post(post, membership.user):
            settings = ConversationSettings.for_org(post.org)
            if settings.require_second_reviewer:
                continue
        found.append(action)
    return found


def _is_own_post(post: PlannedPost, user) -> bool:
    return user.pk in {post.created_by_id, post.submitted_by_id}


@transaction.atomic
def post_transition(post: PlannedPost, action: str, *, user, reason: str = "") -> PlannedPost:
    """Move a post through the workflow; raises WorkflowError (nothing saved) when a rule says no."""
    if action not in ACTIONS:
        raise WorkflowError(_("Unknown action “%(action)s”.") % {"action": action})
    move = ACTIONS[action]
    post = PlannedPost.objects.select_for_update().select_related("profile", "org").get(pk=post.pk)
    membership = _membership(post, user)
    if not _can_write(membership):
        raise WorkflowError(_("Only editors and administrators can move posts through the workflow."))
    if post.status not in move.sources:
        raise WorkflowError(
            _("A post that is “%(status)s” cannot be moved with “%(action)s”.")
            % {"status": post.get_status_display(), "action": move.label}
        )
    if action == "approve":
        settings = ConversationSettings.for_org(post.org)
        if settings.require_second_reviewer and _is_own_post(post, user):
            raise WorkflowError(
                _(
                    "Your organisation asks for a second reviewer: another editor or an administrator "
                    "must approve a post you wrote or sent to review."
                )
            )
    if action in ("approve", "schedule"):
        problems = post_problems(post)
        if problems:
            raise WorkflowError(problems)
    if action == "reject" and not reason.strip():
        raise WorkflowError({"reason": [_("Say why the post is rejected, so its author can improve it.")]})
    old_status = post.status
    post.status = move.target
    if action == "submit":
        post.submitted_by = user
        post.rejection_reason = ""
    elif action == "approve":
        post.reviewed_by = user
        post.reviewed_at = timezone.now()
    elif action == "reject":
        post.rejection_reason = reason.strip()
        post.reviewed_by = user
        post.reviewed_at = timezone.now()
    elif action == "schedule":
        post.next_attempt_at = None
        post.publish_error = ""
        post.publish_attempts = 0
    elif action == "draft":
        post.reviewed_by = None
        post.reviewed_at = None
    post.save()
    _event(post, user, PostEventKind.STATUS, from_status=old_status, to_status=post.status, message=reason.strip())
    return post


@transaction.atomic
def post_reschedule(post: PlannedPost, when, *, user) -> PlannedPost:
    """Move a post to another time (drag and drop or the small form); approved posts stay approved
    when only the time moves, as long as the new time is valid."""
    post = PlannedPost.objects.select_for_update().get(pk=post.pk)
    membership = _membership(post, user)
    if not _can_write(membership):
        raise WorkflowError(_("Only editors and administrators can change posts."))
    if post.status == S.PUBLISHED:
        raise WorkflowError(_("A published post cannot be changed."))
    if when <= timezone.now():
        raise WorkflowError({"scheduled_at": [_("This time has already passed; choose a time in the future.")]})
    old = post.scheduled_at
    post.scheduled_at = when
    post.save(update_fields=["scheduled_at", "updated_at"])
    _event(post, user, PostEventKind.EDITED, changes={"scheduled_at": [_display(old), _display(when)]})
    return post


def post_media_changed(post: PlannedPost, *, user, before: str, after: str) -> None:
    """Keep a media change in the history; new or removed media on an approved post needs a new review."""
    _event(post, user, PostEventKind.EDITED, changes={"media": [before, after]})
    if post.status in (S.APPROVED, S.SCHEDULED):
        post_transition(
            post,
            "draft",
            user=user,
            reason=_("The images or videos changed after approval, so the post needs a new review."),
        )


def post_comment(post: PlannedPost, *, user, message: str) -> PostEvent:
    """Any member, viewers included, can comment on a post."""
    if _membership(post, user) is None:
        raise WorkflowError(_("Only members of the organisation can comment."))
    message = (message or "").strip()
    if not message:
        raise WorkflowError({"message": [_("Write a comment first.")]})
    if len(message) > 5000:
        raise WorkflowError({"message": [_("A comment can have at most 5,000 characters.")]})
    return _event(post, user, PostEventKind.COMMENT, message=message)


def is_locked(post: PlannedPost) -> bool:
    return post.status in LOCKED_STATUSES
