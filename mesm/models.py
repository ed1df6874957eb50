import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone (e.g. Europe/Madrid)."), params={"value": value})


class OrgScopedQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(org=org)


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name for addresses"),
        max_length=60,
        unique=True,
        help_text=_("Lower-case letters, numbers and hyphens; it appears in the address, e.g. /o/my-library/."),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone])
    language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="es")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


# What each role may do, from most to least powerful; a role can do all that the roles after it can.
ROLE_RANK = {Role.ADMIN: 3, Role.EDITOR: 2, Role.VIEWER: 1}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "org"], name="membership_unique_user_org")]
        ordering = ["org__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.org} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def can_edit(self) -> bool:
        return self.has_role(Role.EDITOR)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.org}"

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.expires_at


class AuditEntry(models.Model):
    """One change made by someone (or by the system when actor is empty), kept for administrators to read."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        TRANSITION = "transition", _("moved")
        CREDENTIALS = "credentials", _("changed the credentials of")
        ROLE = "role", _("changed the role of")
        JOIN = "join", _("joined")
        REMOVE = "remove", _("removed")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_entries")
    # The row outlives the user (SET_NULL) and keeps the name they had, so the log still reads.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("what"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "-created_at"]), models.Index(fields=["org", "object_type"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.actor_label or '—'} {self.action} {self.object_type} {self.object_label}"

    def change_rows(self) -> list[tuple[str, str]]:
        """(field, "old → new") pairs for the page; a value that is not a pair is shown as it is."""
        rows = []
        for key, value in (self.changes or {}).items():
            if isinstance(value, list) and len(value) == 2:
                old, new = ("—" if v in (None, "") else v for v in value)
                rows.append((key, f"{old} → {new}"))
            else:
                rows.append((key, str(value)))
        return rows


class TwoFactorDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238). The shared secret is encrypted at rest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.TextField(editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step accepted, so one code cannot be used twice.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step login device")
        verbose_name_plural = _("two-step login devices")

    def __str__(self) -> str:
        return f"TOTP · {self.user}"
