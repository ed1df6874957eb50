"""Staff profiles and lists, talks, and the social media policy with its acknowledgements."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from learning.models import Lesson, PolicyAcknowledgement, PolicyVersion, StaffList, StaffMember, Talk
from learning.people.csvutil import csv_text
from learning.services.lessons import lesson_record
from mesm.models import Organization
from strategy.models import Platform


class PeopleError(Exception):
    """A refused operation, with a message in plain words for the page or the API."""

    code = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PolicyNotCurrent(PeopleError):
    code = "policy_not_current"


class NothingToRecord(PeopleError):
    code = "nothing_to_record"


# --- staff lists -----------------------------------------------------------------------------------------------------


def platform_label(platform: str) -> str:
    return dict(Platform.choices).get(platform, platform)


def staff_list_export_csv(staff_list: StaffList, platform: str) -> str:
    """Name, department and handle of the list's people who have a handle on ``platform``."""
    people = [p for p in staff_list.members.order_by("name", "id") if p.handle_on(platform)]
    return csv_text(
        [_("Name"), _("Department"), _("Handle")],
        ([p.name, p.department, p.handle_on(platform)] for p in people),
    )


def staff_list_platforms(staff_list: StaffList) -> list[tuple[str, str, int]]:
    """(platform, label, people with a handle there) for every platform someone of the list is on."""
    counts: dict[str, int] = {}
    for person in staff_list.members.all():
        for platform, handle in (person.handles or {}).items():
            if handle:
                counts[platform] = counts.get(platform, 0) + 1
    order = [value for value, _label in Platform.choices]
    return [
        (platform, platform_label(platform), counts[platform])
        for platform in sorted(counts, key=lambda p: order.index(p) if p in order else len(order))
    ]


# --- talks -----------------------------------------------------------------------------------------------------------


def talk_record_lesson(talk: Talk, *, by=None) -> Lesson:
    """Turn the talk's notes into a lesson learned (once; a second call returns the same lesson)."""
    if talk.lesson_id:
        return talk.lesson
    if not talk.notes.strip():
        raise NothingToRecord(_("Write the talk's notes first: they become the lesson."))
    with transaction.atomic():
        lesson = lesson_record(
            talk.org,
            title=talk.topic,
            body=talk.notes,
            source_kind=Lesson.SourceKind.TALK,
            source_label=_("Talk of %(date)s") % {"date": talk.date.isoformat()},
            source_url=reverse("learning-talk-detail", kwargs={"org_slug": talk.org.slug, "pk": talk.pk}),
            author=by,
        )
        talk.lesson = lesson
        talk.save(update_fields=["lesson", "updated_at"])
    return lesson


# --- policy ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def policy_version_create(*, org: Organization, by=None, make_current: bool = True, **fields) -> PolicyVersion:
    """Add a version with the next number; the first version, or ``make_current``, becomes the current one."""
    # Lock the organisation's row: two editors publishing at once must not get the same number.
    Organization.objects.select_for_update().get(pk=org.pk)
    last = PolicyVersion.objects.filter(org=org).aggregate(last=Max("number"))["last"] or 0
    version = PolicyVersion(org=org, number=last + 1, created_by=by, **fields)
    version.full_clean(exclude=["number"])
    version.save()
    if make_current or last == 0:
        policy_make_current(version)
    return version


@transaction.atomic
def policy_make_current(version: PolicyVersion) -> None:
    """Make this version the only current one of its organisation."""
    Organization.objects.select_for_update().get(pk=version.org_id)
    PolicyVersion.objects.filter(org_id=version.org_id, is_current=True).exclude(pk=version.pk).update(is_current=False)
    PolicyVersion.objects.filter(pk=version.pk).update(is_current=True)
    version.is_current = True


def policy_current(org: Organization) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(org=org, is_current=True).first()


def policy_acknowledge(
    version: PolicyVersion, *, user=None, staff_member: StaffMember | None = None, by=None
) -> PolicyAcknowledgement:
    """Record that a member (or a staff member, by an editor) has read the current version.

    Refuses a version that is not current. Acknowledging twice returns the first acknowledgement.
    """
    if (user is None) == (staff_member is None):
        raise ValueError("Give either a user or a staff member.")
    with transaction.atomic():
        # Read the flag under lock: a version made non-current a moment ago must refuse.
        fresh = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if not fresh.is_current:
            raise PolicyNotCurrent(
                _("This version of the policy is no longer current: read and acknowledge the current one.")
            )
        lookup = {"user": user} if user is not None else {"staff_member": staff_member}
        existing = PolicyAcknowledgement.objects.filter(version=fresh, **lookup).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return PolicyAcknowledgement.objects.create(
                    org_id=fresh.org_id, version=fresh, recorded_by=by or user, **lookup
                )
        except IntegrityError:
            return PolicyAcknowledgement.objects.get(version=fresh, **lookup)


@dataclass
class AckStatus:
    version: PolicyVersion | None
    members_done: list  # (user, acknowledgement)
    members_pending: list  # users
    staff_done: list  # (staff member, acknowledgement)
    staff_pending: list  # staff members

    @property
    def member_total(self) -> int:
        return len(self.members_done) + len(self.members_pending)


def policy_ack_status(org: Organization, version: PolicyVersion | None = None) -> AckStatus:
    """Who has acknowledged ``version`` (default: the current one) and who has not — members and staff."""
    version = version or policy_current(org)
    if version is None:
        return AckStatus(None, [], [], [], [])
    acks = list(version.acknowledgements.select_related("user", "staff_member"))
    by_user = {a.user_id: a for a in acks if a.user_id}
    by_staff = {a.staff_member_id: a for a in acks if a.staff_member_id}
    users = get_user_model().objects.filter(memberships__org=org).order_by("first_name", "last_name", "username")
    members_done, members_pending = [], []
    for user in users:
        if user.pk in by_user:
            members_done.append((user, by_user[user.pk]))
        else:
            members_pending.append(user)
    staff_done, staff_pending = [], []
    # Staff linked to a MESM account already appear as members.
    for person in StaffMember.objects.filter(org=org, member__isnull=True).order_by("name"):
        if person.pk in by_staff:
            staff_done.append((person, by_staff[person.pk]))
        else:
            staff_pending.append(person)
    return AckStatus(version, members_done, members_pending, staff_done, staff_pending)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def policy_render(body: str) -> SafeString:
    """Markdown-like plain text as safe HTML: "# " / "## " headings, "- " or "1. " lists, **bold**, paragraphs.

    Everything is escaped first, so the text can never inject markup; the page's h1 is the title, so
    headings start at h2.
    """
    html: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def flush_paragraph():
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_tag
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = None

    for raw in (body or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush_paragraph()
            close_list()
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        if heading:
            flush_paragraph()
            close_list()
            level = min(len(heading.group(1)) + 1, 4)
            html.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        if _LIST_ITEM.match(line):
            flush_paragraph()
            tag = "ol" if _ORDERED.match(line) else "ul"
            if list_tag != tag:
                close_list()
                html.append(f"<{tag}>")
                list_tag = tag
            html.append(f"<li>{_inline(_LIST_ITEM.sub('', line, count=1))}</li>")
            continue
        close_list()
        paragraph.append(line.strip())
    flush_paragraph()
    close_list()
    return mark_safe("\n".join(html))  # noqa: S308 — every piece of text went through escape() above


# --- import ----------------------------------------------------------------------------------------------------------

MAX_IMPORT_ROWS = 2000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list = None  # (line number, message)


def _header_key(name: str) -> str | None:
    """Map a CSV header to a field: name, department, email, lists, or a platform value."""
    key = name.strip().lower()
    aliases = {
        "name": "name",
        "nombre": "name",
        "department": "department",
        "departamento": "department",
        "email": "email",
        "e-mail": "email",
        "correo": "email",
        "correo electrónico": "email",
        "lists": "lists",
        "listas": "lists",
    }
    if key in aliases:
        return aliases[key]
    for value, label in Platform.choices:
        if key in (value, str(label).lower()) and value != Platform.OTHER:
            return value
    return None


def staff_import_csv(org: Organization, text: str) -> ImportResult:
    """Create or update staff profiles from CSV (name, department, email, a column per platform, lists).

    A row matches an existing person by e-mail, or else by name. All or nothing: with any error, nothing
    is saved and the errors say which line and why.
    """
    import csv

    from django.core.validators import ProhibitNullCharactersValidator

    if "\x00" in text:  # PostgreSQL cannot store it; Django's own message, already translated
        return ImportResult(errors=[(1, str(ProhibitNullCharactersValidator.message))])
    try:
        return _staff_import_csv(org, text)
    except csv.Error:
        # The csv module gives up on a cell over its size limit (128 KiB); nothing was saved yet.
        return ImportResult(
            errors=[(1, _("The file cannot be read as CSV: a cell is far too long or a quote is not closed."))]
        )


def _staff_import_csv(org: Organization, text: str) -> ImportResult:
    import csv
    import io

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    result = ImportResult(errors=[])
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect)
    header = next(reader, None)
    if not header:
        result.errors.append((1, _("The file is empty.")))
        return result
    keys = [_header_key(h) for h in header]
    if "name" not in keys:
        result.errors.append((1, _("The first line must name the columns, with at least a “name” column.")))
        return result
    unknown = [h for h, k in zip(header, keys, strict=True) if k is None and h.strip()]
    if unknown:
        result.errors.append((1, _("Unknown columns: %(names)s.") % {"names": ", ".join(u.strip() for u in unknown)}))
        return result
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            result.errors.append((line, _("At most %(count)s people per file.") % {"count": MAX_IMPORT_ROWS}))
            break
        data = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys) if k}
        if not data.get("name"):
            result.errors.append((line, _("The name is missing.")))
            continue
        if len(data["name"]) > 200 or len(data.get("department", "")) > 200:
            result.errors.append((line, _("The name and the department must be under 200 characters.")))
            continue
        if data.get("email"):
            try:
                validate_email(data["email"])
            except ValidationError:
                result.errors.append((line, _("“%(value)s” is not a valid e-mail address.") % {"value": data["email"]}))
                continue
        rows.append(data)
    if result.errors:
        return result
    platforms = [k for k in keys if k and k not in ("name", "department", "email", "lists")]
    with transaction.atomic():
        for data in rows:
            person = None
            if data.get("email"):
                person = StaffMember.objects.filter(org=org, email__iexact=data["email"]).first()
            if person is None:
                person = StaffMember.objects.filter(org=org, name__iexact=data["name"]).first()
            creating = person is None
            person = person or StaffMember(org=org)
            person.name = data["name"]
            if "department" in data:
                person.department = data["department"]
            if data.get("email"):
                person.email = data["email"]
            handles = dict(person.handles or {})
            for platform in platforms:
                if data.get(platform):
                    handles[platform] = data[platform][:200]
            person.handles = handles
            person.save()
            for list_name in [n.strip() for n in data.get("lists", "").replace(",", ";").split(";") if n.strip()]:
                staff_list = StaffList.objects.filter(org=org, name__iexact=list_name).first()
                staff_list = staff_list or StaffList.objects.create(org=org, name=list_name[:120])
                staff_list.members.add(person)
            if creating:
                result.created += 1
            else:
                result.updated += 1
    return result
