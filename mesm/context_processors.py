from mesm.models import Membership


def tenancy(request):
    """The current organisation and the user's others, for the header's switcher."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    org = getattr(request, "org", None)
    memberships = list(Membership.objects.filter(user=request.user).select_related("org"))
    unread = 0
    if org is not None:
        from listening.models import Notification

        unread = Notification.objects.filter(org=org, user=request.user, read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "current_org": org,
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
    }
