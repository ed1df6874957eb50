"""Factories for the content calendar (planned posts and their media)."""

from datetime import timedelta

import factory
from django.utils import timezone

from strategy.models import PlannedPost, PostStatus, Tier
from tests.factories import OrganizationFactory, ProfileFactory


def in_days(days: float = 3):
    """A time that many days from now (whole seconds, as the API writes them back)."""
    return timezone.now().replace(microsecond=0) + timedelta(days=days)


class PlannedPostFactory(factory.django.DjangoModelFactory):
    """A post written straight to the database (the workflow is tested through the API)."""

    class Meta:
        model = PlannedPost

    org = factory.SubFactory(OrganizationFactory)
    profile = factory.SubFactory(ProfileFactory, org=factory.SelfAttribute("..org"))
    scheduled_at = factory.LazyFunction(in_days)
    text = factory.Sequence(lambda n: f"Publicación número {n} sobre el club de lectura")
    tier = Tier.PROVEN
    status = PostStatus.DRAFT
