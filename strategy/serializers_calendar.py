"""API shapes of the content calendar: ideas, planned posts, their media, history, comments and balance.

Serializers only shape and check single values; every write goes through strategy.workflow, which
holds the rules (who may do what, what blocks an approval) for the pages, the API and the import.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from listening.models import Mention
from mesm.api.base import OrgRelatedField
from strategy.forms_calendar import MAX_MEDIA_BYTES, is_media_upload
from strategy.limits import post_length
from strategy.models import (
    Audience,
    Campaign,
    ConversationIdea,
    Objective,
    PlannedPost,
    PostEvent,
    PostMedia,
    PostStatus,
    Profile,
)
from strategy.serializers import OrgMemberField
from strategy.workflow import post_problems

# A new post starts as an idea or a draft; every later status is reached through the actions.
INITIAL_STATUSES = (PostStatus.IDEA, PostStatus.DRAFT)


class IdeaSerializer(serializers.ModelSerializer):
    audience = OrgRelatedField(queryset=Audience.objects.all(), allow_null=True, required=False)
    objective = OrgRelatedField(queryset=Objective.objects.all(), allow_null=True, required=False)
    mention = OrgRelatedField(queryset=Mention.objects.all(), allow_null=True, required=False)

    class Meta:
        model = ConversationIdea
        fields = [
            "id",
            "title",
            "angle",
            "audience",
            "objective",
            "trend",
            "mention",
            "notes",
            "status",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]


class PostMediaSerializer(serializers.ModelSerializer):
    alt_text = serializers.CharField(
        help_text="What the image or video shows, for people who cannot see it. Required.",
        error_messages={
            "required": gettext_lazy("Describe the image or video for people who cannot see it (alt text)."),
            "blank": gettext_lazy("Describe the image or video for people who cannot see it (alt text)."),
            "null": gettext_lazy("Describe the image or video for people who cannot see it (alt text)."),
        },
    )

    url = serializers.SerializerMethodField(help_text="Where members download the file (login required).")
    name = serializers.SerializerMethodField()

    class Meta:
        model = PostMedia
        fields = ["id", "file", "url", "name", "alt_text", "position", "created_at"]
        read_only_fields = ["id", "position", "created_at"]
        extra_kwargs = {"file": {"write_only": True, "help_text": "An image or a video, at most 40 MB."}}

    def get_url(self, media) -> str:
        # Files are served only to members, by the calendar's media page, never from a public folder.
        request = self.context["request"]
        path = reverse(
            "strategy-post-media", kwargs={"org_slug": request.org.slug, "pk": media.post_id, "media_pk": media.pk}
        )
        return request.build_absolute_uri(path)

    def get_name(self, media) -> str:
        return str(media)

    def validate_file(self, upload):
        # The same limits as the post form's media (forms_calendar.MediaForm).
        if upload.size > MAX_MEDIA_BYTES:
            raise serializers.ValidationError(_("The file is larger than 40 MB."))
        if not is_media_upload(upload):
            raise serializers.ValidationError(_("Attach an image or a video."))
        return upload


class PostEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    # Plain strings (a post status or empty), so the schema names the status enum once, on the post.
    from_status = serializers.CharField(read_only=True, help_text="The post's status before (status events).")
    to_status = serializers.CharField(read_only=True, help_text="The post's status after (status events).")
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = PostEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "actor",
            "actor_name",
            "from_status",
            "to_status",
            "changes",
            "message",
            "created_at",
        ]
        read_only_fields = fields

    def get_actor_name(self, event) -> str:
        if event.actor is None:
            return ""
        return event.actor.get_full_name() or event.actor.username


class CommentSerializer(serializers.Serializer):
    # Blank is let through so the workflow answers with its own plain-words message.
    message = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="The comment (any member).")


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the post is rejected (required for reject; kept in the history for the other actions).",
    )


@extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField())))
class ProblemsField(serializers.Field):
    """What stops the post from being approved or scheduled, by field (empty: nothing)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, post):
        return post_problems(post)


class PlannedPostSerializer(serializers.ModelSerializer):
    profile = OrgRelatedField(queryset=Profile.objects.all())
    idea = OrgRelatedField(queryset=ConversationIdea.objects.all(), allow_null=True, required=False)
    owner = OrgMemberField(allow_null=True, required=False)
    objective = OrgRelatedField(queryset=Objective.objects.all(), allow_null=True, required=False)
    campaign = OrgRelatedField(queryset=Campaign.objects.all(), allow_null=True, required=False)
    audience = OrgRelatedField(queryset=Audience.objects.all(), allow_null=True, required=False)
    status = serializers.ChoiceField(
        choices=PostStatus.choices,
        required=False,
        help_text="On create: idea or draft (the default). Afterwards the status changes only through the "
        "actions submit, approve, reject, schedule and draft.",
    )
    length = serializers.SerializerMethodField(help_text="Length of text + link + hashtags as the platform counts it.")
    limit = serializers.SerializerMethodField(help_text="The profile's character limit (null: not checked).")
    problems = ProblemsField()
    media = PostMediaSerializer(many=True, read_only=True)

    class Meta:
        model = PlannedPost
        fields = [
            "id",
            "profile",
            "idea",
            "scheduled_at",
            "text",
            "link",
            "hashtags",
            "tier",
            "hypothesis",
            "owner",
            "objective",
            "campaign",
            "audience",
            "status",
            "rejection_reason",
            "created_by",
            "submitted_by",
            "reviewed_by",
            "reviewed_at",
            "length",
            "limit",
            "problems",
            "media",
            "external_url",
            "published_at",
            "publish_error",
            "likes",
            "reposts",
            "replies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "rejection_reason",
            "created_by",
            "submitted_by",
            "reviewed_by",
            "reviewed_at",
            "external_url",
            "published_at",
            "publish_error",
            "likes",
            "reposts",
            "replies",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"scheduled_at": {"help_text": "ISO 8601; without an offset it is read in the org's time zone."}}

    def _length(self, post) -> tuple[int, int | None]:
        cache = self.context.setdefault("_lengths", {})
        key = (post.pk, post.text, post.link, post.hashtags, post.profile_id)
        if key not in cache:
            cache[key] = post_length(post)
        return cache[key]

    def get_length(self, post) -> int:
        return self._length(post)[0]

    def get_limit(self, post) -> int | None:
        return self._length(post)[1]

    def validate_profile(self, profile):
        unchanged = self.instance is not None and self.instance.profile_id == profile.pk
        if profile.is_archived and not unchanged:
            raise serializers.ValidationError(_("This profile is archived; choose an active one."))
        return profile

    def validate_status(self, status):
        if self.instance is None:
            if status not in INITIAL_STATUSES:
                raise serializers.ValidationError(
                    _("A new post starts as an idea or a draft; send it for review with the submit action.")
                )
        elif status != self.instance.status:
            raise serializers.ValidationError(
                _("Change the status with the actions (submit, approve, reject, schedule, draft), not by editing it.")
            )
        return status


class TierShareSerializer(serializers.Serializer):
    tier = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text="Percent of the counted posts, 0–100.")
    target = serializers.IntegerField(help_text="The aim in percent (70/20/10).")
    deviation = serializers.FloatField(help_text="share − target, in points.")
    within = serializers.BooleanField(help_text="Whether the share is within the tolerance of its target.")


class BalanceSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    profile = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(help_text="Posts counted (every status but rejected).")
    tolerance = serializers.IntegerField(help_text="Points a share may differ from its target.")
    balanced = serializers.BooleanField()
    tiers = TierShareSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField(), help_text="One sentence per tier off balance.")
