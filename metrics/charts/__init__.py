"""Server-side SVG charts shared by the HTML dashboards and the WeasyPrint PDF reports.

Each chart function returns a ``SafeString`` holding an accessible ``<figure>``: an inline SVG with ``<title>`` and a
one-sentence ``<desc>`` computed from the data, a visible ``<figcaption>``, and the numbers as a table inside
``<details>``. No JavaScript, so the same markup works in the browser and in the PDF.

    from metrics.charts import Series, line_chart
    line_chart(title="Mentions per day", series=[Series("Mentions", [3, 42, None, 8])], x_labels=days)
"""

from metrics.charts._bars import bar_chart
from metrics.charts._core import PALETTE, Series, format_number, format_percent, nice_ticks
from metrics.charts._dual import dual_axis_chart
from metrics.charts._line import line_chart
from metrics.charts._sparkline import sparkline, sparkline_label
from metrics.charts._stacked import stacked_bar_chart

__all__ = [
    "PALETTE",
    "Series",
    "bar_chart",
    "dual_axis_chart",
    "format_number",
    "format_percent",
    "line_chart",
    "nice_ticks",
    "sparkline",
    "sparkline_label",
    "stacked_bar_chart",
]
