from django.core.validators import ProhibitNullCharactersValidator
from django.utils.functional import cached_property
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from mesm.api.permissions import OrgRolePermission
from mesm.models import Role
from mesm.tenancy import bind_request_to_org, scoped


class OrgAPIMixin:
    """Binds every API view under /api/v1/orgs/{org_slug}/ to its organisation, with role permissions.

    A user who is not a member of the organisation gets 404, as for any object of another one.
    """

    permission_classes = [IsAuthenticated, OrgRolePermission]
    write_role = Role.EDITOR

    def initial(self, request, *args, **kwargs):
        # Authentication runs first (so anonymous users get 401), then the organisation is bound.
        self.perform_authentication(request)
        if request.user and request.user.is_authenticated:
            bind_request_to_org(request._request, kwargs["org_slug"], org_language=False)
            request.org = request._request.org
            request.membership = request._request.membership
        super().initial(request, *args, **kwargs)
        # A NUL character in a filter reaches PostgreSQL as a server error; refuse it in plain words.
        for key, values in request.query_params.lists():
            if any("\x00" in text for text in (key, *values)):
                raise serializers.ValidationError({key.replace("\x00", ""): [ProhibitNullCharactersValidator.message]})

    @cached_property
    def org(self):
        return self.request.org


class OrgScopedViewSet(OrgAPIMixin, viewsets.ModelViewSet):
    """Base for every CRUD viewset under /api/v1/orgs/{org_slug}/: the queryset is scoped."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return scoped(self.queryset, self.org)

    def perform_create(self, serializer):
        serializer.save(org=self.org)


class OrgRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key field that only accepts rows of the request's organisation."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        if request is None or not hasattr(request, "org"):
            return queryset.none()
        return scoped(queryset, request.org)
