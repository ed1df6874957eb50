from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from mesm.api.base import OrgRelatedField
from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose


class OrgMemberField(serializers.PrimaryKeyRelatedField):
    """A user id that must belong to a member of the request's organisation."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not hasattr(request, "org"):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(memberships__org=request.org)


class ModelCleanMixin:
    """Run the model's own clean() so the API and the forms share one set of rules."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance or self.Meta.model()
        concrete = {f.name for f in self.Meta.model._meta.concrete_fields}
        for key, value in attrs.items():
            if key in concrete:
                setattr(instance, key, value)
        request = self.context.get("request")
        if request is not None and hasattr(request, "org"):
            instance.org = request.org
        try:
            instance.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return attrs


class AudienceSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Audience
        fields = ["id", "name", "description", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]

    def validate_name(self, name):
        request = self.context["request"]
        clash = Audience.objects.filter(org=request.org, name__iexact=name.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("There is already an audience with this name."))
        return name.strip()


class ProfileSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = ["id", "platform", "handle", "url", "description", "archived_at", "created_at", "updated_at"]
        read_only_fields = ["archived_at", "created_at", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context["request"]
        platform = attrs.get("platform", getattr(self.instance, "platform", None))
        handle = attrs.get("handle", getattr(self.instance, "handle", ""))
        clash = Profile.objects.filter(org=request.org, platform=platform, handle__iexact=handle.strip())
        if self.instance:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"handle": [_("This profile is already registered for that platform.")]})
        return attrs


class KPISerializer(ModelCleanMixin, serializers.ModelSerializer):
    objective = OrgRelatedField(queryset=Objective.objects.all())

    class Meta:
        model = KPI
        fields = [
            "id",
            "objective",
            "name",
            "metric_key",
            "unit",
            "baseline",
            "target",
            "direction",
            "deadline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class NestedKPISerializer(serializers.ModelSerializer):
    class Meta:
        model = KPI
        fields = ["id", "name", "metric_key", "unit", "baseline", "target", "direction", "deadline"]
        read_only_fields = ["id"]


class ObjectiveSerializer(ModelCleanMixin, serializers.ModelSerializer):
    owner = OrgMemberField(allow_null=True, required=False)
    audiences = OrgRelatedField(queryset=Audience.objects.all(), many=True, required=False)
    kpis = NestedKPISerializer(
        many=True, required=False, help_text="KPIs to create with the objective (on create only)."
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "why",
            "owner",
            "audiences",
            "deadline",
            "status",
            "kpis",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["archived_at", "created_at", "updated_at"]

    def validate_kpis(self, kpis):
        if self.instance is not None:
            raise serializers.ValidationError(_("Change KPIs through the kpis/ endpoint."))
        return kpis


class CampaignSerializer(ModelCleanMixin, serializers.ModelSerializer):
    objectives = OrgRelatedField(queryset=Objective.objects.all(), many=True, required=False)
    audiences = OrgRelatedField(queryset=Audience.objects.all(), many=True, required=False)
    profiles = OrgRelatedField(queryset=Profile.objects.all(), many=True, required=False)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "description",
            "starts_on",
            "ends_on",
            "status",
            "objectives",
            "audiences",
            "profiles",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["archived_at", "created_at", "updated_at"]


class PurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Purpose
        fields = ["why", "what_for", "updated_at", "updated_by"]
        read_only_fields = ["updated_at", "updated_by"]
        # PUT replaces the whole statement: both texts are sent (either may be empty).
        extra_kwargs = {"why": {"required": True}, "what_for": {"required": True}}
