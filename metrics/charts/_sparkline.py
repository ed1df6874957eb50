"""Word-sized trend line for KPI cards and table cells: no axes, no table, just an accessible label."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from metrics.charts._core import AXIS, PALETTE, format_number, format_percent, num

SPARK_WIDTH, SPARK_HEIGHT, PAD = 120, 32, 4


def _change_phrase(first: float, last: float) -> str:
    change = last - first
    if change == 0:
        return gettext("no change")
    words = gettext("up %(change)s") if change > 0 else gettext("down %(change)s")
    phrase = words % {"change": format_number(abs(change))}
    if first:
        percent = change / abs(first) * 100
        sign = "+" if percent > 0 else "−"
        phrase += f" ({sign}{format_percent(abs(percent), 0 if abs(percent) >= 10 else 1)})"
    return phrase


def sparkline_label(values: list[float | None], label: str) -> str:
    """``Mentions: from 10 to 15, up 5 (+50%)`` — the first and last known values and the change between them."""
    present = [v for v in values if v is not None]
    if not present:
        no_data = gettext("no data")
        return f"{label}: {no_data}"
    if len(present) == 1:
        return f"{label}: {format_number(present[0])}"
    first, last = present[0], present[-1]
    base = gettext("%(label)s: from %(first)s to %(last)s") % {
        "label": label,
        "first": format_number(first),
        "last": format_number(last),
    }
    return f"{base}, {_change_phrase(first, last)}"


def sparkline(*, values: list[float | None], label: str, color: str | None = None) -> SafeString:
    """A 120×32 inline SVG line (gaps for ``None``) with a dot on the latest value."""
    stroke = color or PALETTE[0]
    aria = escape(sparkline_label(values, label))
    present = [v for v in values if v is not None]
    body = ""
    if present:
        low, high = min(present), max(present)
        span = (high - low) or 1
        # A flat series sits in the middle rather than glued to the bottom edge.
        offset = 0 if high > low else (SPARK_HEIGHT - 2 * PAD) / 2
        step = (SPARK_WIDTH - 2 * PAD) / max(len(values) - 1, 1)

        def point(i: int, v: float) -> tuple[float, float]:
            y = SPARK_HEIGHT - PAD - (v - low) / span * (SPARK_HEIGHT - 2 * PAD) - offset
            return PAD + i * step, y

        segments, current = [], []
        for i, v in enumerate([*values, None]):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(point(i, v))
        for seg in segments:
            if len(seg) == 1:
                body += f'<circle cx="{num(seg[0][0])}" cy="{num(seg[0][1])}" r="1.5" fill="{stroke}"/>'
            else:
                d = "M" + " L".join(f"{num(x)} {num(y)}" for x, y in seg)
                body += (
                    f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="1.75" '
                    f'stroke-linejoin="round" stroke-linecap="round"/>'
                )
        last_index = max(i for i, v in enumerate(values) if v is not None)
        x, y = point(last_index, values[last_index])
        body += f'<circle cx="{num(x)}" cy="{num(y)}" r="2.5" fill="{stroke}"/>'
    else:
        middle = SPARK_HEIGHT / 2
        body = (
            f'<line x1="{PAD}" x2="{SPARK_WIDTH - PAD}" y1="{middle}" y2="{middle}" stroke="{AXIS}" '
            f'stroke-dasharray="3 3"/>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" aria-label="{aria}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'style="vertical-align: middle">{body}</svg>'
    )
    # Safe: the only outside text is the label, escaped into ``aria``; the rest is numbers we formatted.
    return mark_safe(svg)  # noqa: S308
