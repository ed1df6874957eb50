"""The listening factories with the defaults the set-up pages' tests expect."""

import factory
from django.utils import timezone

from listening.models import AlertRule, Notification
from tests.factories import OrganizationFactory
from tests.listening import factories as base

QueryFactory = base.QueryFactory


class SourceFactory(base.SourceFactory):
    platform = "mastodon"
    kind = "hashtag"
    target = "bibliotecas"


class AlertRuleFactory(base.AlertRuleFactory):
    kind = AlertRule.Kind.VOLUME_SPIKE
    keyword = ""
    threshold = 3.0


class MentionFactory(base.MentionFactory):
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
