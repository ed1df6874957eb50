"""The inbox workflow: status, assignee, tags, notes and answers — one place for HTML and API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from listening.models import Mention, MentionNote, MentionStatus
from mesm.models import Membership


def _clean_tags(tags) -> list[str]:
    cleaned = []
    for tag in tags or []:
        tag = str(tag).strip().lstrip("#")[:50]
        if tag and tag.casefold() not in {t.casefold() for t in cleaned}:
            cleaned.append(tag)
    return cleaned


def _event(mention, by, text):
    MentionNote.objects.create(mention=mention, author=by, kind=MentionNote.Kind.EVENT, text=text)


@transaction.atomic
def mention_update(*, mention: Mention, by, status=None, assignee=..., tags=None) -> Mention:
    """Change status, assignee and/or tags; each change is kept in the mention's history.

    ``assignee`` is a user (or None to unassign); the default ``...`` leaves it unchanged.
    """
    mention = Mention.objects.select_for_update().get(pk=mention.pk)
    changed = []
    if assignee is not ...:
        if assignee is not None and not Membership.objects.filter(org_id=mention.org_id, user=assignee).exists():
            raise ValidationError({"assignee": _("Only members of the organisation can be assigned.")})
        if assignee != mention.assignee:
            mention.assignee = assignee
            changed.append("assignee")
            who = (assignee.get_full_name() or assignee.username) if assignee else _("nobody")
            _event(mention, by, _("Assigned to %(who)s.") % {"who": who})
            if assignee is not None and mention.status == MentionStatus.NEW and status is None:
                status = MentionStatus.ASSIGNED
    if status is not None and status != mention.status:
        if status not in MentionStatus.values:
            raise ValidationError({"status": _("Choose a status from the list.")})
        mention.status = status
        changed.append("status")
        _event(mention, by, _("Status changed to “%(status)s”.") % {"status": MentionStatus(status).label})
        if status == MentionStatus.ANSWERED and mention.first_response_at is None:
            mention.first_response_at = timezone.now()
            changed.append("first_response_at")
    if tags is not None:
        tags = _clean_tags(tags)
        if tags != mention.tags:
            mention.tags = tags
            changed.append("tags")
    if changed:
        mention.save(update_fields=[*changed, "updated_at"])
    return mention


@transaction.atomic
def mention_answer(*, mention: Mention, by, text: str) -> MentionNote:
    """Record the team's answer (as sent on the platform) and mark the mention answered."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the answer you gave.")})
    note = MentionNote.objects.create(mention=mention, author=by, kind=MentionNote.Kind.ANSWER, text=text)
    mention_update(mention=mention, by=by, status=MentionStatus.ANSWERED)
    return note


def mention_note_add(*, mention: Mention, by, text: str) -> MentionNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The note is empty.")})
    return MentionNote.objects.create(mention=mention, author=by, kind=MentionNote.Kind.NOTE, text=text)


BULK_ACTIONS = ("assign_me", "unassign", "close", "ignore", "reopen", "tag")


@transaction.atomic
def mentions_bulk_update(*, org, ids: list[int], by, action: str, tag: str = "") -> int:
    """Apply one action to many mentions of the organisation; returns how many changed."""
    if action not in BULK_ACTIONS:
        raise ValidationError(_("Choose an action."))
    if action == "tag" and not tag.strip():
        raise ValidationError(_("Write the tag to add."))
    count = 0
    for mention in Mention.objects.filter(org=org, pk__in=ids).order_by("pk"):
        if action == "assign_me":
            mention_update(mention=mention, by=by, assignee=by)
        elif action == "unassign":
            mention_update(mention=mention, by=by, assignee=None)
        elif action == "close":
            mention_update(mention=mention, by=by, status=MentionStatus.CLOSED)
        elif action == "ignore":
            mention_update(mention=mention, by=by, status=MentionStatus.IGNORED)
        elif action == "reopen":
            mention_update(mention=mention, by=by, status=MentionStatus.NEW)
        elif action == "tag":
            mention_update(mention=mention, by=by, tags=[*mention.tags, tag])
        count += 1
    return count


def raw_payloads_expire(*, older_than_days: int, batch: int = 5000) -> int:
    """Empty the raw payload of mentions collected before the retention window (in batches,
    so a large backlog never holds one long transaction); the mention itself is kept."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=older_than_days)
    total = 0
    while True:
        ids = list(Mention.objects.filter(collected_at__lt=cutoff).exclude(raw={}).values_list("id", flat=True)[:batch])
        if not ids:
            return total
        total += Mention.objects.filter(pk__in=ids).update(raw={})


@transaction.atomic
def mentions_delete(*, org, ids: list[int]) -> int:
    """Delete mentions of the organisation and take them out of every rollup in the same transaction."""
    from listening.services.ingest import (
        MENTION_ROLLUP_FIELDS,
        ROLLUP_TABLES,
        TERM_TABLE,
        day_rollups_lock_shared,
        rollup_counts,
        term_counts,
        unbump,
    )

    rows = list(Mention.objects.select_for_update().filter(org=org, pk__in=ids).values("pk", *MENTION_ROLLUP_FIELDS))
    if not rows:
        return 0
    day_rollups_lock_shared(org.pk)  # never in the middle of a recount (day_rollups_rebuild)
    zone = org.zoneinfo
    for name, counter in rollup_counts(org.pk, rows, zone).items():
        unbump(*ROLLUP_TABLES[name], counter)
    unbump(*TERM_TABLE, term_counts(org.pk, rows, zone))
    from django.db.models import Count, F

    from listening.models import Source

    per_source = Mention.objects.filter(pk__in=[row["pk"] for row in rows], source__isnull=False)
    for item in per_source.values("source").annotate(n=Count("pk")):
        Source.objects.filter(pk=item["source"]).update(mentions_count=F("mentions_count") - item["n"])
    # Mentions whose source is gone write no source row, which the dashboards' cache keys on.
    from metrics.cache import bump_org_data_version

    bump_org_data_version(org.pk)
    return Mention.objects.filter(pk__in=[row["pk"] for row in rows]).delete()[0]
