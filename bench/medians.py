#!/usr/bin/env python3
"""Prints the median of every criterion benchmark under target/criterion
and, in groups with a hand-written baseline, each other function's median
divided by the baseline's: the ratios BENCHMARKS.md reports."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
groups = {}
for estimates in sorted(root.glob("*/*/new/estimates.json")):
    group, function = estimates.parts[-4], estimates.parts[-3]
    bench = json.loads((estimates.parent / "benchmark.json").read_text())
    median_ns = json.loads(estimates.read_text())["median"]["point_estimate"]
    groups.setdefault(group, []).append((bench["function_id"], median_ns))
for group, functions in groups.items():
    print(group)
    baseline = next((m for name, m in functions if name.startswith("hand-written")), None)
    for name, median in functions:
        ratio = f", ratio to baseline {median / baseline:.3f}" if baseline and not name.startswith("hand-written") else ""
        print(f"  {name}: median {median / 1000:.2f} us{ratio}")
