"""Report widget.js's raw and gzipped size against its 2 KB budget.

The baseline, measured in the same run, is the gzip of an empty IIFE: the floor that any
script pays for gzip's own header and trailer.
"""

import gzip
from pathlib import Path

WIDGET_JS = Path(__file__).resolve().parents[1] / "static" / "widget.js"
BUDGET = 2048
EMPTY_IIFE = b"(() => {})();\n"


def gzipped(data: bytes, level: int) -> int:
    """Return the gzipped size of data at a compression level."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def main():
    """Print the sizes and their ratios."""
    source = WIDGET_JS.read_bytes()
    best, usual, floor = gzipped(source, 9), gzipped(source, 6), gzipped(EMPTY_IIFE, 9)
    print(f"widget.js raw            {len(source):6d} bytes")
    print(f"widget.js gzip -9        {best:6d} bytes")
    print(f"widget.js gzip -6        {usual:6d} bytes  (a typical server's default level)")
    print(f"baseline: empty IIFE gz  {floor:6d} bytes")
    print(f"budget                   {BUDGET:6d} bytes")
    print(
        f"ratio gzip/budget        {best / BUDGET:6.2f}  ({'within' if best <= BUDGET else 'OVER'})"
    )
    print(f"ratio gzip/raw           {best / len(source):6.2f}")
    print(f"ratio gzip/empty IIFE    {best / floor:6.1f}")


if __name__ == "__main__":
    main()
