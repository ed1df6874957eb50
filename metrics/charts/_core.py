"""Shared pieces of the SVG charts: data type, palette, number/date formatting, axis ticks and the figure wrapper.

Everything here produces strings. Every piece of user data goes through ``escape`` before it is concatenated, which is
why the final ``mark_safe`` in :func:`figure` is sound.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext

Number = float | int
Formatter = Callable[[float], str]
XLabel = datetime.date | str

# Okabe–Ito, with orange and sky blue darkened so every colour reaches 3:1 against white (WCAG non-text contrast).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A66A00", "#1F77B4")
# Colour is never the only cue: each series also gets its own dash pattern and marker shape.
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2", "14 4")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross")

INK = "#1f2937"  # titles and value labels
MUTED = "#4b5563"  # tick labels (7:1 on white, still quieter than the data)
GRID = "#e5e7eb"
AXIS = "#9ca3af"
FONT_SIZE = 12  # viewBox units; 640 wide ≈ A4 text width, so 12 reads as ~9pt in the PDF
SMALL = 11
WIDTH = 640


@dataclass
class Series:
    """One named sequence of values; ``None`` marks a missing value and is drawn as a gap."""

    label: str
    values: list[float | None] = field(default_factory=list)
    color: str | None = None


def colour(series: Series, index: int) -> str:
    return series.color or PALETTE[index % len(PALETTE)]


# --- formatting ------------------------------------------------------------------------------------------------------


def auto_decimals(value: float) -> int:
    """Show as few decimals as the value needs (at most two), so counts stay integers."""
    rounded = round(value, 2)
    if float(rounded).is_integer():
        return 0
    return 1 if round(value, 1) == rounded else 2


def format_number(value: float | None, decimals: int | None = None) -> str:
    """Localised number with grouping: ``1.234,5`` in Spanish, ``1,234.5`` in English. ``None`` becomes a dash."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = auto_decimals(value)
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_percent(value: float | None, decimals: int | None = None) -> str:
    """A value already expressed in percent (12.5 → ``12,5 %`` / ``12.5%``)."""
    if value is None:
        return "—"
    return gettext("%(value)s%%") % {"value": format_number(value, decimals)}


def short_label(x: XLabel) -> str:
    """Compact x-axis label: ``12 Nov`` for dates, the text itself otherwise."""
    if isinstance(x, datetime.date):
        return date_format(x, "j M")
    return str(x)


def long_label(x: XLabel) -> str:
    """Table label: the locale's short date (``12/11/2026``) for dates."""
    if isinstance(x, datetime.date):
        return date_format(x, "SHORT_DATE_FORMAT")
    return str(x)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width. We cannot measure fonts server-side; 0.6em per character errs on the wide side."""
    return len(text) * size * 0.6


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def num(value: float) -> str:
    """Coordinates for the SVG itself: plain dot decimal, never localised."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- axis ticks ------------------------------------------------------------------------------------------------------

NICE_STEPS = (1, 2, 2.5, 5, 10)


def nice_step(span: float, count: int = 5, integers: bool = False) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in NICE_STEPS:
        step = multiple * magnitude
        # Counts (mentions, posts) cannot be fractional, so a 0.5 or 2.5 step would label impossible values.
        if integers and not float(step).is_integer():
            continue
        if step >= raw:
            return step
    return 10 * magnitude


def nice_ticks(low: float, high: float, count: int = 5, integers: bool = False) -> list[float]:
    """Round ticks (1, 2, 2.5 or 5 × 10ⁿ) from 0 — or below 0 when there are negatives — up to at least ``high``."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    step = nice_step(high - low, count, integers)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    steps = round((stop - start) / step)
    # Rounding guards against 0.30000000000000004-style labels.
    return [round(start + i * step, 10) for i in range(steps + 1)]


def tick_decimals(ticks: Sequence[float]) -> int:
    return max((auto_decimals(t) for t in ticks), default=0)


def all_integers(values: Sequence[float | None]) -> bool:
    return all(float(v).is_integer() for v in values if v is not None)


def thin_step(labels: Sequence[str], slot: float, size: float = SMALL) -> int:
    """Show every n-th x label so that neighbours never overlap (with a small gap between them)."""
    widest = max((text_width(label, size) for label in labels), default=0) + 8
    return max(1, math.ceil(widest / max(slot, 1)))


# --- ids -------------------------------------------------------------------------------------------------------------

_counter = itertools.count(1)


def make_id(title: str, chart_id: str | None) -> str:
    """Readable id from the title plus a process-wide counter, so two charts with the same title never share ids."""
    if chart_id:
        return slugify(chart_id) or "chart"
    return f"chart-{slugify(title)[:40] or 'untitled'}-{next(_counter)}"


# --- words -----------------------------------------------------------------------------------------------------------


def is_dates(x_labels: Sequence[XLabel]) -> bool:
    return bool(x_labels) and all(isinstance(x, datetime.date) for x in x_labels)


def period_phrase(x_labels: Sequence[XLabel]) -> str:
    """``from 1 Nov to 30 Nov 2026`` (year only once when both ends share it)."""
    first, last = x_labels[0], x_labels[-1]
    if is_dates(x_labels):
        start_format = "j M" if first.year == last.year else "j M Y"
        return pgettext("range of dates", "from %(start)s to %(end)s") % {
            "start": date_format(first, start_format),
            "end": date_format(last, "j M Y"),
        }
    return gettext("from %(start)s to %(end)s") % {"start": first, "end": last}


def stats_phrases(
    values: Sequence[float | None], x_labels: Sequence[XLabel], fmt: Formatter, with_total: bool
) -> list[str]:
    """``highest 42 on 12 Nov``, ``lowest 3 on 2 Nov``, ``total 512`` for one series (first occurrence wins ties)."""
    present = [(v, x) for v, x in zip(values, x_labels, strict=False) if v is not None]
    if not present:
        return [gettext("no data")]
    dates = isinstance(present[0][1], datetime.date)
    high = max(present, key=lambda pair: pair[0])
    low = min(present, key=lambda pair: pair[0])
    if dates:
        phrases = [
            pgettext("on a date", "highest %(value)s on %(at)s") % {"value": fmt(high[0]), "at": short_label(high[1])},
            pgettext("on a date", "lowest %(value)s on %(at)s") % {"value": fmt(low[0]), "at": short_label(low[1])},
        ]
    else:
        phrases = [
            gettext("highest %(value)s in %(at)s") % {"value": fmt(high[0]), "at": high[1]},
            gettext("lowest %(value)s in %(at)s") % {"value": fmt(low[0]), "at": low[1]},
        ]
    if with_total:
        phrases.append(gettext("total %(value)s") % {"value": fmt(sum(v for v, _ in present))})
    return phrases


def series_sentence(
    series: Sequence[Series],
    x_labels: Sequence[XLabel],
    formats: Sequence[Formatter],
    with_total: bool,
) -> str:
    """One sentence: ``Mentions from 1 Nov to 30 Nov 2026: highest 42 on 12 Nov, …; Posts: highest …``."""
    clauses = []
    for index, (one, fmt) in enumerate(zip(series, formats, strict=False)):
        subject = f"{one.label} {period_phrase(x_labels)}" if index == 0 else one.label
        details = ", ".join(stats_phrases(one.values, x_labels, fmt, with_total))
        clauses.append(f"{subject}: {details}")
    return "; ".join(clauses) + "."


# --- figure ----------------------------------------------------------------------------------------------------------


def svg_open(chart_id: str, height: float, extra_class: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg{extra_class}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {num(height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" style="font-family: inherit; max-width: 100%; height: auto" '
        f'font-size="{FONT_SIZE}">'
    )


def data_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The chart's numbers as a real table, folded away in ``<details>`` for screen readers and copy-paste."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="num">{escape(cell)}</td>' for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    # gettext outside the f-string: xgettext does not see calls inside f-string braces.
    show = escape(gettext("Show the data"))
    return (
        f'<details class="chart-data"><summary>{show}</summary>'
        f'<table class="chart-table"><caption>{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>"
    )


def figure(chart_id: str, title: str, description: str, svg_body: str, svg_head: str, table: str) -> SafeString:
    """Assemble ``<figure>``: the SVG (title + desc for assistive tech), a visible caption and the data table."""
    svg = (
        f'{svg_head}<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{svg_body}</svg>'
    )
    html = (
        f'<figure class="chart" id="{chart_id}">{svg}'
        f'<figcaption class="chart-caption">{escape(title)}</figcaption>{table}</figure>'
    )
    # Safe: every label, title and formatted number above went through escape(); the rest is our own markup.
    return mark_safe(html)  # noqa: S308


def empty_figure(chart_id: str, title: str) -> SafeString:
    message = escape(gettext("No data for this period."))
    html = (
        f'<figure class="chart chart-empty" id="{chart_id}">'
        f'<figcaption class="chart-caption">{escape(title)}</figcaption>'
        f'<p class="chart-empty-message">{message}</p></figure>'
    )
    return mark_safe(html)  # noqa: S308  (title escaped above)


def text(
    x: float, y: float, content: str, *, anchor: str = "start", size: int = SMALL, fill: str = MUTED, **attrs
) -> str:
    # ``class_`` → ``class``, ``font_weight`` → ``font-weight``.
    extra = "".join(f' {key.rstrip("_").replace("_", "-")}="{value}"' for key, value in attrs.items())
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def marker(shape: str, x: float, y: float, fill: str, r: float = 3.5) -> str:
    """Distinct point shapes so series differ in form, not only in colour."""
    if shape == "circle":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"/>'
    if shape == "square":
        return f'<rect x="{num(x - r)}" y="{num(y - r)}" width="{num(2 * r)}" height="{num(2 * r)}" fill="{fill}"/>'
    if shape == "cross":
        d = f"M{num(x - r)} {num(y - r)}L{num(x + r)} {num(y + r)}M{num(x - r)} {num(y + r)}L{num(x + r)} {num(y - r)}"
        return f'<path d="{d}" stroke="{fill}" stroke-width="2" fill="none"/>'
    points = {
        "triangle": [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)],
        "triangle-down": [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)],
        "diamond": [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)],
    }[shape]
    return f'<polygon points="{" ".join(f"{num(px)},{num(py)}" for px, py in points)}" fill="{fill}"/>'


def legend(items: Sequence[tuple[str, str]], y: float, left: float, right: float) -> tuple[str, float]:
    """Lay out ``(swatch, label)`` items left to right, wrapping into rows; returns the SVG and the height used.

    ``swatch`` is SVG drawn around the origin and 24 units wide (a line with its marker, or a filled box).
    """
    parts, x, row_y = [], left, y
    for swatch, label in items:
        width = 30 + text_width(label, SMALL) + 18
        if x + width > right and x > left:
            x, row_y = left, row_y + 18
        parts.append(
            f'<g class="legend-item" transform="translate({num(x)},{num(row_y)})">{swatch}'
            + text(30, 4, label, size=SMALL, fill=INK)
            + "</g>"
        )
        x += width
    return '<g class="legend">' + "".join(parts) + "</g>", row_y - y + 18
