"""Social media inside the organisation: proposing activities, reviewing them, pilots, comments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.models import Activity, ActivityComment, ActivityPilot
from mesm.models import Membership


@transaction.atomic
def activity_save(activity: Activity, *, membership: Membership) -> Activity:
    """Save a new or changed activity. Anyone may propose; an editor's new entry is in the
    catalogue at once (an editor is who accepts), a viewer's waits as "proposed"."""
    is_new = activity.pk is None
    activity.org = membership.org
    activity.name = (activity.name or "").strip()
    if is_new:
        activity.proposed_by = membership.user
        if membership.can_edit:
            activity.status = Activity.Status.ACCEPTED
            activity.reviewed_by, activity.reviewed_at = membership.user, timezone.now()
        else:
            activity.status = Activity.Status.PROPOSED
    elif not membership.can_edit:
        raise ValidationError(_("Only editors can change an activity in the catalogue."))
    clash = Activity.objects.filter(org=membership.org, name__iexact=activity.name).exclude(pk=activity.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already an activity with this name.")})
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_review(activity: Activity, *, status: str, by) -> Activity:
    """An editor accepts a proposal into the catalogue, or declines it (a comment says why)."""
    if status not in Activity.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    activity.status = status
    activity.reviewed_by, activity.reviewed_at = by, timezone.now()
    activity.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return activity


def activity_comment_add(activity: Activity, *, author, text: str) -> ActivityComment:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something before sending the comment.")})
    return ActivityComment.objects.create(activity=activity, author=author, text=text[:5000])


@transaction.atomic
def pilot_save(pilot: ActivityPilot) -> ActivityPilot:
    """Save a pilot; piloting an activity accepts it into the catalogue if it was only proposed."""
    pilot.org_id = pilot.activity.org_id
    pilot.full_clean()
    pilot.save()
    if pilot.activity.status == Activity.Status.PROPOSED:
        Activity.objects.filter(pk=pilot.activity_id).update(status=Activity.Status.ACCEPTED)
    return pilot
