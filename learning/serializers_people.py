"""Serializers of the people half's API: they shape data; the writes go through learning.people services."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from learning.models import (
    DiscussionGroup,
    Experiment,
    GroupMeeting,
    PolicyAcknowledgement,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Talk,
    ThinkTankIdea,
    ThinkTankSession,
)
from mesm.api.base import OrgRelatedField
from strategy.models import PlannedPost, Platform
from strategy.serializers import ModelCleanMixin, OrgMemberField

# --- surveys ---------------------------------------------------------------------------------------------------------


class SurveyQuestionSerializer(ModelCleanMixin, serializers.ModelSerializer):
    survey = OrgRelatedField(queryset=Survey.objects.all())
    options = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Options of a single or multiple choice question, in order (at least two).",
    )
    position = serializers.IntegerField(
        required=False, min_value=0, help_text="Order in the survey; new questions go last when omitted."
    )

    class Meta:
        model = SurveyQuestion
        fields = [
            "id",
            "survey",
            "position",
            "text",
            "help_text",
            "kind",
            "required",
            "options",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
        ]
        extra_kwargs = {
            "scale_min": {"help_text": "Scale questions: 1 (with scale_max 5) or 0 (with scale_max 10)."},
            "scale_max": {"help_text": "Scale questions: 5 or 10."},
        }

    def validate_survey(self, survey):
        if self.instance is not None and survey.pk != self.instance.survey_id:
            raise serializers.ValidationError(_("A question cannot move to another survey."))
        return survey


class SurveySerializer(ModelCleanMixin, serializers.ModelSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True)
    state = serializers.SerializerMethodField(help_text="not_open, open or closed, from the dates.")
    public_url = serializers.SerializerMethodField(help_text="The shareable answering page.")
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "intro",
            "language",
            "access",
            "opens_at",
            "closes_at",
            "thanks_message",
            "token",
            "public_url",
            "state",
            "response_count",
            "questions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["token", "created_at", "updated_at"]
        extra_kwargs = {"language": {"required": False, "help_text": "Default: the organisation's language."}}

    def get_state(self, survey) -> str:
        return survey.state()

    def get_public_url(self, survey) -> str:
        path = reverse("learning-survey-public", args=[survey.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SurveyFromTemplateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="Default: the organisation's language."
    )


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="Question id.")
    choices = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Choice questions: the chosen option(s), verbatim."
    )
    value = serializers.IntegerField(required=False, help_text="Scale questions: a whole number in the scale.")
    text = serializers.CharField(required=False, allow_blank=True, help_text="Free-text questions.")


class ResponseInputSerializer(serializers.Serializer):
    answers = AnswerInputSerializer(many=True)

    def raw_answers(self) -> dict[int, object]:
        raw = {}
        for item in self.validated_data["answers"]:
            if "choices" in item:
                value = item["choices"]
            elif "value" in item:
                value = str(item["value"])
            else:
                value = item.get("text", "")
            raw[item["question"]] = value
        return raw


class SurveyAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyAnswer
        fields = ["question", "choices", "number", "text"]
        read_only_fields = fields


class SurveyResponseSerializer(serializers.ModelSerializer):
    answers = SurveyAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "respondent", "submitted_at", "answers"]
        read_only_fields = fields


class ResultCountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField()
    answered = serializers.IntegerField(help_text="Responses that answered this question.")
    counts = ResultCountSerializer(many=True, help_text="Per option, or per scale value (choice and scale questions).")
    average = serializers.FloatField(allow_null=True, help_text="Scale questions: the mean value.")
    texts = serializers.ListField(child=serializers.CharField(), help_text="Free-text questions: the answers.")


class SurveyResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    questions = QuestionResultSerializer(many=True)


class PublicSurveySerializer(serializers.ModelSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["title", "intro", "language", "access", "opens_at", "closes_at", "state", "questions"]
        read_only_fields = fields

    def get_state(self, survey) -> str:
        return survey.state()


# --- staff -----------------------------------------------------------------------------------------------------------


class StaffMemberSerializer(ModelCleanMixin, serializers.ModelSerializer):
    member = OrgMemberField(allow_null=True, required=False)
    lists = OrgRelatedField(queryset=StaffList.objects.all(), many=True, required=False)
    handles = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        help_text='Handle per platform, e.g. {"mastodon": "@ana@mastodon.social"}.',
    )

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "department",
            "email",
            "handles",
            "member",
            "lists",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_handles(self, handles):
        unknown = sorted(set(handles) - set(Platform.values))
        if unknown:
            raise serializers.ValidationError(_("Unknown platform: %(names)s.") % {"names": ", ".join(unknown)})
        return {platform: handle.strip() for platform, handle in handles.items() if handle.strip()}

    def validate_member(self, member):
        if member is not None:
            clash = StaffMember.objects.filter(org=self.context["request"].org, member=member)
            if self.instance:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(_("This account is already linked to another staff profile."))
        return member


class StaffListSerializer(serializers.ModelSerializer):
    members = OrgRelatedField(queryset=StaffMember.objects.all(), many=True, required=False)

    class Meta:
        model = StaffList
        fields = ["id", "name", "description", "members", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, name):
        clash = StaffList.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already a list with this name."))
        return name.strip()


class StaffHandleRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    department = serializers.CharField()
    handle = serializers.CharField()


class TalkSerializer(serializers.ModelSerializer):
    lesson = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The lesson recorded from the notes."
    )

    class Meta:
        model = Talk
        fields = [
            "id",
            "date",
            "topic",
            "speaker",
            "audience",
            "attendance",
            "notes",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class LessonRefSerializer(serializers.Serializer):
    lesson = serializers.IntegerField(help_text="Id of the lesson learned.")
    title = serializers.CharField()


# --- policy ----------------------------------------------------------------------------------------------------------


class PolicyVersionSerializer(serializers.ModelSerializer):
    make_current = serializers.BooleanField(
        write_only=True, required=False, default=True, help_text="On create: make it the current version."
    )
    acknowledgement_count = serializers.IntegerField(read_only=True)
    acknowledged_by_me = serializers.BooleanField(read_only=True)

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "number",
            "label",
            "title",
            "body",
            "effective_on",
            "summary_of_changes",
            "is_current",
            "make_current",
            "acknowledgement_count",
            "acknowledged_by_me",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "is_current", "created_at", "updated_at"]


class PolicyAcknowledgementSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicyAcknowledgement
        fields = ["id", "version", "user", "staff_member", "acknowledged_at", "recorded_by"]
        read_only_fields = fields


class StaffAcknowledgeInputSerializer(serializers.Serializer):
    staff_member = OrgRelatedField(
        queryset=StaffMember.objects.all(),
        required=False,
        allow_null=True,
        help_text="Editors only: record the acknowledgement of a staff member without an account. "
        "Omit to acknowledge for yourself.",
    )


# --- exploring trends ------------------------------------------------------------------------------------------------


class GroupMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = GroupMeeting
        fields = ["id", "date", "topic", "attendance", "notes", "created_at"]
        read_only_fields = ["created_at"]


class DiscussionGroupSerializer(serializers.ModelSerializer):
    members = OrgRelatedField(queryset=StaffMember.objects.all(), many=True, required=False)
    meetings = GroupMeetingSerializer(many=True, read_only=True)

    class Meta:
        model = DiscussionGroup
        fields = [
            "id",
            "name",
            "purpose",
            "meeting_place",
            "cadence",
            "members",
            "meetings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, name):
        clash = DiscussionGroup.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already a group with this name."))
        return name.strip()


class ThinkTankSessionSerializer(serializers.ModelSerializer):
    group = OrgRelatedField(queryset=DiscussionGroup.objects.all(), allow_null=True, required=False)

    class Meta:
        model = ThinkTankSession
        fields = ["id", "title", "date", "question", "group", "notes", "created_at"]
        read_only_fields = ["created_at"]


class ThinkTankIdeaSerializer(serializers.ModelSerializer):
    session = OrgRelatedField(queryset=ThinkTankSession.objects.all(), allow_null=True, required=False)
    vote_count = serializers.IntegerField(read_only=True)
    voted = serializers.BooleanField(read_only=True, help_text="Whether you voted for it.")
    conversation_idea = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The stage 3 conversation idea made from it."
    )

    class Meta:
        model = ThinkTankIdea
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "status",
            "session",
            "vote_count",
            "voted",
            "conversation_idea",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]


class VoteSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField()


class ConversationRefSerializer(serializers.Serializer):
    conversation_idea = serializers.IntegerField()
    title = serializers.CharField()
    post_create_url = serializers.CharField(allow_null=True, help_text="Page to plan a post from the idea.")


class PostPerformanceSerializer(serializers.ModelSerializer):
    # Plain strings: the calendar's own serializer owns the enums of these fields.
    tier = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = PlannedPost
        fields = ["id", "tier", "status", "published_at", "likes", "reposts", "replies"]
        read_only_fields = fields


class ExperimentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    post = OrgRelatedField(queryset=PlannedPost.objects.all(), allow_null=True, required=False)
    post_performance = PostPerformanceSerializer(source="post", read_only=True, allow_null=True)
    lesson = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Experiment
        fields = [
            "id",
            "title",
            "tier",
            "post",
            "post_performance",
            "date",
            "hypothesis",
            "what_tried",
            "result",
            "lesson_learned",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        post = attrs.get("post", getattr(self.instance, "post", None))
        if post is not None and "tier" not in attrs:
            attrs["tier"] = post.tier  # the post's tier wins, as in the form
        return super().validate(attrs)
