"""The overview's table as CSV, with a totals line that matches the attribution API's rows."""

import csv
import io

from widget_server.dashboard.funnel import GROUPINGS, Overview

MEASURES = ("sessions", "clicks", "conversations", "leads", "won", "value")
HEADERS = ("sessions", "clicks", "conversations", "leads", "won", "won_value")


def rate(part: int, whole: int) -> float:
    """Return part of whole as a percentage, 0 when there is nothing."""
    return round(100 * part / whole, 1) if whole else 0.0


def table_csv(summary: Overview, grouping: str) -> str:
    """Render one table of the overview, its rows by sessions, then a totals line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = GROUPINGS[grouping]
    writer.writerow([*columns, *HEADERS, "conversion_rate_percent"])
    rows = sorted(
        summary.tables[grouping].items(), key=lambda item: (-item[1]["sessions"], item[0])
    )
    for key, cell in rows:
        writer.writerow([*(_safe(part) for part in key), *(cell[m] for m in MEASURES),
                         rate(cell["conversations"], cell["sessions"])])  # fmt: skip
    totals = summary.totals
    writer.writerow(["total", *[""] * (len(columns) - 1), *(totals[m] for m in MEASURES),
                     rate(totals["conversations"], totals["sessions"])])  # fmt: skip
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets: campaign names are visitors'.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
