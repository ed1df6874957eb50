"""CSV helpers shared by the exports of the people half."""

import csv
import io

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): "=HYPERLINK(…)".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: list[str], rows) -> str:
    """Rows as CSV text (UTF-8 with BOM added by the caller if needed), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()
