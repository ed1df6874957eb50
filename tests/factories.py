from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from mesm.models import Membership, Organization, Role
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Biblioteca {n}")
    slug = factory.Sequence(lambda n: f"biblioteca-{n}")
    timezone = "Europe/Madrid"
    language = "es"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org = factory.SubFactory(OrganizationFactory)
    role = Role.EDITOR


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose

    org = factory.SubFactory(OrganizationFactory)
    why = "Porque nuestros vecinos conversan en las redes."
    what_for = "Para acercar la biblioteca a quien no viene."


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Público {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    org = factory.SubFactory(OrganizationFactory)
    platform = "mastodon"
    handle = factory.Sequence(lambda n: f"@biblio{n}@mastodon.social")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Objetivo {n}")
    why = "Porque importa."
    deadline = date(2027, 6, 30)


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    objective = factory.SubFactory(ObjectiveFactory)
    org = factory.LazyAttribute(lambda k: k.objective.org)
    name = factory.Sequence(lambda n: f"Indicador {n}")
    metric_key = "followers"
    unit = "seguidores"
    baseline = Decimal("100")
    target = Decimal("200")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Campaña {n}")
    starts_on = date(2027, 1, 1)
    ends_on = date(2027, 3, 1)
