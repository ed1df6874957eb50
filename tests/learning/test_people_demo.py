"""The demo data of the people half: complete, coherent and safe to run twice."""

import pytest

from learning.demo_people import seed_people
from learning.models import (
    DiscussionGroup,
    Experiment,
    Lesson,
    PolicyAcknowledgement,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    SurveyResponse,
    Talk,
    ThinkTankIdea,
    ThinkTankVote,
)
from learning.people import surveys as survey_service
from tests import factories
from tests.strategy.calendar_factories import PlannedPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users(org):
    users = {}
    for username, role in (("ana", "admin"), ("luis", "editor"), ("carmen", "viewer")):
        users[username] = factories.MembershipFactory(
            org=org, role=role, user=factories.UserFactory(username=username)
        ).user
    return users


def test_it_seeds_every_part_and_changes_nothing_the_second_time(org, demo_users):
    PlannedPostFactory(org=org, tier="moderate", status="published", hypothesis="h", likes=12)
    PlannedPostFactory(org=org, tier="radical", status="published", hypothesis="h", likes=30)
    seed_people(org, demo_users)
    counts = {
        model: model.objects.count()
        for model in (
            Survey,
            SurveyResponse,
            StaffMember,
            StaffList,
            PolicyVersion,
            PolicyAcknowledgement,
            Talk,
            DiscussionGroup,
            ThinkTankIdea,
            ThinkTankVote,
            Experiment,
            Lesson,
        )  # fmt: skip
    }
    closed = Survey.objects.get(title="¿Qué te gustaría ver en nuestras redes sociales?")
    assert closed.state() == "closed"
    total, results = survey_service.survey_results(closed)
    assert total == 25
    assert all(r.answered for r in results)
    assert {r.question.kind for r in results if r.average is not None} == {"scale"}
    current = PolicyVersion.objects.get(org=org, is_current=True)
    assert current.label == "2.0" and PolicyVersion.objects.filter(org=org).count() == 2
    assert current.acknowledgements.filter(user=demo_users["carmen"]).count() == 0
    assert current.acknowledgements.filter(user=demo_users["luis"]).count() == 1
    assert Talk.objects.filter(lesson__isnull=False).count() == 1
    assert {i.status for i in ThinkTankIdea.objects.all()} == {"proposed", "study", "adopted", "discarded"}
    assert Experiment.objects.filter(post__isnull=False).count() == 2
    assert Lesson.objects.filter(source_kind="experiment").count() == 1
    assert StaffMember.objects.get(member=demo_users["luis"]).name == "Luis Romero"
    seed_people(org, demo_users)
    assert {model: model.objects.count() for model in counts} == counts


def test_it_works_without_experimental_posts_in_the_calendar(org, demo_users):
    seed_people(org, demo_users)
    assert Experiment.objects.filter(post__isnull=True).count() == 2
