"""Case studies: saved from a feed item, a listening mention or a page typed by hand."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from learning.models import CASE_RELATIONS, CaseStudy, FeedItem, Lesson
from learning.services.lessons import lesson_record, lesson_tags_parse

RELATION_KEYS = {key for key, _label in CASE_RELATIONS}


def case_prefill_from_item(item: FeedItem) -> dict:
    """What a new case study starts with when saved from a reader item."""
    return {
        "title": item.title[:200],
        "organisation": item.feed.name[:200] if item.feed.category == item.feed.Category.PEER else "",
        "what_they_did": item.summary[:3000],
        "url": item.url,
    }


def case_prefill_from_mention(mention) -> dict:
    first_line = (mention.text or "").strip().split("\n", 1)[0]
    return {
        "title": first_line[:200],
        "organisation": (mention.author_name or mention.author_handle)[:200],
        "what_they_did": mention.text[:3000],
        "platform": mention.get_platform_display()[:80],
        "url": mention.url,
    }


@transaction.atomic
def case_study_save(case: CaseStudy, *, by=None) -> CaseStudy:
    """Validate and save a case study; its item or mention must belong to the same organisation."""
    case.tags = lesson_tags_parse(case.tags)
    case.relations = [key for key in dict.fromkeys(case.relations or []) if key in RELATION_KEYS]
    if case.feed_item_id and case.feed_item.org_id != case.org_id:
        raise ValidationError({"feed_item": _("This item is not in your reader.")})
    if case.mention_id and case.mention.org_id != case.org_id:
        raise ValidationError({"mention": _("This mention is not in your inbox.")})
    if case.pk is None and by is not None:
        case.saved_by = by
    case.full_clean(exclude=["search_vector"])
    case.save()
    return case


def _case_url(case: CaseStudy) -> str:
    from django.urls import reverse

    return reverse("learning-case-detail", kwargs={"org_slug": case.org.slug, "pk": case.pk})


@transaction.atomic
def case_study_to_lesson(case: CaseStudy, *, author=None, title: str = "", body: str = "") -> Lesson:
    """Record "what we could adapt" as a lesson learned (once per case study)."""
    case = CaseStudy.objects.select_for_update().select_related("org").get(pk=case.pk)
    if case.lesson_id:
        return case.lesson
    body = (body or case.adapt).strip()
    if not body:
        raise ValidationError({"adapt": _("Write what we could adapt first: it becomes the lesson.")})
    lesson = lesson_record(
        case.org,
        title=(
            title or _("From %(organisation)s: %(title)s") % {"organisation": case.organisation, "title": case.title}
        )[:200],
        body=body,
        source_kind=Lesson.SourceKind.CASE_STUDY,
        source_label=case.title[:200],
        source_url=_case_url(case),
        author=author,
        tags=case.tags,
    )
    case.lesson = lesson
    case.save(update_fields=["lesson", "updated_at"])
    return lesson
