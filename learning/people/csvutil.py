"""CSV helpers shared by the exports of the people half."""

import csv
import io

from mesm.csvsafe import FORMULA_STARTS, csv_safe  # noqa: F401  (re-exported for this half)


def csv_text(header: list[str], rows) -> str:
    """Rows as CSV text (UTF-8 with BOM added by the caller if needed), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()
