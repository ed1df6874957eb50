"""Models of learning: lessons learned, gathered in one searchable place."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from mesm.models import Membership, Organization, OrgScopedQuerySet

__all__ = ["LESSON_SEARCH_VECTOR", "Lesson", "LessonDigestSubscription", "LessonQuerySet"]


# One vector for every language we speak: Spanish stems, English stems and the plain ("simple")
# words, so a Spanish query finds Spanish lessons with stemming, an English one English lessons,
# and names or acronyms match as typed. Lessons are short, so three configs cost little.
def _vector(config: str):
    return SearchVector("title", config=config, weight="A") + SearchVector("body", config=config, weight="B")


LESSON_SEARCH_VECTOR = _vector("spanish") + _vector("english") + _vector("simple")


class LessonQuerySet(OrgScopedQuerySet):
    def search(self, text: str):
        """Lessons matching ``text`` in Spanish, English or as typed, best first."""
        from learning.selectors import lesson_search

        return lesson_search(self, text)


class Lesson(models.Model):
    """Something someone learnt about social media, with a link back to where it came from."""

    class SourceKind(models.TextChoices):
        EXPERIMENT = "experiment", _("Experiment")
        TRAINING = "training", _("Training session")
        TALK = "talk", _("Talk")
        CASE_STUDY = "case_study", _("Case study")
        NOTE = "note", _("Quick note")
        OTHER = "other", _("Other")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what we learnt"), blank=True)
    source_kind = models.CharField(_("comes from"), max_length=12, choices=SourceKind.choices, default=SourceKind.NOTE)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(
        _("link to the source"),
        max_length=1000,
        blank=True,
        help_text=_("A page of this site (e.g. /o/my-library/…) or a full web address."),
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_lessons",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_vector = models.GeneratedField(
        expression=LESSON_SEARCH_VECTOR, output_field=SearchVectorField(), db_persist=True
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="lesson_org_recent_idx"),
            GinIndex(fields=["tags"], name="lesson_tags_gin"),
            GinIndex(fields=["search_vector"], name="lesson_search_gin"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        url = (self.source_url or "").strip()
        # Shown as a link: only a page of this site or a web address, never "javascript:" and the like.
        if url and not (
            (url.startswith("/") and not url.startswith("//")) or url.lower().startswith(("http://", "https://"))
        ):
            raise ValidationError(
                {"source_url": _("Give a page of this site (starting with /) or a web address (https://…).")}
            )
        if self.title is not None and not self.title.strip():
            raise ValidationError({"title": _("Give the lesson a title.")})


class LessonDigestSubscription(models.Model):
    """A member who asked for the weekly e-mail of new lessons (one row per membership)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="lesson_digest")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lessons digest subscription")
        verbose_name_plural = _("lessons digest subscriptions")

    def __str__(self) -> str:
        return str(self.membership)
