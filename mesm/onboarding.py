"""The newcomer's first hour: the five stages of the framework as a checklist on the home page.

Each step is one cheap ``exists()`` query; the checklist disappears when every step is done.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    stage: str
    label: str
    done: bool
    url: str
    action: str


def first_steps(org) -> list[Step]:
    from learning.models import Lesson
    from listening.models import Source
    from strategy.models import KPI, PlannedPost, Purpose

    slug = {"org_slug": org.slug}
    purpose = Purpose.objects.filter(org=org).first()
    return [
        Step(
            _("1. Objectives"),
            _("Write why the library is on social media and what for"),
            bool(purpose and purpose.is_written),
            reverse("strategy-purpose-edit", kwargs=slug),
            _("Write the purpose"),
        ),
        Step(
            _("2. Listening"),
            _("Add a listening source, so MESM gathers what people say"),
            Source.objects.filter(org=org).exists(),
            reverse("listening-source-list", kwargs=slug),
            _("Add a source"),
        ),
        Step(
            _("3. Conversation"),
            _("Plan a first post in the content calendar"),
            PlannedPost.objects.filter(org=org).exists(),
            reverse("strategy-post-create", kwargs=slug),
            _("Plan a post"),
        ),
        Step(
            _("4. Metrics"),
            _("Give an objective a KPI with a target"),
            KPI.objects.filter(org=org).exists(),
            reverse("strategy-objective-create", kwargs=slug),
            _("Add an objective"),
        ),
        Step(
            _("5. Learning"),
            _("Record a first lesson learned"),
            Lesson.objects.filter(org=org).exists(),
            reverse("learning-lesson-quick", kwargs=slug),
            _("Note a lesson"),
        ),
    ]
