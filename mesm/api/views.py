from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken

from mesm import services
from mesm.models import Membership, Organization


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as ``Authorization: Token …``)."""

    @extend_schema(responses=TokenResponseSerializer, tags=["auth"])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "timezone", "language", "role", "created_at"]
        read_only_fields = ["id", "role", "created_at"]

    def get_role(self, org) -> str | None:
        memberships = getattr(org, "my_memberships", None)
        return memberships[0].role if memberships else None


class OrganizationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The organisations you belong to; creating one makes you its administrator."""

    serializer_class = OrganizationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        user = self.request.user
        return (
            Organization.objects.filter(memberships__user=user)
            .prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.filter(user=user), to_attr="my_memberships")
            )
            .order_by("-id")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        org = services.organization_create(
            name=data["name"],
            slug=data["slug"],
            timezone_name=data.get("timezone", "Europe/Madrid"),
            language=data.get("language", "es"),
            creator=self.request.user,
        )
        org.my_memberships = list(Membership.objects.filter(org=org, user=self.request.user))
        serializer.instance = org
