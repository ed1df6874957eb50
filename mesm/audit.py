"""The audit log: who changed what. ``audit()`` is called by the services that change objectives,
sources, credentials, members, posts and approvals.

The actor is usually the person making the request: CurrentActorMiddleware remembers them for the
length of the request, so a service can call ``audit(org, None, …)`` without an extra argument.
Celery tasks and commands have no request; their entries have no actor ("the system").
"""

from contextvars import ContextVar

from django.db import models

from mesm.models import AuditEntry, Organization

# The request, not its user: DRF authenticates API tokens inside the view, after this middleware,
# and then sets the user on the same Django request.
_current_request: ContextVar = ContextVar("mesm_audit_request", default=None)

# Never stored in an entry's changes, whatever the caller passes.
SECRET_FIELDS = {"credentials", "password", "token", "secret", "access_token", "app_password", "api_key"}


class CurrentActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_actor():
    request = _current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def clean_changes(changes: dict | None) -> dict:
    """JSON-safe changes without secrets (a secret field only records that it changed)."""
    cleaned = {}
    for key, value in (changes or {}).items():
        cleaned[key] = "••••" if key.lower() in SECRET_FIELDS else _plain(value)
    return cleaned


def audit(org: Organization, actor, action: str, obj, changes: dict | None = None) -> AuditEntry:
    """Record one change. ``obj`` is a model instance, or a (type, id, label) tuple for deleted things."""
    if actor is None:
        actor = current_actor()
    if isinstance(obj, models.Model):
        object_type = obj._meta.model_name
        object_id = str(obj.pk or "")
        object_label = str(obj)
    else:
        object_type, object_id, object_label = obj
    actor_label = ""
    if actor is not None:
        actor_label = (actor.get_full_name() or actor.get_username())[:150]
    return AuditEntry.objects.create(
        org=org,
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id)[:40],
        object_label=str(object_label)[:300],
        changes=clean_changes(changes),
    )


def model_changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs."""
    return {key: [_plain(before.get(key)), _plain(value)] for key, value in after.items() if before.get(key) != value}


def snapshot(obj: models.Model, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}
