"""The date ranges of the overview: today, the last 7 or 30 days, or chosen UTC days."""

from dataclasses import dataclass
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from widget_server.models import utcnow

PRESETS = {"today": 1, "7d": 7, "30d": 30}
LONGEST = 366


class RangeError(ValueError):
    """A range the page cannot show, with what to change."""


@dataclass(frozen=True)
class DayRange:
    """Whole UTC days from first to last, both included."""

    name: str
    first: date
    last: date

    def query(self) -> dict[str, str]:
        """Return the query arguments that select this range again."""
        if self.name in PRESETS:
            return {"range": self.name}
        return {"range": "custom", "from": self.first.isoformat(), "to": self.last.isoformat()}


def parse(args: MultiDict) -> DayRange:
    """Read `range` (today, 7d, 30d or custom with `from` and `to`, YYYY-MM-DD); default 30d."""
    name = args.get("range", "30d")
    today = utcnow().date()
    if name in PRESETS:
        return DayRange(name, today - timedelta(days=PRESETS[name] - 1), today)
    if name != "custom":
        raise RangeError("range must be today, 7d, 30d or custom")
    first, last = _day(args, "from"), _day(args, "to")
    if first > last:
        raise RangeError("the first day must not be after the last")
    if (last - first).days >= LONGEST:
        raise RangeError(f"a range spans at most {LONGEST} days")
    return DayRange(name, first, last)


def _day(args: MultiDict, name: str) -> date:
    raw = args.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RangeError(f"{name} must be a day written YYYY-MM-DD") from None
