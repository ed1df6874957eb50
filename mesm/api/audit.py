"""GET /api/v1/orgs/{org_slug}/audit/ — the audit log, for administrators."""

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from mesm.api.base import OrgAPIMixin
from mesm.models import AuditEntry, Role
from mesm.tenancy import scoped


class IsOrgAdmin(BasePermission):
    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        return membership is not None and membership.has_role(Role.ADMIN)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "created_at",
        ]
        read_only_fields = fields


class AuditEntryFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields = ["actor", "object_type", "action", "since", "until"]


class AuditEntryViewSet(OrgAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who changed what in the organisation, newest first. Administrators only; read-only."""

    queryset = AuditEntry.objects.select_related("actor")
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter

    def get_permissions(self):
        return [*super().get_permissions(), IsOrgAdmin()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return scoped(self.queryset, self.org)
