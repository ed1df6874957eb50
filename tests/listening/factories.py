from datetime import UTC, datetime

import factory

from listening.models import AlertRule, Mention, Query, Source
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
    platform = "rss"
    kind = "feed"
    target = "http://127.0.0.1:9/feed.xml"


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    org = factory.SubFactory(OrganizationFactory)
    platform = "mastodon"
    external_id = factory.Sequence(lambda n: f"https://mastodon.example/users/a/statuses/{n}")
    url = factory.LazyAttribute(lambda m: m.external_id)
    text = "Me encanta la biblioteca del barrio"
    author_handle = factory.Sequence(lambda n: f"@lector{n}@mastodon.example")
    author_name = "Lector"
    published_at = factory.Sequence(lambda n: datetime(2026, 11, 1, 10, n % 60, tzinfo=UTC))
    language = "es"
    sentiment = "positive"
    sentiment_score = 0.6


class AlertRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRule

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Regla {n}")
    kind = "keyword"
    keyword = "cerrada"
