"""Exploring trends: discussion group and meetings, think-tank ideas with votes, ideas into the content plan,
and the experiment log tied to the 20 % / 10 % posts."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import (
    DiscussionGroup,
    Experiment,
    GroupMeeting,
    Lesson,
    ThinkTankIdea,
    ThinkTankVote,
)
from learning.people import explore as service
from strategy.models import ConversationIdea
from tests.learning.test_people_factories import (
    make_experiment,
    make_group,
    make_idea,
    make_meeting,
    make_session,
    make_staff,
)
from tests.strategy.calendar_factories import PlannedPostFactory

pytestmark = pytest.mark.django_db


# --- discussion group ----------------------------------------------------------------------------------------------------


def test_an_editor_creates_a_group_of_staff_and_records_a_meeting(client_for, org, editor):
    ana, luis = make_staff(org, "Ana"), make_staff(org, "Luis")
    client = client_for(editor)
    response = client.post(
        "/o/norte/learning/groups/new/",
        {
            "name": "Vanguardia digital",
            "purpose": "Ver qué se mueve",
            "cadence": "Mensual",
            "members": [ana.pk, luis.pk],
        },
    )
    group = DiscussionGroup.objects.get(org=org)
    assert response["Location"] == f"/o/norte/learning/groups/{group.pk}/"
    assert set(group.members.all()) == {ana, luis}
    response = client.post(
        f"/o/norte/learning/groups/{group.pk}/meetings/",
        {"date": "2026-06-03", "topic": "Threads y el fediverso", "attendance": "6", "notes": "Probar una cuenta."},
    )
    assert response.status_code == 302
    meeting = GroupMeeting.objects.get(group=group)
    assert (meeting.topic, meeting.attendance, meeting.org) == ("Threads y el fediverso", 6, org)
    html = client.get(f"/o/norte/learning/groups/{group.pk}/").content.decode()
    assert "Threads y el fediverso" in html and "Probar una cuenta." in html


def test_a_meeting_needs_a_date(client_for, org, editor):
    group = make_group(org)
    response = client_for(editor).post(f"/o/norte/learning/groups/{group.pk}/meetings/", {"topic": "Sin fecha"})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not GroupMeeting.objects.exists()


def test_a_group_cannot_take_staff_of_another_organisation(client_for, org, other_org, editor):
    foreign = make_staff(other_org, "Foránea")
    response = client_for(editor).post("/o/norte/learning/groups/new/", {"name": "G", "members": [foreign.pk]})
    assert response.status_code == 200
    assert not DiscussionGroup.objects.exists()


def test_a_viewer_reads_the_group_but_cannot_record_meetings(client_for, org, viewer):
    group = make_group(org)
    make_meeting(group, topic="Primera")
    client = client_for(viewer)
    assert "Primera" in client.get("/o/norte/learning/groups/").content.decode()
    assert client.post(f"/o/norte/learning/groups/{group.pk}/meetings/", {"date": "2026-06-03"}).status_code == 403
    assert GroupMeeting.objects.count() == 1


# --- ideas board ---------------------------------------------------------------------------------------------------------


def test_an_editor_puts_an_idea_on_the_board_of_a_session(client_for, org, editor):
    session = make_session(org)
    response = client_for(editor).post(
        "/o/norte/learning/ideas/new/",
        {
            "title": "Podcast de novedades",
            "kind": "platform",
            "description": "Cinco minutos cada viernes.",
            "session": session.pk,
            "status": "proposed",
        },  # fmt: skip
    )
    idea = ThinkTankIdea.objects.get(org=org)
    assert response["Location"] == f"/o/norte/learning/ideas/{idea.pk}/"
    assert (idea.session, idea.created_by, idea.kind) == (session, editor, "platform")


def test_any_member_votes_once_and_can_take_the_vote_back(client_for, org, viewer):
    idea = make_idea(org)
    client = client_for(viewer)
    url = f"/o/norte/learning/ideas/{idea.pk}/vote/"
    assert client.post(url).status_code == 302
    assert ThinkTankVote.objects.filter(idea=idea, user=viewer).count() == 1
    client.post(url)
    assert not ThinkTankVote.objects.exists()
    # With htmx only the button comes back, showing the new count.
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'aria-pressed="true"' in html
    assert ThinkTankVote.objects.count() == 1


def test_the_database_keeps_one_vote_per_member(org, viewer):
    idea = make_idea(org)
    ThinkTankVote.objects.create(idea=idea, user=viewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ThinkTankVote.objects.create(idea=idea, user=viewer)


def test_the_board_groups_ideas_by_status_most_voted_first(client_for, org, editor, viewer, admin_user):
    popular = make_idea(org, title="Muy votada")
    quiet = make_idea(org, title="Poco votada")
    make_idea(org, title="Adoptada", status="adopted")
    make_idea(org, title="Descartada", status="discarded", kind="platform")
    for user in (editor, viewer, admin_user):
        service.idea_vote_toggle(popular, user)
    service.idea_vote_toggle(quiet, viewer)
    html = client_for(viewer).get("/o/norte/learning/ideas/").content.decode()
    assert html.index("Muy votada") < html.index("Poco votada") < html.index("Adoptada") < html.index("Descartada")
    assert "3 votes" in html or "3 votos" in html
    filtered = client_for(viewer).get("/o/norte/learning/ideas/?kind=platform").content.decode()
    assert "Descartada" in filtered and "Muy votada" not in filtered


def test_an_editor_moves_an_idea_through_its_statuses(client_for, org, editor, viewer):
    idea = make_idea(org)
    client_for(editor).post(f"/o/norte/learning/ideas/{idea.pk}/status/", {"status": "study"})
    idea.refresh_from_db()
    assert idea.status == "study"
    client_for(editor).post(f"/o/norte/learning/ideas/{idea.pk}/status/", {"status": "magic"})
    idea.refresh_from_db()
    assert idea.status == "study"
    assert (
        client_for(viewer).post(f"/o/norte/learning/ideas/{idea.pk}/status/", {"status": "adopted"}).status_code == 403
    )


def test_an_idea_becomes_a_conversation_idea_once(client_for, org, editor):
    idea = make_idea(org, title="Retos de lectura en verano", description="Un reto semanal con etiqueta propia.")
    client = client_for(editor)
    response = client.post(f"/o/norte/learning/ideas/{idea.pk}/to-conversation/")
    assert response["Location"] == f"/o/norte/learning/ideas/{idea.pk}/"
    conversation = ConversationIdea.objects.get(org=org)
    assert conversation.title == "Retos de lectura en verano"
    assert conversation.angle == "Un reto semanal con etiqueta propia."
    assert conversation.created_by == editor
    idea.refresh_from_db()
    assert idea.conversation_idea == conversation
    client.post(f"/o/norte/learning/ideas/{idea.pk}/to-conversation/")
    assert ConversationIdea.objects.count() == 1


def test_plan_a_post_goes_to_the_post_form_with_the_conversation_idea(client_for, org, editor):
    idea = make_idea(org)
    response = client_for(editor).post(f"/o/norte/learning/ideas/{idea.pk}/to-conversation/", {"then": "post"})
    conversation = ConversationIdea.objects.get(org=org)
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy-post-create", args=["norte"]) + f"?idea={conversation.pk}"
    # The lead's post form accepts it.
    assert client_for(editor).get(response["Location"]).status_code == 200


def test_a_viewer_cannot_turn_ideas_into_content(client_for, org, viewer):
    idea = make_idea(org)
    assert client_for(viewer).post(f"/o/norte/learning/ideas/{idea.pk}/to-conversation/").status_code == 403
    assert not ConversationIdea.objects.exists()


# --- experiment log ------------------------------------------------------------------------------------------------------


def test_an_experiment_linked_to_a_post_takes_its_tier_and_shows_its_performance(client_for, org, editor):
    post = PlannedPostFactory(org=org, tier="radical", hypothesis="Un vídeo vertical atraerá a adolescentes",
                              status="published", likes=40, reposts=12, replies=5)  # fmt: skip
    client = client_for(editor)
    response = client.post(
        "/o/norte/learning/experiments/new/",
        {
            "title": "Vídeo vertical",
            "post": post.pk,
            "tier": "moderate",
            "hypothesis": "Más alcance entre jóvenes",
            "what_tried": "Un vídeo de 30 s",
            "result": "El triple de interacciones",
            "lesson_learned": "Repetir",
        },  # fmt: skip
    )
    experiment = Experiment.objects.get(org=org)
    assert response["Location"] == f"/o/norte/learning/experiments/{experiment.pk}/"
    assert experiment.tier == "radical"
    html = client.get(f"/o/norte/learning/experiments/{experiment.pk}/").content.decode()
    assert ">40<" in html and ">12<" in html and ">5<" in html


def test_a_proven_post_is_not_an_experiment(client_for, org, editor):
    post = PlannedPostFactory(org=org, tier="proven")
    response = client_for(editor).post(
        "/o/norte/learning/experiments/new/", {"title": "X", "post": post.pk, "hypothesis": "Y"}
    )
    assert response.status_code == 200
    assert not Experiment.objects.exists()


def test_a_post_of_another_organisation_is_refused(client_for, org, other_org, editor):
    post = PlannedPostFactory(org=other_org, tier="moderate", hypothesis="h")
    response = client_for(editor).post(
        "/o/norte/learning/experiments/new/", {"title": "X", "post": post.pk, "tier": "moderate", "hypothesis": "Y"}
    )
    assert response.status_code == 200
    assert not Experiment.objects.exists()


def test_an_experiment_needs_a_hypothesis_and_a_tier(client_for, org, editor):
    response = client_for(editor).post("/o/norte/learning/experiments/new/", {"title": "X"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_hypothesis_error"' in html and 'id="id_tier_error"' in html
    assert not Experiment.objects.exists()


def test_recording_an_experiment_as_a_lesson(client_for, org, editor):
    experiment = make_experiment(org, result="Respondieron 40 personas", lesson_learned="Las encuestas funcionan.")
    client = client_for(editor)
    client.post(f"/o/norte/learning/experiments/{experiment.pk}/lesson/")
    lesson = Lesson.objects.get(org=org)
    experiment.refresh_from_db()
    assert experiment.lesson == lesson
    assert lesson.source_kind == "experiment"
    assert lesson.body.startswith("Las encuestas funcionan.")
    assert "Respondieron 40 personas" in lesson.body
    assert lesson.source_url == f"/o/norte/learning/experiments/{experiment.pk}/"
    assert lesson.tags == ["moderate"]
    client.post(f"/o/norte/learning/experiments/{experiment.pk}/lesson/")
    assert Lesson.objects.count() == 1


def test_an_experiment_without_a_lesson_written_records_nothing(client_for, org, editor):
    experiment = make_experiment(org)
    client_for(editor).post(f"/o/norte/learning/experiments/{experiment.pk}/lesson/")
    assert not Lesson.objects.exists()


def test_the_log_filters_by_tier_and_by_missing_lesson(client_for, org, viewer):
    make_experiment(org, title="Moderado")
    make_experiment(org, title="Radical", tier="radical")
    client = client_for(viewer)
    html = client.get("/o/norte/learning/experiments/?tier=radical").content.decode()
    assert "Radical</a>" in html and "Moderado</a>" not in html
    assert "Moderado</a>" in client.get("/o/norte/learning/experiments/?pending=1").content.decode()
