from rest_framework.permissions import SAFE_METHODS, BasePermission

from mesm.models import Role


class OrgRolePermission(BasePermission):
    """Viewers read; editors write; views may raise ``write_role`` (e.g. to admin)."""

    def has_permission(self, request, view):
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        return membership.has_role(getattr(view, "write_role", Role.EDITOR))
