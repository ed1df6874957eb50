"""Stacked columns per period, e.g. mentions per day by platform or sentiment over time."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from metrics.charts._cartesian import (
    Frame,
    axis_title,
    check_lengths,
    layout_top,
    period_header,
    table_cell,
    tick_formatter,
    tick_width,
    value_formatter,
    x_axis,
    y_grid,
)
from metrics.charts._core import (
    AXIS,
    INK,
    WIDTH,
    Formatter,
    Series,
    XLabel,
    all_integers,
    colour,
    data_table,
    empty_figure,
    figure,
    long_label,
    make_id,
    nice_ticks,
    num,
    period_phrase,
    short_label,
    stats_phrases,
    svg_open,
    text,
    text_width,
)

# Fills for stacked segments: a texture per series so neighbours differ in pattern as well as hue.
HATCHES = (
    "",
    "M-1 1L1 -1M0 6L6 0M5 7L7 5",  # diagonal
    "M3 3h0.01",  # dots (round caps make the dot)
    "M0 0L6 6M6 0L0 6",  # cross-hatch
    "M0 3H6",  # horizontal
    "M-1 5L1 7M0 0L6 6M5 -1L7 1",  # reverse diagonal
)


def _fill(chart_id: str, index: int, color: str) -> tuple[str, str]:
    """Return (defs, fill attribute value) for a stacked segment."""
    hatch = HATCHES[index % len(HATCHES)]
    if not hatch:
        return "", color
    pattern_id = f"{chart_id}-fill-{index}"
    width = "2.6" if hatch.startswith("M3 3") else "1.4"
    defs = (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{color}"/>'
        f'<path d="{hatch}" stroke="#ffffff" stroke-opacity="0.55" stroke-width="{width}" stroke-linecap="round"/>'
        f"</pattern>"
    )
    return defs, f"url(#{pattern_id})"


def stacked_bar_chart(
    *,
    title: str,
    x_labels: list[XLabel],
    series: list[Series],
    y_label: str = "",
    y_format: Formatter | None = None,
    height: int = 260,
    chart_id: str | None = None,
) -> SafeString:
    """Stacked columns per period (e.g. mentions per day by platform). Stacks are for counts: negatives count as 0."""
    chart_id = make_id(title, chart_id)
    check_lengths(x_labels, series)
    present = [v for one in series for v in one.values if v is not None]
    if not present:
        return empty_figure(chart_id, title)
    fmt = value_formatter(y_format)
    totals: list[float | None] = []
    for i in range(len(x_labels)):
        column = [one.values[i] for one in series if one.values[i] is not None]
        totals.append(sum(max(v, 0) for v in column) if column else None)
    ticks = nice_ticks(0, max(t for t in totals if t is not None), integers=all_integers(present) and not y_format)
    tick_fmt = tick_formatter(ticks, y_format)
    left = tick_width(ticks, tick_fmt) + 12 + (22 if y_label else 0)
    defs, fills = [], []
    for i, one in enumerate(series):
        definition, fill = _fill(chart_id, i, colour(one, i))
        defs.append(definition)
        fills.append(fill)
    items = [
        (f'<rect x="2" y="-6" width="20" height="12" fill="{fill}" stroke="{colour(one, i)}"/>', one.label)
        for i, (one, fill) in enumerate(zip(series, fills, strict=True))
    ]
    legend_svg, top = layout_top(items, left, WIDTH - 16)
    frame = Frame(left, WIDTH - 16, top, height - 28, ticks, len(x_labels))
    bar = min(frame.slot * 0.72, 56)
    body = [f"<defs>{''.join(defs)}</defs>", legend_svg, y_grid(frame, tick_fmt)]
    show_totals = all(text_width(fmt(t), 10) <= frame.slot - 2 for t in totals if t is not None)
    for i, x_label in enumerate(x_labels):
        base, x = 0.0, frame.x(i) - bar / 2
        for index, one in enumerate(series):
            value = one.values[i]
            if not value or value < 0:
                continue
            y_top, y_bottom = frame.y(base + value), frame.y(base)
            tip = f"{one.label} · {short_label(x_label)}: {fmt(value)}"
            # A thin white outline separates adjacent segments even where colours are similar.
            body.append(
                f'<rect class="segment series-{index}" x="{num(x)}" y="{num(y_top)}" width="{num(bar)}" '
                f'height="{num(y_bottom - y_top)}" fill="{fills[index]}" stroke="#ffffff" stroke-width="0.75">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += value
        if show_totals and totals[i]:
            body.append(text(frame.x(i), frame.y(base) - 4, fmt(totals[i]), anchor="middle", size=10, fill=INK))
    # Redraw the baseline over the segments' white outlines so the columns sit on a crisp axis.
    body.append(
        f'<line x1="{num(frame.left)}" x2="{num(frame.right)}" y1="{num(frame.bottom)}" y2="{num(frame.bottom)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    body += [x_axis(frame, x_labels), axis_title(y_label, 14, frame, -90)]
    by_series = ", ".join(f"{one.label} {fmt(sum(v for v in one.values if v is not None))}" for one in series)
    description = (
        f"{title} {period_phrase(x_labels)}: {', '.join(stats_phrases(totals, x_labels, fmt, True))}; "
        + gettext("by series: %(list)s") % {"list": by_series}
        + "."
    )
    table = data_table(
        title,
        [period_header(x_labels)] + [one.label for one in series] + [gettext("Total")],
        [
            [long_label(x)] + [table_cell(fmt, one.values[i]) for one in series] + [table_cell(fmt, totals[i])]
            for i, x in enumerate(x_labels)
        ],
    )
    return figure(chart_id, title, description, "".join(body), svg_open(chart_id, height, " chart-stacked"), table)
