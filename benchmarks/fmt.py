"""``corelet fmt`` benchmark: the standard library's sources, repeated into one large program,
laid out by ``corelet.language.format.format_source`` (parse, tokens, layout, and the check that
the tokens did not change).

Prints one JSON line: lines, tokens, seconds (median of ``--repeat`` runs of ``format_source``),
parse_seconds (of the parser alone, which ``format_source`` runs first: the rest is the layout's),
lines_per_second.

    python benchmarks/fmt.py                 # about 4,000 lines
    python benchmarks/fmt.py --copies 20     # about 17,000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from corelet.language._parser import parse
from corelet.language.format import format_source, tokens

LIBRARY = Path(__file__).resolve().parents[1] / "library"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5, help="copies of the library's sources")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # a doc string is allowed only at the top of a file: each file's own becomes a comment
    sources = []
    for path in sorted(LIBRARY.glob("*.corelet")):
        text = path.read_text(encoding="utf-8")
        if text.startswith('"""'):
            end = text.index('"""', 3) + 3
            text = "".join(f"# {line}\n" for line in text[:end].splitlines()) + text[end:]
        sources.append(text)
    program = "\n".join(sources) * args.copies
    parse(program, "library.corelet")  # the grammar is built once per process, not timed
    seconds, parse_seconds = [], []
    for _ in range(args.repeat):  # alternating, on a shared machine
        start = time.perf_counter()
        parse(program, "library.corelet")
        parse_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        format_source(program, "library.corelet")
        seconds.append(time.perf_counter() - start)
    lines = program.count("\n")
    median = statistics.median(seconds)
    print(json.dumps({"benchmark": "fmt", "lines": lines, "tokens": len(tokens(program)),
                      "seconds": round(median, 3),
                      "parse_seconds": round(statistics.median(parse_seconds), 3),
                      "lines_per_second": round(lines / median)}))


if __name__ == "__main__":
    main()
