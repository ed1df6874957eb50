"""CSV cells that spreadsheets cannot run (CSV or formula injection).

Spreadsheet programs treat a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula, so a mention text like ``=HYPERLINK("http://evil", "ver")`` would become a
live link in the export. Every text cell of every export goes through ``csv_safe``: such text gets a
leading apostrophe, which spreadsheets hide. Numbers are written as they are (a negative number is
data, not a formula).
"""

from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str | int | float | Decimal:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_safe_row(row) -> list:
    return [csv_safe(cell) for cell in row]
