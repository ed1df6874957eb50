"""REST API of learning (people half): ROUTES are registered under /api/v1/orgs/<slug>/learning/.

Viewers read; editors write; any member may answer a survey, vote for an idea and acknowledge the
policy. Anonymous answering goes through ``/api/v1/public/surveys/<token>/`` (the same rules as the
public page ``/s/<token>/``: open dates, members-only surveys need an authenticated member).
"""

from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from learning import serializers_people as s
from learning.models import (
    DiscussionGroup,
    Experiment,
    PolicyAcknowledgement,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    Talk,
    ThinkTankIdea,
    ThinkTankSession,
    ThinkTankVote,
)
from learning.people import explore as explore_service
from learning.people import staff as staff_service
from learning.people import surveys as survey_service
from mesm.api.base import OrgScopedViewSet
from mesm.models import Role
from strategy.models import Platform


class Refused(exceptions.APIException):
    """409: the request is understood but the current state forbids it (closed survey, old policy…)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, message: str, code: str):
        super().__init__(message, code)


class MemberActionsMixin:
    """Any member (viewers included) may use ``member_actions``; other writes need an editor."""

    member_actions: tuple[str, ...] = ()

    @property
    def write_role(self):
        return Role.VIEWER if getattr(self, "action", None) in self.member_actions else Role.EDITOR


def _answer(survey, request, user):
    """Run the survey_answer service for the API and translate its refusals."""
    serializer = s.ResponseInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        response = survey_service.survey_answer(survey=survey, raw=serializer.raw_answers(), user=user)
    except survey_service.SurveyAnswersInvalid as error:
        fields = {"answers": {str(qid): [message] for qid, message in error.errors.items() if qid is not None}}
        if None in error.errors:
            fields["non_field_errors"] = [error.errors[None]]
        raise serializers.ValidationError(fields) from error
    except survey_service.SurveyMembersOnly as error:
        raise exceptions.PermissionDenied(error.message) from error
    except survey_service.SurveyError as error:
        raise Refused(error.message, error.code) from error
    return Response(s.SurveyResponseSerializer(response).data, status=status.HTTP_201_CREATED)


# --- surveys ---------------------------------------------------------------------------------------------------------


class SurveyViewSet(MemberActionsMixin, OrgScopedViewSet):
    """Staff surveys with their questions. ``results/`` computes the results; POST ``responses/`` answers."""

    queryset = Survey.objects.prefetch_related("questions").annotate(response_count=Count("responses"))
    serializer_class = s.SurveySerializer
    filterset_fields = ["access", "language"]
    member_actions = ("responses",)

    def perform_create(self, serializer):
        language = serializer.validated_data.get("language") or self.org.language
        survey = serializer.save(org=self.org, created_by=self.request.user, language=language)
        serializer.instance = self.get_queryset().get(pk=survey.pk)  # with response_count for the answer

    @extend_schema(request=s.SurveyFromTemplateSerializer, responses={201: s.SurveySerializer})
    @action(detail=False, methods=["post"], url_path="from-template")
    def from_template(self, request, *args, **kwargs):
        """Create the ready-made survey "What would you like to see on our social media?"."""
        serializer = s.SurveyFromTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = survey_service.survey_create_from_template(
            org=self.org, by=request.user, language=serializer.validated_data.get("language")
        )
        survey = self.get_queryset().get(pk=survey.pk)
        return Response(self.get_serializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.SurveyResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request, *args, **kwargs):
        """Counts per option and scale value, scale averages and free-text answers."""
        total, results = survey_service.survey_results(self.get_object())
        return Response({"responses": total, "questions": [r.as_dict() for r in results]})

    @extend_schema(
        methods=["GET"], responses=s.SurveyResponseSerializer(many=True), description="The responses, oldest first."
    )
    @extend_schema(
        methods=["POST"],
        request=s.ResponseInputSerializer,
        responses={201: s.SurveyResponseSerializer},
        description="Answer the survey as the signed-in member (members-only surveys: once per person). "
        "Anonymous answering: POST /api/v1/public/surveys/{token}/responses/.",
    )
    @action(detail=True, methods=["get", "post"])
    def responses(self, request, *args, **kwargs):
        survey = self.get_object()
        if request.method == "POST":
            return _answer(survey, request, request.user)
        responses = SurveyResponse.objects.filter(survey=survey).prefetch_related("answers").order_by("id")
        page = self.paginate_queryset(responses)
        return self.get_paginated_response(s.SurveyResponseSerializer(page, many=True).data)


class SurveyQuestionViewSet(OrgScopedViewSet):
    """Questions of the surveys; filter with ``?survey=<id>``. New questions go last unless ``position`` is given."""

    queryset = SurveyQuestion.objects.all()
    serializer_class = s.SurveyQuestionSerializer
    filterset_fields = ["survey", "kind"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        survey = data.pop("survey")
        if "position" in data:
            serializer.save(org=self.org)
            return
        serializer.instance = survey_service.question_add(survey=survey, **data)


class PublicSurveyView(APIView):
    """A survey as its public page shows it, found by the token of its shareable link."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(responses=s.PublicSurveySerializer, auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}])
    def get(self, request, token):
        survey = get_object_or_404(Survey.objects.prefetch_related("questions"), token=token)
        return Response(s.PublicSurveySerializer(survey).data)


class PublicAnswerThrottle(AnonRateThrottle):
    rate = "60/minute"


class PublicSurveyResponseView(APIView):
    """Answer a survey through its link's token: anonymously, or as a signed-in member on members-only surveys."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [PublicAnswerThrottle]

    @extend_schema(
        request=s.ResponseInputSerializer,
        responses={201: s.SurveyResponseSerializer},
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],
    )
    def post(self, request, token):
        survey = get_object_or_404(Survey.objects.select_related("org"), token=token)
        return _answer(survey, request, request.user)


# --- staff -----------------------------------------------------------------------------------------------------------


class StaffMemberViewSet(OrgScopedViewSet):
    """Staff members with their handles per platform and the lists they belong to."""

    queryset = StaffMember.objects.prefetch_related("lists")
    serializer_class = s.StaffMemberSerializer
    filterset_fields = ["department", "lists", "member"]


class StaffListViewSet(OrgScopedViewSet):
    """Lists of staff members for segmented content. ``handles/?platform=`` gives the rows of the CSV export."""

    queryset = StaffList.objects.prefetch_related("members")
    serializer_class = s.StaffListSerializer

    @extend_schema(
        parameters=[OpenApiParameter("platform", str, required=True, enum=Platform.values)],
        responses=s.StaffHandleRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def handles(self, request, *args, **kwargs):
        """Name, department and handle of the list's people on one platform."""
        staff_list = self.get_object()
        platform = request.query_params.get("platform", "")
        if platform not in Platform.values:
            message = _("Choose one of: %(names)s.") % {"names": ", ".join(Platform.values)}
            raise serializers.ValidationError({"platform": [message]})
        rows = [
            {"name": p.name, "department": p.department, "handle": p.handle_on(platform)}
            for p in staff_list.members.order_by("name", "id")
            if p.handle_on(platform)
        ]
        return Response(rows)


class TalkViewSet(OrgScopedViewSet):
    """Periodic open talks teaching social media at work. ``record-lesson/`` turns the notes into a lesson."""

    queryset = Talk.objects.all()
    serializer_class = s.TalkSerializer
    filterset_fields = ["date"]

    @extend_schema(request=None, responses={201: s.LessonRefSerializer})
    @action(detail=True, methods=["post"], url_path="record-lesson")
    def record_lesson(self, request, *args, **kwargs):
        try:
            lesson = staff_service.talk_record_lesson(self.get_object(), by=request.user)
        except staff_service.PeopleError as error:
            raise Refused(error.message, error.code) from error
        return Response({"lesson": lesson.pk, "title": lesson.title}, status=status.HTTP_201_CREATED)


# --- policy ----------------------------------------------------------------------------------------------------------


class PolicyVersionViewSet(MemberActionsMixin, OrgScopedViewSet):
    """Versions of the social media policy; exactly one is current. Versions are kept: no DELETE.

    A version that someone has acknowledged cannot change: write a new version instead.
    """

    queryset = PolicyVersion.objects.all()
    serializer_class = s.PolicyVersionSerializer
    filterset_fields = ["is_current"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    member_actions = ("acknowledge",)

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        mine = PolicyAcknowledgement.objects.filter(version=OuterRef("pk"), user=self.request.user)
        return queryset.annotate(acknowledgement_count=Count("acknowledgements"), acknowledged_by_me=Exists(mine))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        make_current = data.pop("make_current", True)
        version = staff_service.policy_version_create(org=self.org, by=request.user, make_current=make_current, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=version.pk)).data, status=status.HTTP_201_CREATED
        )

    def perform_update(self, serializer):
        if serializer.instance.acknowledgements.exists():
            message = _(
                "People have already acknowledged this version, so its text cannot change. Write a new version instead."
            )
            raise Refused(message, "policy_version_acknowledged")
        serializer.validated_data.pop("make_current", None)
        serializer.save()

    @extend_schema(request=None, responses=s.PolicyVersionSerializer)
    @action(detail=True, methods=["post"], url_path="make-current")
    def make_current(self, request, *args, **kwargs):
        version = self.get_object()
        staff_service.policy_make_current(version)
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(
        request=s.StaffAcknowledgeInputSerializer,
        responses={201: s.PolicyAcknowledgementSerializer},
        description="Acknowledge the current version as yourself; editors may pass a staff_member instead. "
        "A version that is not current is refused (409) and nothing is saved.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        version = self.get_object()
        serializer = s.StaffAcknowledgeInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        person = serializer.validated_data.get("staff_member")
        if person is not None and not request.membership.can_edit:
            raise exceptions.PermissionDenied()
        try:
            if person is not None:
                ack = staff_service.policy_acknowledge(version, staff_member=person, by=request.user)
            else:
                ack = staff_service.policy_acknowledge(version, user=request.user)
        except staff_service.PolicyNotCurrent as error:
            raise Refused(error.message, error.code) from error
        return Response(s.PolicyAcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.PolicyAcknowledgementSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def acknowledgements(self, request, *args, **kwargs):
        version = self.get_object()
        return Response(s.PolicyAcknowledgementSerializer(version.acknowledgements.all(), many=True).data)


# --- exploring trends ------------------------------------------------------------------------------------------------


class DiscussionGroupViewSet(OrgScopedViewSet):
    """Discussion groups of advanced users, with their meetings. POST ``meetings/`` records a meeting."""

    queryset = DiscussionGroup.objects.prefetch_related("members", "meetings")
    serializer_class = s.DiscussionGroupSerializer

    @extend_schema(request=s.GroupMeetingSerializer, responses={201: s.GroupMeetingSerializer})
    @action(detail=True, methods=["post"])
    def meetings(self, request, *args, **kwargs):
        group = self.get_object()
        serializer = s.GroupMeetingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = serializer.save(org=self.org, group=group)
        return Response(s.GroupMeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class ThinkTankSessionViewSet(OrgScopedViewSet):
    """Think-tank sessions: a question put to the group, whose ideas go to the board."""

    queryset = ThinkTankSession.objects.all()
    serializer_class = s.ThinkTankSessionSerializer
    filterset_fields = ["group"]


class ThinkTankIdeaViewSet(MemberActionsMixin, OrgScopedViewSet):
    """The ideas board. Any member votes (POST ``vote/``) or takes the vote back (DELETE ``vote/``)."""

    queryset = ThinkTankIdea.objects.all()
    serializer_class = s.ThinkTankIdeaSerializer
    filterset_fields = ["status", "kind", "session"]
    member_actions = ("vote",)

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        voted = ThinkTankVote.objects.filter(idea=OuterRef("pk"), user=self.request.user)
        return queryset.annotate(vote_count=Count("votes"), voted=Exists(voted))

    def perform_create(self, serializer):
        idea = serializer.save(org=self.org, created_by=self.request.user)
        serializer.instance = self.get_queryset().get(pk=idea.pk)  # with vote_count and voted for the answer

    @extend_schema(request=None, responses=s.VoteSerializer)
    @action(detail=True, methods=["post", "delete"])
    def vote(self, request, *args, **kwargs):
        idea = self.get_object()
        voted = explore_service.idea_vote(idea, request.user, on=request.method == "POST")
        return Response({"voted": voted, "vote_count": idea.votes.count()})

    @extend_schema(request=None, responses={201: s.ConversationRefSerializer})
    @action(detail=True, methods=["post"], url_path="to-conversation")
    def to_conversation(self, request, *args, **kwargs):
        """Create (once) a conversation idea of the content plan from this idea."""
        conversation = explore_service.idea_to_conversation(self.get_object(), by=request.user)
        url = explore_service.post_create_url(self.org.slug, conversation)
        return Response(
            {"conversation_idea": conversation.pk, "title": conversation.title, "post_create_url": url},
            status=status.HTTP_201_CREATED,
        )


class ExperimentViewSet(OrgScopedViewSet):
    """The experiment log of the 20 % and 10 % posts. ``record-lesson/`` files the lesson learned."""

    queryset = Experiment.objects.select_related("post")
    serializer_class = s.ExperimentSerializer
    filterset_fields = ["tier", "post"]

    def perform_create(self, serializer):
        serializer.save(org=self.org, created_by=self.request.user)

    @extend_schema(request=None, responses={201: s.LessonRefSerializer})
    @action(detail=True, methods=["post"], url_path="record-lesson")
    def record_lesson(self, request, *args, **kwargs):
        try:
            lesson = explore_service.experiment_record_lesson(self.get_object(), by=request.user)
        except staff_service.PeopleError as error:
            raise Refused(error.message, error.code) from error
        return Response({"lesson": lesson.pk, "title": lesson.title}, status=status.HTTP_201_CREATED)


# (prefix, viewset, basename) tuples registered by mesm/api/urls.py
ROUTES = [
    ("surveys", SurveyViewSet, "api-learning-survey"),
    ("survey-questions", SurveyQuestionViewSet, "api-learning-survey-question"),
    ("staff", StaffMemberViewSet, "api-learning-staff-member"),
    ("staff-lists", StaffListViewSet, "api-learning-staff-list"),
    ("talks", TalkViewSet, "api-learning-talk"),
    ("policies", PolicyVersionViewSet, "api-learning-policy"),
    ("groups", DiscussionGroupViewSet, "api-learning-group"),
    ("think-tank-sessions", ThinkTankSessionViewSet, "api-learning-session"),
    ("ideas", ThinkTankIdeaViewSet, "api-learning-idea"),
    ("experiments", ExperimentViewSet, "api-learning-experiment"),
]

# extra paths (not viewsets), included before the router: the public answering endpoints (no organisation)
urlpatterns = [
    path("public/surveys/<str:token>/", PublicSurveyView.as_view(), name="api-public-survey"),
    path(
        "public/surveys/<str:token>/responses/",
        PublicSurveyResponseView.as_view(),
        name="api-public-survey-responses",
    ),
]
