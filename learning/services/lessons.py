"""Lessons learned: recording them (from any part of the stage) and the weekly digest."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from learning.models import Lesson, LessonDigestSubscription
from mesm.models import Membership, Organization


def lesson_tags_parse(tags) -> list[str]:
    """Tags from "a, b, #c" (or a list): trimmed, without '#', lower-case, unique, in order."""
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags or []:
        tag = str(tag).strip().lstrip("#").strip().lower()[:50]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


@transaction.atomic
def lesson_record(
    org: Organization,
    *,
    title: str,
    body: str,
    source_kind: str,
    source_label: str = "",
    source_url: str = "",
    author=None,
    tags="",
) -> Lesson:
    """Record a lesson learned; every part of the stage (notes, trainings, experiments…) calls this."""
    lesson = Lesson(
        org=org,
        title=(title or "").strip(),
        body=(body or "").strip(),
        source_kind=source_kind,
        source_label=(source_label or "").strip()[:200],
        source_url=(source_url or "").strip()[:1000],
        author=author,
        tags=lesson_tags_parse(tags),
    )
    lesson.full_clean(exclude=["search_vector"])
    lesson.save()
    return lesson


# --- The weekly digest ---------------------------------------------------------------------

# A digest goes out at most this often per member, so running the task twice sends nothing twice.
DIGEST_MIN_GAP = timedelta(days=6)
DIGEST_WINDOW = timedelta(days=7)


def lesson_digest_subscribe(membership: Membership, *, on: bool) -> bool:
    """Opt the member in or out of the weekly digest; returns the new state."""
    if on:
        LessonDigestSubscription.objects.get_or_create(membership=membership)
    else:
        LessonDigestSubscription.objects.filter(membership=membership).delete()
    return on


def lesson_digest_build(subscription: LessonDigestSubscription, *, now=None) -> EmailMultiAlternatives | None:
    """The digest e-mail (text + HTML, in the organisation's language), or None when nothing is new."""
    now = now or timezone.now()
    membership = subscription.membership
    org, user = membership.org, membership.user
    if not user.email or not user.is_active:
        return None
    since = max(filter(None, [subscription.last_sent_at, now - DIGEST_WINDOW]))
    lessons = list(
        Lesson.objects.filter(org=org, created_at__gt=since, created_at__lte=now)
        .select_related("author")
        .order_by("-created_at", "-id")[:50]
    )
    if not lessons:
        return None
    base = settings.SITE_URL
    context = {
        "org": org,
        "user": user,
        "lessons": lessons,
        "count": len(lessons),
        "lessons_url": base + reverse("learning-lesson-list", kwargs={"org_slug": org.slug}),
        "site_url": base,
    }
    with translation.override(org.language), timezone.override(org.zoneinfo):
        subject = ngettext(
            "%(org)s: %(count)s new lesson learned this week",
            "%(org)s: %(count)s new lessons learned this week",
            len(lessons),
        ) % {"org": org.name, "count": len(lessons)}
        text = render_to_string("learning/email/lesson_digest.txt", context)
        html = render_to_string("learning/email/lesson_digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def lesson_digests_send(*, now=None) -> int:
    """Send the weekly digest to every member who opted in and is due; returns how many were sent.

    Each subscription is claimed with SKIP LOCKED and stamped in the same transaction, so two
    runs at once (or one repeated) never send a member the same digest twice.
    """
    now = now or timezone.now()
    sent = 0
    due = LessonDigestSubscription.objects.filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - DIGEST_MIN_GAP)
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            subscription = (
                LessonDigestSubscription.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("membership__org", "membership__user")
                .filter(pk=pk)
                .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - DIGEST_MIN_GAP))
                .first()
            )
            if subscription is None:
                continue
            message = lesson_digest_build(subscription, now=now)
            if message is not None:
                message.send()
                sent += 1
            subscription.last_sent_at = now
            subscription.save(update_fields=["last_sent_at"])
    return sent
