"""Serializers of learning (work half). They shape data; writes go through learning.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learning.models import (
    CASE_RELATIONS,
    Activity,
    ActivityComment,
    ActivityPilot,
    CaseStudy,
    Executive,
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveProfile,
    ExecutiveSource,
    FeedItem,
    Lesson,
    RecurringNote,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)
from learning.services.lessons import lesson_tags_parse
from listening.models import Mention
from mesm.api.base import OrgRelatedField
from strategy.serializers import ModelCleanMixin, OrgMemberField


class TagsField(serializers.ListField):
    """Tags as a list of strings (a comma-separated string is accepted too)."""

    child = serializers.CharField(max_length=50)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.split(",")
        return lesson_tags_parse(super().to_internal_value(data))


def _user_label(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# --- 1. Activities ----------------------------------------------------------------------------


class ActivityPilotSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(ActivityPilot.Status.choices, required=False)

    class Meta:
        model = ActivityPilot
        fields = ["id", "owner", "start", "end", "status", "outcome", "created_at", "updated_at"]
        read_only_fields = fields


class ActivityCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ActivityComment
        fields = ["id", "author", "author_name", "text", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]

    def get_author_name(self, comment) -> str | None:
        return _user_label(comment.author)


class ActivitySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(Activity.Status.choices, read_only=True)
    pilots = ActivityPilotSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "name",
            "purpose",
            "current_tool",
            "social_platform",
            "social_way",
            "changes",
            "gains",
            "losses",
            "status",
            "proposed_by",
            "pilots",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "proposed_by", "pilots", "created_at", "updated_at"]


class ActivityReviewSerializer(serializers.Serializer):
    # Not "status": the enum component of Activity.status stays named after one component.
    decision = serializers.ChoiceField(
        [(Activity.Status.ACCEPTED, "accepted"), (Activity.Status.DECLINED, "declined")],
        help_text="accepted puts it in the catalogue; declined turns it down.",
    )


# --- 2. Feeds, items, case studies ------------------------------------------------------------


class TrustedFeedSerializer(ModelCleanMixin, serializers.ModelSerializer):
    category = serializers.ChoiceField(TrustedFeed.Category.choices, required=False)
    status = serializers.ChoiceField(TrustedFeed.Status.choices, read_only=True)

    class Meta:
        model = TrustedFeed
        fields = [
            "id",
            "name",
            "url",
            "category",
            "description",
            "enabled",
            "interval_minutes",
            "status",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "next_poll_at",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "next_poll_at",
            "created_at",
        ]

    def validate_url(self, url):
        clash = TrustedFeed.objects.filter(org=self.context["request"].org, url=url.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            from django.utils.translation import gettext as _

            raise serializers.ValidationError(_("You already follow this feed."))
        return url.strip()


class FeedItemSerializer(serializers.ModelSerializer):
    feed_name = serializers.CharField(source="feed.name", read_only=True)
    is_read = serializers.BooleanField(read_only=True, help_text="Whether the requesting member has read it.")

    class Meta:
        model = FeedItem
        fields = ["id", "feed", "feed_name", "url", "title", "summary", "author", "published_at", "is_read"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    read = serializers.BooleanField(default=True, help_text="false marks the item unread again.")


class CaseStudySerializer(serializers.ModelSerializer):
    relations = serializers.ListField(
        child=serializers.ChoiceField(CASE_RELATIONS), required=False, help_text="Any of allies, competitors, field."
    )
    tags = TagsField(required=False)
    feed_item = OrgRelatedField(queryset=FeedItem.objects.all(), required=False, allow_null=True)
    mention = OrgRelatedField(queryset=Mention.objects.all(), required=False, allow_null=True)

    class Meta:
        model = CaseStudy
        fields = [
            "id",
            "title",
            "organisation",
            "what_they_did",
            "platform",
            "results",
            "adapt",
            "relations",
            "tags",
            "url",
            "feed_item",
            "mention",
            "lesson",
            "saved_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["lesson", "saved_by", "created_at", "updated_at"]


# --- 3. Executives and sessions ---------------------------------------------------------------


class ExecutiveSourceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(ExecutiveSource.Kind.choices)

    class Meta:
        model = ExecutiveSource
        fields = ["id", "kind", "name", "url", "note"]
        read_only_fields = fields


class ExecutivePlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExecutivePlatform
        fields = ["id", "platform", "source", "where", "note"]
        read_only_fields = fields


class ExecutiveKPISerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="institutional_kpi.name", read_only=True)

    class Meta:
        model = ExecutiveKPI
        fields = ["id", "institutional_kpi", "name", "judged_by", "note"]
        read_only_fields = fields


class ExecutiveMetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExecutiveMetric
        fields = ["id", "metric_key", "institutional_kpi", "note"]
        read_only_fields = fields


class ExecutiveProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExecutiveProfile
        fields = ["id", "platform", "handle", "url", "created_on", "session"]
        read_only_fields = fields


class RecurringNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecurringNote
        fields = ["id", "date", "text"]
        read_only_fields = fields


class RecurringSessionSerializer(serializers.ModelSerializer):
    notes = RecurringNoteSerializer(many=True, read_only=True)
    next_dates = serializers.SerializerMethodField(help_text="The next five sessions, in the organisation's time zone.")

    class Meta:
        model = RecurringSession
        fields = ["id", "title", "rrule", "start_date", "time", "duration_minutes", "active", "next_dates", "notes"]
        read_only_fields = fields

    def get_next_dates(self, recurring) -> list[str]:
        from django.utils import timezone

        from learning.services.recurrence import occurrences

        if not recurring.active:
            return []
        request = self.context.get("request")
        tz = request.org.zoneinfo if request is not None and hasattr(request, "org") else recurring.org.zoneinfo
        return [moment.isoformat() for moment in occurrences(recurring, tz, after=timezone.now(), limit=5)]


class StepSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField([("done", "done"), ("started", "started"), ("todo", "todo")])
    count = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    next_step = serializers.IntegerField(allow_null=True)
    next_action = serializers.CharField()
    steps = StepSerializer(many=True)


class TrainingSessionSerializer(serializers.ModelSerializer):
    executive = OrgRelatedField(queryset=Executive.objects.all())
    status = serializers.ChoiceField(TrainingSession.Status.choices, required=False)
    # No max_value here: the 30-minute rule answers with its own plain-words message.
    duration_minutes = serializers.IntegerField(min_value=1, required=False, help_text="At most 30 minutes.")

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "executive",
            "title",
            "starts_at",
            "duration_minutes",
            "agenda",
            "materials",
            "status",
            "notes",
            "lesson",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["lesson", "created_at", "updated_at"]

    def validate_duration_minutes(self, minutes):
        from django.core.exceptions import ValidationError

        from learning.services.executives import check_session_minutes

        try:
            check_session_minutes(minutes)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict["duration_minutes"]) from error
        return minutes


class ExecutiveSerializer(serializers.ModelSerializer):
    member = OrgMemberField(allow_null=True, required=False)
    sources = ExecutiveSourceSerializer(many=True, read_only=True)
    platforms = ExecutivePlatformSerializer(many=True, read_only=True)
    kpis = ExecutiveKPISerializer(many=True, read_only=True)
    metrics = ExecutiveMetricSerializer(many=True, read_only=True)
    sessions = serializers.SerializerMethodField()
    profiles = ExecutiveProfileSerializer(many=True, read_only=True)
    recurring_sessions = RecurringSessionSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Executive
        fields = [
            "id",
            "name",
            "position",
            "member",
            "how_they_decide",
            "notes",
            "progress",
            "sources",
            "platforms",
            "kpis",
            "metrics",
            "sessions",
            "profiles",
            "recurring_sessions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(TrainingSessionSerializer(many=True))
    def get_sessions(self, executive):
        return TrainingSessionSerializer(executive.sessions.all(), many=True, context=self.context).data

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, executive) -> dict:
        from learning.selectors import executive_progress

        progress = executive_progress(executive)
        return {
            "done": progress.done,
            "next_step": progress.next_step.step.number if progress.next_step else None,
            "next_action": progress.next_action,
            "steps": [
                {
                    "number": s.step.number,
                    "key": s.step.key,
                    "title": str(s.step.title),
                    "state": s.state,
                    "count": s.count,
                }
                for s in progress.steps
            ],
        }

    def validate_name(self, name):
        from django.utils.translation import gettext as _

        clash = Executive.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already an executive with this name."))
        return name.strip()


# --- 4. Lessons -------------------------------------------------------------------------------


class LessonSerializer(serializers.ModelSerializer):
    source_kind = serializers.ChoiceField(Lesson.SourceKind.choices, required=False)
    tags = TagsField(required=False)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "body",
            "source_kind",
            "source_label",
            "source_url",
            "tags",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "created_at", "updated_at"]
