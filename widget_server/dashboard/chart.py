"""The daily chart as SVG geometry: a bar of clicks per day with its conversations inside."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, AXIS = 720, 200, 24


@dataclass(frozen=True)
class Bar:
    """One day's column: clicks as the outer bar, conversations as the inner one."""

    day: date
    x: float
    width: float
    clicks_y: float
    clicks_height: float
    conversations_y: float
    conversations_height: float
    clicks: int
    conversations: int


def bars(days: list[tuple[date, Counter]]) -> tuple[list[Bar], int]:
    """Lay out one bar per day on a shared scale; return the bars and the scale's top."""
    top = max([counts["clicks"] for _, counts in days] + [1])
    step = WIDTH / max(len(days), 1)
    width = max(step * 0.7, 1.0)
    plot = HEIGHT - AXIS
    laid = []
    for n, (day, counts) in enumerate(days):
        clicks_h = plot * counts["clicks"] / top
        conv_h = plot * counts["conversations"] / top
        laid.append(
            Bar(day, n * step + (step - width) / 2, width, plot - clicks_h, clicks_h,
                plot - conv_h, conv_h, counts["clicks"], counts["conversations"])
        )  # fmt: skip
    return laid, top
