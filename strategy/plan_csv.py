"""The content plan as CSV: the list filters, the export and the two-step import.

- ``PlanFilter`` is the one set of filters of the post list (API list, API export, HTML export).
- Export: one row per post; a cell that a spreadsheet would run as a formula gets a leading ``'``.
- Import: ``plan_csv_parse`` reads a file without writing anything and returns the rows ready to
  import and, for every refused row, its line number and the reason in plain words; the result is
  JSON-compatible so a preview can keep it in the session. ``plan_csv_commit`` creates the good
  rows as drafts through ``workflow.post_save``, all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from datetime import timezone as dt_timezone

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesm.csvsafe import csv_safe
from mesm.models import Organization
from strategy import workflow
from strategy.limits import length_error
from strategy.models import (
    Audience,
    Campaign,
    Objective,
    PlannedPost,
    Platform,
    PostStatus,
    Profile,
    Tier,
)

# --- Filters --------------------------------------------------------------------------------------


def _rows_of_org(model):
    """A callable queryset for a filter: the request's organisation's rows only."""

    def queryset(request):
        org = getattr(request, "org", None)
        if org is None:
            return model.objects.none()
        return model.objects.filter(org=org)

    return queryset


class PlanFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(
        method="filter_start", label=gettext_lazy("From"), help_text="First day (YYYY-MM-DD) in the org's time zone."
    )
    end = django_filters.DateFilter(
        method="filter_end", label=gettext_lazy("To"), help_text="Last day, included, in the org's time zone."
    )
    status = django_filters.ChoiceFilter(choices=PostStatus.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    profile = django_filters.ModelChoiceFilter(queryset=_rows_of_org(Profile))
    campaign = django_filters.ModelChoiceFilter(queryset=_rows_of_org(Campaign))
    objective = django_filters.ModelChoiceFilter(queryset=_rows_of_org(Objective))
    audience = django_filters.ModelChoiceFilter(queryset=_rows_of_org(Audience))

    class Meta:
        model = PlannedPost
        fields = ["start", "end", "status", "tier", "profile", "campaign", "objective", "audience"]

    def _midnight(self, day):
        return datetime.combine(day, time.min, tzinfo=self.request.org.zoneinfo)

    def filter_start(self, queryset, name, value):
        return queryset.filter(scheduled_at__gte=self._midnight(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(scheduled_at__lt=self._midnight(value + timedelta(days=1)))


# --- Export ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "id",
    "scheduled_at",
    "profile",
    "status",
    "tier",
    "text",
    "link",
    "hashtags",
    "hypothesis",
    "objective",
    "campaign",
    "audience",
    "owner",
    "external_url",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).


def neutralise(value) -> str:
    """The cell as text, with a leading ' when a spreadsheet would read it as a formula."""
    return str(csv_safe(value))


def profile_label(profile: Profile) -> str:
    return f"{profile.platform}:{profile.handle}"


def plan_csv_rows(posts, org: Organization):
    """The header, then one list of cells per post."""
    zone = org.zoneinfo
    yield EXPORT_COLUMNS
    posts = posts.select_related("profile", "objective", "campaign", "audience", "owner").order_by("scheduled_at", "id")
    for post in posts:
        yield [
            post.pk,
            post.scheduled_at.astimezone(zone).isoformat() if post.scheduled_at else "",
            profile_label(post.profile),
            post.status,
            post.tier,
            post.text,
            post.link,
            post.hashtags,
            post.hypothesis,
            post.objective.title if post.objective else "",
            post.campaign.name if post.campaign else "",
            post.audience.name if post.audience else "",
            post.owner.username if post.owner else "",
            post.external_url,
        ]


def plan_csv_response(posts, org: Organization) -> HttpResponse:
    """The posts as a downloadable CSV (UTF-8 with BOM so spreadsheet programs read accents)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for index, row in enumerate(plan_csv_rows(posts, org)):
        writer.writerow(row if index == 0 else [neutralise(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"plan-{org.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Import: reading ------------------------------------------------------------------------------

MAX_ROWS = 2000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# Accepted header names, normalised (lower case, no accents, single spaces).
COLUMNS = {
    "scheduled_at": {
        "scheduled at",
        "scheduled for",
        "scheduled",
        "date",
        "date and time",
        "datetime",
        "when",
        "fecha",
        "fecha y hora",
        "programada para",
        "programado para",
        "cuando",
    },
    "profile": {"profile", "perfil", "account", "cuenta", "handle"},
    "text": {"text", "texto", "post", "publicacion", "message", "mensaje", "content", "contenido"},
    "tier": {"tier", "nivel", "experimentation tier", "nivel de experimentacion"},
    "link": {"link", "url", "enlace"},
    "hashtags": {"hashtags", "hashtag", "etiquetas"},
    "hypothesis": {"hypothesis", "hipotesis"},
    "objective": {"objective", "objetivo"},
    "campaign": {"campaign", "campana"},
    "audience": {"audience", "audiencia", "publico"},
}
REQUIRED = ("scheduled_at", "profile", "text")

TIER_NAMES = {
    Tier.PROVEN: {"proven", "probado", "probada", "probados", "probadas"},
    Tier.MODERATE: {
        "moderate",
        "moderado",
        "moderada",
        "moderate experiment",
        "experimento moderado",
    },
    Tier.RADICAL: {"radical", "radicales", "radical experiment", "experimento radical"},
}


class RowError(Exception):
    """A value of one row cannot be used; the message says why, in plain words."""


@dataclass
class PlanImportResult:
    """What a file holds: rows ready to import and rows refused, each with its line number.

    A ``bad_rows`` entry whose line number is ``None`` is about the whole file (e.g. a missing
    column); then there are no good rows. ``encoding`` is the one the file was read with.
    """

    org_id: int
    good_rows: list[dict] = field(default_factory=list)
    bad_rows: list[tuple[int | None, str]] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def read_as_windows_1252(self) -> bool:
        return self.encoding == "cp1252"

    def messages(self) -> list[str]:
        """Every bad row as "line 7: …", in the active language."""
        return [
            reason if line is None else _("line %(line)s: %(reason)s") % {"line": line, "reason": reason}
            for line, reason in self.bad_rows
        ]

    def as_dict(self) -> dict:
        return {
            "org_id": self.org_id,
            "good_rows": self.good_rows,
            "bad_rows": [list(row) for row in self.bad_rows],
            "encoding": self.encoding,
        }

    @classmethod
    def from_dict(cls, data: dict) -> PlanImportResult:
        return cls(
            org_id=data["org_id"],
            good_rows=data["good_rows"],
            bad_rows=[(line, reason) for line, reason in data["bad_rows"]],
            encoding=data.get("encoding", "utf-8"),
        )


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else Windows-1252 as Spanish Excel writes."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # A few bytes have no character in Windows-1252; Latin-1 reads them all alike.
        return raw.decode("latin-1"), "cp1252"


def _normalise(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.strip().lower())
    name = "".join(char for char in name if not unicodedata.combining(char))
    return " ".join(name.replace("_", " ").replace("-", " ").split())


def _unquote(cell: str) -> str:
    """Undo the export's formula guard, so an exported file imports back as it was."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


def parse_when(text: str, zone) -> datetime:
    """Read "2026-12-01 10:00", "01/12/2026 10:00" or an ISO 8601 time; without an offset, in ``zone``."""
    text = text.strip()
    offset = None
    if match := _ISO.match(text):
        year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
        second = int(match.group(6) or 0)
        offset = match.group(7)
    elif match := _DMY.match(text):
        day, month, year, hour, minute = (int(part) for part in match.groups()[:5])
        second = int(match.group(6) or 0)
    else:
        raise RowError(
            _("the date “%(text)s” was not understood; write it like 2026-12-01 10:00 or 01/12/2026 10:00")
            % {"text": text}
        )
    tzinfo = zone
    if offset:
        if offset.upper() == "Z":
            tzinfo = UTC
        else:
            digits = offset.replace(":", "")
            minutes = int(digits[1:3]) * 60 + int(digits[3:5])
            tzinfo = dt_timezone(timedelta(minutes=minutes if digits[0] == "+" else -minutes))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except ValueError as error:
        raise RowError(_("the date “%(text)s” does not exist") % {"text": text}) from error


def parse_tier(text: str) -> str:
    key = _normalise(text)
    if not key:
        return Tier.PROVEN
    for tier, names in TIER_NAMES.items():
        if key in names:
            return tier.value
    raise RowError(
        _("the tier “%(text)s” is not known; write proven (probado), moderate (moderado) or radical") % {"text": text}
    )


class _ProfileIndex:
    """Finds an active owned profile by "platform:handle" or by its handle alone."""

    def __init__(self, org: Organization):
        self.by_handle: dict[str, list[Profile]] = {}
        self.platforms = set(Platform.values) | {"twitter"}
        for profile in Profile.objects.active().filter(org=org):
            self.by_handle.setdefault(self._key(profile.handle), []).append(profile)

    @staticmethod
    def _key(handle: str) -> str:
        return handle.strip().lstrip("@").lower()

    def find(self, text: str) -> Profile:
        if not text:
            raise RowError(_("the profile is missing"))
        platform, sep, handle = text.partition(":")
        platform = platform.strip().lower()
        if sep and platform in self.platforms and handle.strip():
            platform = "x" if platform == "twitter" else platform
            candidates = [p for p in self.by_handle.get(self._key(handle), []) if p.platform == platform]
        else:
            candidates = self.by_handle.get(self._key(text), [])
        if not candidates:
            raise RowError(_("there is no profile “%(profile)s” — add it under Profiles first") % {"profile": text})
        if len(candidates) > 1:
            raise RowError(
                _("“%(profile)s” is registered on several platforms — write it as platform:handle, e.g. %(example)s")
                % {"profile": text, "example": profile_label(candidates[0])}
            )
        return candidates[0]


class _NameIndex:
    """Finds an active objective, campaign or audience by its title or name (case does not matter)."""

    def __init__(self, queryset, attribute: str, unknown: str, several: str):
        self.rows: dict[str, list] = {}
        for row in queryset:
            self.rows.setdefault(getattr(row, attribute).strip().lower(), []).append(row)
        self.unknown, self.several = unknown, several

    def find(self, text: str):
        if not text:
            return None
        found = self.rows.get(text.strip().lower(), [])
        if not found:
            raise RowError(self.unknown % {"name": text})
        if len(found) > 1:
            raise RowError(self.several % {"name": text})
        return found[0]


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return _unquote(row[index].strip()).strip()


def _missing_column(header: list[str], name: str) -> str:
    columns = ", ".join(f"“{column.strip()}”" for column in header if column.strip()) or "—"
    return _("the file has no “%(column)s” column (columns found: %(columns)s)") % {"column": name, "columns": columns}


def plan_csv_parse(org: Organization, file, *, now: datetime | None = None) -> PlanImportResult:
    """Read a plan CSV into rows ready to import and refused rows (nothing is written)."""
    try:
        return _plan_csv_parse(org, file, now=now)
    except csv.Error:
        # The csv module gives up on a cell over its size limit (128 KiB): the whole file is refused.
        result = PlanImportResult(org_id=org.pk)
        result.bad_rows.append(
            (None, _("the file cannot be read as CSV: a cell is far too long or a quote is not closed"))
        )
        return result


def _plan_csv_parse(org: Organization, file, *, now: datetime | None = None) -> PlanImportResult:
    now = now or timezone.now()
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read() if hasattr(file, "read") else file
    text, encoding = _decode(raw) if isinstance(raw, bytes) else (raw.lstrip("\ufeff"), "utf-8")
    result = PlanImportResult(org_id=org.pk, encoding=encoding)
    if "\x00" in text:
        result.bad_rows.append((None, _("the file is not a CSV text file")))
        return result
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        result.bad_rows.append((None, _("the file is empty")))
        return result
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next((row for row in reader if any(cell.strip() for cell in row)), [])
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        normalised = _normalise(name)
        for key, names in COLUMNS.items():
            if key not in columns and normalised in names:
                columns[key] = index
                break
    for key in REQUIRED:
        if key not in columns:
            result.bad_rows.append((None, _missing_column(header, key)))
    if result.bad_rows:
        return result

    zone = org.zoneinfo
    profiles = _ProfileIndex(org)
    objectives = _NameIndex(
        Objective.objects.active().filter(org=org),
        "title",
        _("there is no objective “%(name)s”"),
        _("several objectives are called “%(name)s”; give one of them another title"),
    )
    campaigns = _NameIndex(
        Campaign.objects.active().filter(org=org),
        "name",
        _("there is no campaign “%(name)s”"),
        _("several campaigns are called “%(name)s”; give one of them another name"),
    )
    audiences = _NameIndex(
        Audience.objects.active().filter(org=org),
        "name",
        _("there is no audience “%(name)s”"),
        _("several audiences are called “%(name)s”"),
    )
    link_max = PlannedPost._meta.get_field("link").max_length
    hashtags_max = PlannedPost._meta.get_field("hashtags").max_length
    check_url = URLValidator(schemes=["http", "https"])

    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(result.good_rows) + len(result.bad_rows) >= MAX_ROWS:
            result.bad_rows.append((line, _("the file has more than %(max)s rows; split it") % {"max": MAX_ROWS}))
            break
        try:
            when_text = _cell(row, columns["scheduled_at"])
            if not when_text:
                raise RowError(_("the date and time are missing"))
            when = parse_when(when_text, zone)
            if when <= now:
                raise RowError(
                    _("“%(text)s” has already passed; posts are planned for the future") % {"text": when_text}
                )
            profile = profiles.find(_cell(row, columns["profile"]))
            body = _cell(row, columns["text"])
            if not body:
                raise RowError(_("the text is missing"))
            tier = parse_tier(_cell(row, columns.get("tier")))
            hypothesis = _cell(row, columns.get("hypothesis"))
            if tier != Tier.PROVEN and not hypothesis:
                raise RowError(_("an experiment needs a hypothesis: what you expect to happen and how you will know"))
            link = _cell(row, columns.get("link"))
            if link:
                try:
                    check_url(link)
                except ValidationError as error:
                    raise RowError(
                        _("the link “%(link)s” is not a web address (it starts with https://)") % {"link": link}
                    ) from error
                if len(link) > link_max:
                    raise RowError(_("the link is longer than %(max)s characters") % {"max": link_max})
            hashtags = _cell(row, columns.get("hashtags"))
            if len(hashtags) > hashtags_max:
                raise RowError(_("the hashtags are longer than %(max)s characters") % {"max": hashtags_max})
            objective = objectives.find(_cell(row, columns.get("objective")))
            campaign = campaigns.find(_cell(row, columns.get("campaign")))
            audience = audiences.find(_cell(row, columns.get("audience")))
        except RowError as error:
            result.bad_rows.append((line, str(error)))
            continue
        draft = PlannedPost(org=org, profile=profile, text=body, link=link, hashtags=hashtags)
        too_long = length_error(draft)
        result.good_rows.append(
            {
                "line": line,
                "scheduled_at": when.isoformat(),
                "scheduled_display": when.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
                "profile_id": profile.pk,
                "profile": str(profile),
                "text": body,
                "link": link,
                "hashtags": hashtags,
                "tier": tier,
                "hypothesis": hypothesis,
                "objective_id": objective.pk if objective else None,
                "objective": objective.title if objective else "",
                "campaign_id": campaign.pk if campaign else None,
                "campaign": campaign.name if campaign else "",
                "audience_id": audience.pk if audience else None,
                "audience": audience.name if audience else "",
                "related": " · ".join(str(row) for row in (objective, campaign, audience) if row),
                "warnings": [too_long] if too_long else [],
            }
        )
    return result


# --- Import: saving -------------------------------------------------------------------------------


class PlanImportError(Exception):
    """Some confirmed rows could not be created; nothing was imported. ``problems`` are (line, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(problems)
        self.problems = problems

    def messages(self) -> list[str]:
        return [_("line %(line)s: %(reason)s") % {"line": line, "reason": reason} for line, reason in self.problems]


@transaction.atomic
def plan_csv_commit(result: PlanImportResult, *, user) -> list[PlannedPost]:
    """Create every good row as a draft by ``user``, through the workflow; all of them or none.

    The rows may have waited in a session, so each is checked again: a profile, objective, campaign
    or audience archived since, or a time that has passed since, stops the whole import.
    """
    rows = result.good_rows
    org_id = result.org_id

    def active(model, key):
        ids = {row[key] for row in rows if row.get(key)}
        return {row.pk: row for row in model.objects.active().filter(org_id=org_id, pk__in=ids)}

    profiles = active(Profile, "profile_id")
    related = {
        "objective": active(Objective, "objective_id"),
        "campaign": active(Campaign, "campaign_id"),
        "audience": active(Audience, "audience_id"),
    }
    gone = {
        "profile": _("the profile “%(name)s” is no longer available"),
        "objective": _("the objective “%(name)s” is no longer available"),
        "campaign": _("the campaign “%(name)s” is no longer available"),
        "audience": _("the audience “%(name)s” is no longer available"),
    }
    problems: list[tuple[int, str]] = []
    created: list[PlannedPost] = []
    for row in rows:
        profile = profiles.get(row["profile_id"])
        if profile is None:
            problems.append((row["line"], gone["profile"] % {"name": row["profile"]}))
            continue
        values = {}
        for name, found in related.items():
            key = row.get(f"{name}_id")
            values[name] = found.get(key) if key else None
            if key and values[name] is None:
                problems.append((row["line"], gone[name] % {"name": row[name]}))
        post = PlannedPost(
            org_id=org_id,
            profile=profile,
            scheduled_at=datetime.fromisoformat(row["scheduled_at"]),
            text=row["text"],
            link=row["link"],
            hashtags=row["hashtags"],
            tier=row["tier"],
            hypothesis=row["hypothesis"],
            status=PostStatus.DRAFT,
            **values,
        )
        try:
            created.append(workflow.post_save(post, user=user))
        except workflow.WorkflowError as error:
            problems.append((row["line"], " ".join(error.messages)))
    if problems:
        raise PlanImportError(problems)
    return created
