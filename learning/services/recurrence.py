"""Recurring sessions as RFC 5545 recurrence rules, from a friendly form and back to dates.

Times are wall-clock times in the organisation's time zone: a session "every first Tuesday at
10:00" stays at 10:00 local time across a daylight-saving change. dateutil's rrule keeps the
wall-clock time of an aware ``dtstart`` (it combines each date with the start's time and tzinfo),
and zoneinfo then gives each occurrence its own UTC offset.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from dateutil import rrule as du_rrule
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FREQUENCIES = ("WEEKLY", "MONTHLY")


class RecurrenceError(ValueError):
    """The friendly fields do not make a valid rule (message in plain words)."""


def rrule_build(
    *,
    frequency: str,
    interval: int,
    weekday: int,
    week_of_month: int | None,
    until: date | None,
    count: int | None,
    time_of_day: time,
    tz: zoneinfo.ZoneInfo,
) -> str:
    """The RRULE value (without "RRULE:") for the friendly fields; UNTIL is in UTC as RFC 5545 asks
    when DTSTART carries a time zone."""
    if frequency not in FREQUENCIES:
        raise RecurrenceError(_("Choose weekly or monthly."))
    if not 1 <= int(interval) <= 12:
        raise RecurrenceError(_("Repeat every 1 to 12 weeks or months."))
    if not 0 <= int(weekday) <= 6:
        raise RecurrenceError(_("Choose a day of the week."))
    if until and count:
        raise RecurrenceError(_("Give an end date or a number of sessions, not both."))
    day = WEEKDAY_CODES[int(weekday)]
    if frequency == "MONTHLY":
        if week_of_month not in (1, 2, 3, 4, -1):
            raise RecurrenceError(_("For monthly sessions, choose which week of the month."))
        day = f"{week_of_month}{day}"
    parts = [f"FREQ={frequency}"]
    if int(interval) != 1:
        parts.append(f"INTERVAL={int(interval)}")
    parts.append(f"BYDAY={day}")
    if until:
        last_moment = datetime.combine(until, time_of_day, tzinfo=tz)
        parts.append("UNTIL=" + last_moment.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ"))
    elif count:
        parts.append(f"COUNT={int(count)}")
    return ";".join(parts)


def rule_for(recurring, tz: zoneinfo.ZoneInfo) -> du_rrule.rrule:
    start = datetime.combine(recurring.start_date, recurring.time, tzinfo=tz)
    return du_rrule.rrulestr(recurring.rrule, dtstart=start)


def occurrences(recurring, tz: zoneinfo.ZoneInfo, *, after: datetime | None = None, limit: int = 6) -> list[datetime]:
    """The next ``limit`` sessions after ``after`` (default: from the start), aware, in ``tz``."""
    rule = rule_for(recurring, tz)
    if after is None:
        after = datetime.combine(recurring.start_date, recurring.time, tzinfo=tz) - timedelta(seconds=1)
    return [moment.astimezone(tz) for moment in rule.xafter(after, count=limit, inc=False)]


def first_occurrence(recurring, tz: zoneinfo.ZoneInfo) -> datetime | None:
    found = occurrences(recurring, tz, limit=1)
    return found[0] if found else None


def describe(recurring) -> str:
    """ "Monthly, on the first Tuesday, at 10:00, 6 sessions" in the active language."""
    weekday = str(recurring.Weekday(recurring.weekday).label)
    at = formats.time_format(recurring.time, "TIME_FORMAT")
    if recurring.frequency == "WEEKLY":
        text = ngettext(
            "Every week on %(day)s at %(time)s", "Every %(n)s weeks on %(day)s at %(time)s", recurring.interval
        ) % {"n": recurring.interval, "day": weekday, "time": at}
    else:
        which = str(recurring.WeekOfMonth(recurring.week_of_month).label) if recurring.week_of_month else ""
        text = ngettext(
            "Every month on the %(which)s %(day)s at %(time)s",
            "Every %(n)s months on the %(which)s %(day)s at %(time)s",
            recurring.interval,
        ) % {"n": recurring.interval, "which": which, "day": weekday, "time": at}
    if recurring.until:
        text += ", " + _("until %(date)s") % {"date": formats.date_format(recurring.until, "SHORT_DATE_FORMAT")}
    elif recurring.count:
        text += ", " + ngettext("%(n)s session", "%(n)s sessions", recurring.count) % {"n": recurring.count}
    return text
