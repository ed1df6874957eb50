"""Factories and helpers for the work half of stage 5 (activities, feeds, cases, executives, lessons)."""

from datetime import UTC, datetime

import factory

from learning.models import (
    Activity,
    CaseStudy,
    Executive,
    FeedItem,
    Lesson,
    TrainingSession,
    TrustedFeed,
)
from tests.factories import OrganizationFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Actividad {n}")
    current_tool = "Correo"
    social_platform = "Mastodon"
    status = Activity.Status.ACCEPTED


class TrustedFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustedFeed

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Blog {n}")
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}.xml")


class FeedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedItem

    feed = factory.SubFactory(TrustedFeedFactory)
    org = factory.SelfAttribute("feed.org")
    external_id = factory.Sequence(lambda n: f"https://blog.example/{n}")
    url = factory.LazyAttribute(lambda item: item.external_id)
    title = factory.Sequence(lambda n: f"Artículo {n}")
    summary = "Una biblioteca prueba algo nuevo en redes."
    published_at = factory.Sequence(lambda n: datetime(2026, 10, 1, 9, n % 60, tzinfo=UTC))


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudy

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Caso {n}")
    organisation = "Biblioteca Vecina"
    what_they_did = "Publicaron hilos semanales."
    platform = "Mastodon"


class ExecutiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Executive

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Directora {n}")
    position = "Dirección"


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    executive = factory.SubFactory(ExecutiveFactory)
    org = factory.SelfAttribute("executive.org")
    title = factory.Sequence(lambda n: f"Sesión {n}")
    starts_at = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    duration_minutes = 30


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Lección {n}")
    body = "Algo que aprendimos."
    source_kind = Lesson.SourceKind.NOTE
