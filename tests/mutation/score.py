"""Print the share of mutants killed per rule module after `mutmut run` (run by `make mutation`).

Reads mutmut's own results in mutants/; counts only mutants that were run (the Makefile chooses which),
and lists the survivors so they can be explained in tests/mutation/SURVIVORS.md or killed.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code

CAUGHT = {"killed", "timeout", "caught by type check"}
MODULES = ("budget", "payments", "workflow", "decisions")
GOAL = 90.0


def main() -> int:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    survivors: list[str] = []
    for module in MODULES:
        meta = Path("mutants/grants/services") / f"{module}.py.meta"
        if not meta.exists():
            continue
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if code is None:
                continue  # not in this run's selection
            status = status_by_exit_code[code]
            counts[module]["caught" if status in CAUGHT else status] += 1
            if status not in CAUGHT:
                survivors.append(f"{status:9} {name}")
    if not counts:
        print("No mutation results in mutants/: run `make mutation` first.")
        return 1
    print(f"{'module':<22}{'caught':>8}{'of':>6}{'share':>9}")
    below = []
    for module in MODULES:
        tally = counts.get(module)
        if not tally:
            continue
        total = sum(tally.values())
        share = 100.0 * tally["caught"] / total
        print(f"services/{module + '.py':<13}{tally['caught']:>8}{total:>6}{share:>8.1f}%")
        if share < GOAL:
            below.append(module)
    if survivors:
        print("\nNot caught (see tests/mutation/SURVIVORS.md; `.venv-mutation/bin/mutmut show NAME` shows one):")
        print("\n".join(f"  {line}" for line in sorted(survivors)))
    if below:
        print(f"\nBelow the {GOAL:.0f}% goal: {', '.join(below)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
