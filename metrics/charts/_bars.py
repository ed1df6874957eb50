"""Horizontal bar chart: rankings such as top authors or hashtags, where long category names need room."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from metrics.charts._core import (
    AXIS,
    GRID,
    INK,
    PALETTE,
    SMALL,
    WIDTH,
    Formatter,
    all_integers,
    data_table,
    empty_figure,
    figure,
    format_number,
    make_id,
    nice_ticks,
    num,
    svg_open,
    text,
    text_width,
    tick_decimals,
    truncate,
)

ROW = 26  # one category per row
BAR = 16
LABEL_CHARS = 30  # longer names are shortened in the SVG (the table keeps them whole)


def bar_chart(
    *,
    title: str,
    categories: list[str],
    values: list[float | None],
    value_label: str = "",
    value_format: Formatter | None = None,
    color: str | None = None,
    chart_id: str | None = None,
    total: bool = True,
) -> SafeString:
    """Horizontal bars in the given order, each with its value printed at the end of the bar.

    ``value_label`` names the measure (table header); ``total=False`` drops the sum from the summary sentence.
    """
    chart_id = make_id(title, chart_id)
    if len(categories) != len(values):
        raise ValueError(f"{len(categories)} categories but {len(values)} values.")
    present = [(c, v) for c, v in zip(categories, values, strict=True) if v is not None]
    if not present:
        return empty_figure(chart_id, title)
    fmt = value_format or (lambda value: format_number(value))
    numbers = [v for _, v in present]
    ticks = nice_ticks(min(numbers), max(numbers), count=4, integers=all_integers(numbers) and not value_format)
    decimals = tick_decimals(ticks)
    tick_fmt = value_format or (lambda value: format_number(value, decimals))
    labels = [truncate(c, LABEL_CHARS) for c in categories]
    left = min(max(text_width(label, SMALL) for label in labels), 220) + 14
    right = WIDTH - max(text_width(fmt(v), SMALL) for v in numbers) - 14
    top, bottom = 8, 8 + ROW * len(categories)
    height = bottom + 26
    low, high = ticks[0], ticks[-1]

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    fill = color or PALETTE[0]
    body = ['<g class="grid axis axis-x">']
    for tick in ticks:
        body.append(
            f'<line x1="{num(x(tick))}" x2="{num(x(tick))}" y1="{top}" y2="{bottom}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>'
        )
        body.append(text(x(tick), bottom + 17, tick_fmt(tick), anchor="middle"))
    body.append("</g>")
    zero = x(0)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        middle = top + ROW * i + ROW / 2
        body.append(text(left - 8, middle + 4, label, anchor="end", fill=INK, class_="category"))
        if value is None:
            body.append(text(zero + 6, middle + 4, "—", fill=INK))
            continue
        start, end = sorted((zero, x(value)))
        tip = f"{categories[i]}: {fmt(value)}"
        body.append(
            f'<rect x="{num(start)}" y="{num(middle - BAR / 2)}" width="{num(max(end - start, 1))}" height="{BAR}" '
            f'fill="{fill}" rx="2"><title>{escape(tip)}</title></rect>'
        )
        # Negative bars point left, so their label goes on the left of the bar end.
        if value < 0:
            body.append(text(start - 6, middle + 4, fmt(value), anchor="end", fill=INK, class_="value"))
        else:
            body.append(text(end + 6, middle + 4, fmt(value), fill=INK, class_="value"))
    high_item = max(present, key=lambda pair: pair[1])
    low_item = min(present, key=lambda pair: pair[1])
    phrases = [
        gettext("highest %(label)s with %(value)s") % {"label": high_item[0], "value": fmt(high_item[1])},
        gettext("lowest %(label)s with %(value)s") % {"label": low_item[0], "value": fmt(low_item[1])},
    ]
    if total:
        phrases.append(gettext("total %(value)s") % {"value": fmt(sum(numbers))})
    count = ngettext("%(count)s item", "%(count)s items", len(present)) % {"count": format_number(len(present))}
    description = f"{title} ({count}): {', '.join(phrases)}."
    table = data_table(
        title,
        [gettext("Item"), value_label or gettext("Value")],
        [[c, "—" if v is None else fmt(v)] for c, v in zip(categories, values, strict=True)],
    )
    return figure(chart_id, title, description, "".join(body), svg_open(chart_id, height, " chart-bar"), table)
