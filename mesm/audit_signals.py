"""Audit entries for rows that are changed from many places (HTML pages, the API, imports).

Objectives, listening sources (and their credentials) and memberships are saved by model forms,
serializers and services alike; model signals catch every path with one rule each. Planned posts
and approvals are recorded explicitly by strategy/workflow.py, which already keeps their history.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_save

from mesm.audit import audit, model_changes, snapshot
from mesm.models import AuditEntry, Membership

# model label → fields whose change is worth a line in the log (polling bookkeeping is not).
TRACKED = {
    "strategy.Objective": ["title", "why", "owner_id", "deadline", "status", "archived_at"],
    "listening.Source": ["name", "platform", "kind", "target", "base_url", "interval_minutes", "enabled"],
    "mesm.Membership": ["role"],
}
SECRET_FIELD = {"listening.Source": "credentials_encrypted"}


def _label(sender) -> str:
    return sender._meta.label


def _remember_old(sender, instance, raw=False, update_fields=None, **kwargs):
    fields = TRACKED[_label(sender)]
    secret = SECRET_FIELD.get(_label(sender))
    watched = set(fields) | ({secret} if secret else set())
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not watched.intersection(update_fields):
        return  # e.g. a poll updating its status fields: nothing to record, no extra query
    old = sender._default_manager.filter(pk=instance.pk).values(*watched).first()
    instance._audit_before = old


def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    label = _label(sender)
    fields = TRACKED[label]
    org = instance.org
    if created:
        action = AuditEntry.Action.JOIN if sender is Membership else AuditEntry.Action.CREATE
        audit(org, None, action, instance, changes=model_changes({}, snapshot(instance, fields)))
        return
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    changes = model_changes(before, snapshot(instance, fields))
    if changes:
        action = AuditEntry.Action.ROLE if sender is Membership else AuditEntry.Action.UPDATE
        audit(org, None, action, instance, changes=changes)
    secret = SECRET_FIELD.get(label)
    if secret and before.get(secret) != getattr(instance, secret):
        # Only the fact is recorded, never a value.
        audit(org, None, AuditEntry.Action.CREDENTIALS, instance, changes={"credentials": "changed"})


def _record_delete(sender, instance, origin=None, **kwargs):
    # Only deletions of the row itself; not rows cascading from a deleted organisation or user.
    if origin is not None and getattr(origin, "model", type(origin)) is not sender:
        return
    action = AuditEntry.Action.REMOVE if sender is Membership else AuditEntry.Action.DELETE
    audit(instance.org, None, action, (sender._meta.model_name, instance.pk, str(instance)))


def connect() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"mesm-audit-{label}"
        pre_save.connect(_remember_old, sender=model, dispatch_uid=uid)
        post_save.connect(_record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_record_delete, sender=model, dispatch_uid=uid)
