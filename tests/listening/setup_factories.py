"""Small factories for the listening set-up pages' tests (sources, queries, alert rules, mentions)."""

import factory
from django.utils import timezone

from listening.models import AlertRule, Mention, Notification, Query, Source
from tests.factories import OrganizationFactory


class QueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Query

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Consulta {n}")
    expression = "biblioteca"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Fuente {n}")
    platform = "mastodon"
    kind = "hashtag"
    target = "bibliotecas"


class AlertRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRule

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Regla {n}")
    kind = AlertRule.Kind.VOLUME_SPIKE
    threshold = 3.0


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    org = factory.SubFactory(OrganizationFactory)
    platform = "mastodon"
    external_id = factory.Sequence(lambda n: f"status-{n}")
    text = "Hoy en la biblioteca"
    author_handle = factory.Sequence(lambda n: f"lectora{n}@mastodon.social")
    published_at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    org = factory.SubFactory(OrganizationFactory)
    text = "Pico de menciones"
    url = "/"
