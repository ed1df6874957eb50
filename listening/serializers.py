from django.utils.translation import gettext as _
from rest_framework import serializers

from listening.models import Alert, AlertRule, Mention, MentionStatus, Query, Source
from mesm.api.base import OrgRelatedField
from strategy.serializers import ModelCleanMixin, OrgMemberField


class QuerySerializer(ModelCleanMixin, serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False)

    class Meta:
        model = Query
        fields = ["id", "name", "expression", "languages", "role", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, name):
        clash = Query.objects.filter(org=self.context["request"].org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already a query with this name."))
        return name.strip()

    def validate_languages(self, languages):
        return sorted({code.strip().lower()[:2] for code in languages if code.strip()})


class SourceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    credentials = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        write_only=True,
        required=False,
        help_text="Write-only. mastodon: access_token; bluesky: identifier, app_password; "
        "reddit: client_id, client_secret; youtube: api_key.",
    )
    queries = OrgRelatedField(queryset=Query.objects.all(), many=True, required=False)

    class Meta:
        model = Source
        fields = [
            "id", "name", "platform", "kind", "target", "base_url", "credentials", "has_credentials", "queries",
            "interval_minutes", "enabled", "status", "last_polled_at", "last_success_at", "last_error",
            "next_poll_at", "mentions_count",
        ]  # fmt: skip
        read_only_fields = [
            "has_credentials", "status", "last_polled_at", "last_success_at", "last_error", "next_poll_at",
            "mentions_count",
        ]  # fmt: skip

    def create(self, validated_data):
        credentials = validated_data.pop("credentials", None)
        source = Source(**{k: v for k, v in validated_data.items() if k != "queries"})
        source.credentials = credentials or {}
        source.save()
        source.queries.set(validated_data.get("queries", []))
        return source

    def update(self, instance, validated_data):
        credentials = validated_data.pop("credentials", None)
        if credentials is not None:
            instance.credentials = credentials
        return super().update(instance, validated_data)


class MentionSerializer(serializers.ModelSerializer):
    queries = serializers.ListField(source="query_ids", child=serializers.IntegerField(), read_only=True)
    assignee = OrgMemberField(allow_null=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    status = serializers.ChoiceField(choices=MentionStatus.choices, required=False)

    class Meta:
        model = Mention
        fields = [
            "id", "platform", "external_id", "url", "text", "author_handle", "author_name", "author_followers",
            "published_at", "language", "sentiment", "sentiment_score", "likes", "reposts", "replies", "queries",
            "status", "assignee", "tags",
        ]  # fmt: skip
        read_only_fields = [
            "platform", "external_id", "url", "text", "author_handle", "author_name", "author_followers",
            "published_at", "language", "sentiment", "sentiment_score", "likes", "reposts", "replies",
        ]  # fmt: skip


class AlertRuleSerializer(ModelCleanMixin, serializers.ModelSerializer):
    query = OrgRelatedField(queryset=Query.objects.all(), allow_null=True, required=False)
    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)

    class Meta:
        model = AlertRule
        fields = [
            "id", "name", "kind", "query", "threshold", "min_mentions", "keyword", "baseline_days",
            "notify_in_app", "email_to", "webhook_url", "webhook_secret", "enabled", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_name", "window_start", "fired_at", "summary", "details", "webhook_status"]
