"""CSV imports of profile snapshots and institutional KPI values.

Parsing is pure (it reads the database to resolve profiles, never writes): it returns an
``ImportResult`` with the rows ready to save and, for every rejected row, its line number and a
reason in plain words. ``import_commit`` saves the good rows in one transaction; it is idempotent,
so importing the same file twice changes nothing.

The good rows are plain JSON-compatible dicts, so a preview can keep them in the session and
commit them later without the file being uploaded again.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from metrics.models import InstitutionalKPI, InstitutionalValue, ProfileSnapshot
from strategy.models import Platform, Profile

SNAPSHOTS = "snapshots"
INSTITUTIONAL = "institutional"
MAX_ROWS = 10_000
MAX_VALUE = Decimal("1e14")  # InstitutionalValue.value has 16 digits, 2 of them decimals

# Accepted header names, normalised (lower case, no accents, single spaces).
COLUMNS = {
    "date": {"date", "fecha", "day", "dia"},
    "profile": {"profile", "perfil", "account", "cuenta", "handle", "usuario"},
    "followers": {"followers", "seguidores", "followers count", "numero de seguidores", "total followers"},
    "following": {"following", "seguidos", "siguiendo", "follows"},
    "posts": {"posts", "publicaciones", "statuses", "number of posts", "numero de publicaciones"},
    "period": {"period", "periodo", "period start", "inicio del periodo", "month", "mes", "date", "fecha"},
    "value": {"value", "valor", "total"},
    "note": {"note", "nota", "notes", "notas", "comment", "comentario"},
}


@dataclass
class ImportResult:
    """What a file holds: rows ready to save and rows refused, each with its line number.

    A ``bad_rows`` entry whose line number is ``None`` is about the whole file (e.g. a missing
    column); then there are no good rows.
    """

    kind: str
    org_id: int
    kpi_id: int | None = None
    good_rows: list[dict] = field(default_factory=list)
    bad_rows: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.good_rows) + len([line for line, _reason in self.bad_rows if line is not None])

    def messages(self) -> list[str]:
        """Every bad row as "line 7: the date … does not exist", in the active language."""
        return [
            reason if line is None else _("line %(line)s: %(reason)s") % {"line": line, "reason": reason}
            for line, reason in self.bad_rows
        ]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "org_id": self.org_id,
            "kpi_id": self.kpi_id,
            "good_rows": self.good_rows,
            "bad_rows": [list(row) for row in self.bad_rows],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        return cls(
            kind=data["kind"],
            org_id=data["org_id"],
            kpi_id=data.get("kpi_id"),
            good_rows=data["good_rows"],
            bad_rows=[(line, reason) for line, reason in data["bad_rows"]],
        )


class RowError(Exception):
    """A value of one row cannot be used; the message says why, in plain words."""


# --- Reading the file -----------------------------------------------------------------------


def _read_text(file) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 as Spanish Excel writes."""
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read() if hasattr(file, "read") else file
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _delimiter(header_line: str) -> str:
    # Spanish spreadsheets write ";" because "," is their decimal mark; count on the header only,
    # where no number can confuse the count.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _normalise(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.strip().lower())
    name = "".join(char for char in name if not unicodedata.combining(char))
    return " ".join(name.replace("_", " ").replace("-", " ").split())


def _rows(file):
    """(reader, header, delimiter) or raise RowError about the whole file."""
    text = _read_text(file)
    if "\x00" in text:
        raise RowError(_("the file is not a CSV text file"))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise RowError(_("the file is empty"))
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = []
    for row in reader:
        if any(cell.strip() for cell in row):
            header = row
            break
    return reader, header, delimiter


def _find_columns(header: list[str], wanted: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        normalised = _normalise(name)
        for key in wanted:
            if key not in found and normalised in COLUMNS[key]:
                found[key] = index
                break
    return found


def _missing_column(header: list[str], name: str) -> str:
    columns = ", ".join(f"“{column.strip()}”" for column in header if column.strip()) or "—"
    return _("the file has no “%(column)s” column (columns found: %(columns)s)") % {
        "column": name,
        "columns": columns,
    }


# --- Values -----------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_GROUPED = re.compile(r"^\d{1,3}([.,])\d{3}(\1\d{3})*$")
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([.,]\d{3})+)([.,]\d+)?$")


def parse_date(text: str, *, allow_month: bool = False) -> date:
    text = text.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif allow_month and (match := _YEAR_MONTH.match(text)):
        year, month, day = int(match.group(1)), int(match.group(2)), 1
    else:
        if allow_month:
            raise RowError(_("“%(text)s” is not a date (write YYYY-MM, YYYY-MM-DD or DD/MM/YYYY)") % {"text": text})
        raise RowError(_("“%(text)s” is not a date (write YYYY-MM-DD or DD/MM/YYYY)") % {"text": text})
    try:
        return date(year, month, day)
    except ValueError as error:
        raise RowError(_("the date “%(text)s” does not exist") % {"text": text}) from error


def parse_decimal(text: str, *, decimal_comma: bool) -> Decimal:
    """Read "1.234,5" and "1,234.5" alike.

    When both marks appear the last one is the decimal mark. A lone mark followed by exactly three
    digits ("1.234", "1,234") is ambiguous: it is read as the thousands mark of the file's
    convention — files separated by ";" use the decimal comma, files separated by "," the point.
    """
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    if not _NUMBER.match(cleaned):
        raise RowError(_("“%(text)s” is not a number") % {"text": text.strip()})
    sign = "-" if cleaned.startswith("-") else ""
    digits = cleaned.lstrip("+-")
    marks = [char for char in digits if char in ".,"]
    if not marks:
        number = digits
    elif len(set(marks)) == 2:
        decimal_mark = marks[-1]
        integer, fraction = digits.rsplit(decimal_mark, 1)
        number = integer.replace("." if decimal_mark == "," else ",", "") + "." + fraction
    elif len(marks) > 1:
        number = digits.replace(marks[0], "")  # several of one mark: thousands only
    else:
        mark = marks[0]
        integer, fraction = digits.split(mark)
        thousands_mark = "." if decimal_comma else ","
        number = integer + fraction if len(fraction) == 3 and mark == thousands_mark else f"{integer}.{fraction}"
    try:
        return Decimal(sign + number)
    except InvalidOperation as error:
        raise RowError(_("“%(text)s” is not a number") % {"text": text.strip()}) from error


def parse_count(text: str) -> int:
    """A whole number of followers, posts…; "1.234" and "1,234" are both one thousand two hundred…"""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(cleaned[len(cleaned) - 4], "")
    try:
        number = parse_decimal(cleaned, decimal_comma=True)
    except RowError as error:
        raise RowError(_("“%(text)s” is not a number") % {"text": text.strip()}) from error
    if number != number.to_integral_value() or number < 0:
        raise RowError(_("“%(text)s” is not a whole number of zero or more") % {"text": text.strip()})
    if number > 2_147_483_647:
        raise RowError(_("“%(text)s” is too large") % {"text": text.strip()})
    return int(number)


class _ProfileIndex:
    """Finds an owned profile by its handle as registered, or by "platform:handle"."""

    def __init__(self, org):
        self.by_handle: dict[str, list[Profile]] = {}
        self.platforms = {value for value, _label in Platform.choices} | {"twitter"}
        for profile in Profile.objects.active().filter(org=org):
            self.by_handle.setdefault(self._key(profile.handle), []).append(profile)

    @staticmethod
    def _key(handle: str) -> str:
        return handle.strip().lstrip("@").lower()

    def find(self, text: str) -> Profile:
        text = text.strip()
        if not text:
            raise RowError(_("the profile is missing"))
        platform, sep, handle = text.partition(":")
        if sep and platform.strip().lower() in self.platforms and handle.strip():
            platform = "x" if platform.strip().lower() == "twitter" else platform.strip().lower()
            candidates = [p for p in self.by_handle.get(self._key(handle), []) if p.platform == platform]
        else:
            candidates = self.by_handle.get(self._key(text), [])
        if not candidates:
            raise RowError(_("no owned profile “%(handle)s” — add it under Profiles first") % {"handle": text})
        if len(candidates) > 1:
            raise RowError(
                _("“%(handle)s” is registered on several platforms — write it as platform:handle, e.g. %(example)s")
                % {"handle": text, "example": f"{candidates[0].platform}:{candidates[0].handle}"}
            )
        return candidates[0]


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


# --- Parsers ------------------------------------------------------------------------------------


def parse_snapshots_csv(org, file, *, profile: Profile | None = None) -> ImportResult:
    """Snapshots from a CSV: date, profile, followers[, following, posts].

    A platform's own export (a "Date"/"Fecha" column and a "Followers"/"Seguidores" column, no
    profile column) is accepted when ``profile`` — chosen in the form — says whose counts they are.
    """
    try:
        return _parse_snapshots_csv(org, file, profile=profile)
    except csv.Error:
        # The csv module gives up on a cell over its size limit (128 KiB): the whole file is refused.
        result = ImportResult(kind=SNAPSHOTS, org_id=org.pk)
        result.bad_rows.append(
            (None, _("the file cannot be read as CSV: a cell is far too long or a quote is not closed"))
        )
        return result


def _parse_snapshots_csv(org, file, *, profile: Profile | None = None) -> ImportResult:
    result = ImportResult(kind=SNAPSHOTS, org_id=org.pk)
    if profile is not None and profile.org_id != org.pk:
        raise ValueError("The profile belongs to another organisation.")
    try:
        reader, header, _delimiter_used = _rows(file)
    except RowError as error:
        result.bad_rows.append((None, str(error)))
        return result
    columns = _find_columns(header, ["date", "profile", "followers", "following", "posts"])
    for required, label in (("date", _("date")), ("followers", _("followers"))):
        if required not in columns:
            result.bad_rows.append((None, _missing_column(header, label)))
    if "profile" not in columns and profile is None:
        result.bad_rows.append(
            (
                None,
                _missing_column(header, _("profile"))
                + " — "
                + _("add it, or choose the profile in the form if the file is a platform's export"),
            )
        )
    if result.bad_rows:
        return result
    profiles = _ProfileIndex(org)
    seen: dict[tuple[int, date], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(result.good_rows) + len(result.bad_rows) >= MAX_ROWS:
            result.bad_rows.append((line, _("the file has more than %(max)s rows; split it") % {"max": MAX_ROWS}))
            break
        try:
            day_text = _cell(row, columns["date"])
            if not day_text:
                raise RowError(_("the date is missing"))
            day = parse_date(day_text)
            owner = profiles.find(_cell(row, columns["profile"])) if "profile" in columns else profile
            followers_text = _cell(row, columns["followers"])
            if not followers_text:
                raise RowError(_("the number of followers is missing"))
            counts = {"followers": parse_count(followers_text)}
            for optional in ("following", "posts"):
                text = _cell(row, columns.get(optional))
                if text:
                    counts[optional] = parse_count(text)
            if (owner.pk, day) in seen:
                raise RowError(
                    _("the same profile and date are already on line %(line)s") % {"line": seen[(owner.pk, day)]}
                )
        except RowError as error:
            result.bad_rows.append((line, str(error)))
            continue
        seen[(owner.pk, day)] = line
        result.good_rows.append(
            {"line": line, "profile_id": owner.pk, "profile": owner.handle, "date": day.isoformat(), **counts}
        )
    return result


def parse_institutional_csv(org, kpi: InstitutionalKPI, file) -> ImportResult:
    """Values of one institutional KPI from a CSV: period, value[, note]."""
    try:
        return _parse_institutional_csv(org, kpi, file)
    except csv.Error:
        # The csv module gives up on a cell over its size limit (128 KiB): the whole file is refused.
        result = ImportResult(kind=INSTITUTIONAL, org_id=org.pk, kpi_id=kpi.pk)
        result.bad_rows.append(
            (None, _("the file cannot be read as CSV: a cell is far too long or a quote is not closed"))
        )
        return result


def _parse_institutional_csv(org, kpi: InstitutionalKPI, file) -> ImportResult:
    if kpi.org_id != org.pk:
        raise ValueError("The KPI belongs to another organisation.")
    result = ImportResult(kind=INSTITUTIONAL, org_id=org.pk, kpi_id=kpi.pk)
    try:
        reader, header, delimiter = _rows(file)
    except RowError as error:
        result.bad_rows.append((None, str(error)))
        return result
    columns = _find_columns(header, ["period", "value", "note"])
    for required, label in (("period", _("period")), ("value", _("value"))):
        if required not in columns:
            result.bad_rows.append((None, _missing_column(header, label)))
    if result.bad_rows:
        return result
    note_max = InstitutionalValue._meta.get_field("note").max_length
    seen: dict[date, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(result.good_rows) + len(result.bad_rows) >= MAX_ROWS:
            result.bad_rows.append((line, _("the file has more than %(max)s rows; split it") % {"max": MAX_ROWS}))
            break
        try:
            period_text = _cell(row, columns["period"])
            if not period_text:
                raise RowError(_("the period is missing"))
            period = parse_date(period_text, allow_month=True)
            value_text = _cell(row, columns["value"])
            if not value_text:
                raise RowError(_("the value is missing"))
            value = parse_decimal(value_text, decimal_comma=delimiter == ";")
            if abs(value) >= MAX_VALUE:
                raise RowError(_("“%(text)s” is too large") % {"text": value_text})
            value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            note = _cell(row, columns.get("note"))
            if len(note) > note_max:
                raise RowError(_("the note is longer than %(max)s characters") % {"max": note_max})
            if period in seen:
                raise RowError(_("the same period is already on line %(line)s") % {"line": seen[period]})
        except RowError as error:
            result.bad_rows.append((line, str(error)))
            continue
        seen[period] = line
        result.good_rows.append({"line": line, "period_start": period.isoformat(), "value": str(value), "note": note})
    return result


# --- Saving -------------------------------------------------------------------------------------


@transaction.atomic
def import_commit(result: ImportResult, origin: str = ProfileSnapshot.Origin.CSV) -> int:
    """Save the good rows (update_or_create, so a second import of the same file changes nothing).

    Rows are checked again against the organisation: they may have waited in a session meanwhile,
    and a profile archived since then is skipped. Returns the number of rows saved.
    """
    saved = 0
    if result.kind == SNAPSHOTS:
        profiles = set(
            Profile.objects.active()
            .filter(org_id=result.org_id, pk__in={row["profile_id"] for row in result.good_rows})
            .values_list("pk", flat=True)
        )
        for row in result.good_rows:
            if row["profile_id"] not in profiles:
                continue
            # Only the counts the file has: a platform export with followers alone must not erase
            # the posts count collected by polling.
            defaults = {"org_id": result.org_id, "origin": origin, "followers": row["followers"]}
            defaults.update({key: row[key] for key in ("following", "posts") if key in row})
            ProfileSnapshot.objects.update_or_create(
                profile_id=row["profile_id"], date=date.fromisoformat(row["date"]), defaults=defaults
            )
            saved += 1
    elif result.kind == INSTITUTIONAL:
        kpi = InstitutionalKPI.objects.filter(org_id=result.org_id, pk=result.kpi_id).first()
        if kpi is None:
            return 0
        for row in result.good_rows:
            InstitutionalValue.objects.update_or_create(
                kpi=kpi,
                period_start=date.fromisoformat(row["period_start"]),
                defaults={"org_id": result.org_id, "value": Decimal(row["value"]), "note": row["note"]},
            )
            saved += 1
    else:
        raise ValueError(f"Unknown import kind {result.kind!r}")
    return saved
