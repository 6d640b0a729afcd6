"""Report the widget's readable source and served (minified) sizes against the 2 KB gzip budget.

The budget applies to the served static/widget.js. The baseline, measured in the same run, is
the gzip of an empty IIFE: the floor that any script pays for gzip's own header and trailer.
"""

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"
SOURCE, SERVED = STATIC / "src" / "widget.js", STATIC / "widget.js"
BUDGET = 2048
EMPTY_IIFE = b"(() => {})();\n"


def gzipped(data: bytes, level: int = 9) -> int:
    """Return the gzipped size of data at a compression level."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def main():
    """Print both files' sizes and the served file's ratios."""
    source, served, floor = SOURCE.read_bytes(), SERVED.read_bytes(), gzipped(EMPTY_IIFE)
    best = gzipped(served)
    print(f"source static/src/widget.js raw     {len(source):6d} bytes")
    print(f"source static/src/widget.js gzip -9 {gzipped(source):6d} bytes")
    print(f"served static/widget.js raw         {len(served):6d} bytes")
    print(f"served static/widget.js gzip -9     {best:6d} bytes")
    print(f"served static/widget.js gzip -6     {gzipped(served, 6):6d} bytes  (usual level)")
    print(f"baseline: empty IIFE gzip -9        {floor:6d} bytes")
    print(f"budget (served, gzip -9)            {BUDGET:6d} bytes")
    verdict = "within" if best <= BUDGET else "OVER"
    print(f"ratio served gzip/budget            {best / BUDGET:6.2f}  ({verdict})")
    print(f"ratio served gzip/source gzip       {best / gzipped(source):6.2f}")
    print(f"ratio served gzip/empty IIFE        {best / floor:6.1f}")


if __name__ == "__main__":
    main()
