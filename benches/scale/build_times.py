"""Per-crate compile seconds from cargo's --timings reports, side by side.
Usage: build_times.py LABEL=report.html [LABEL=report.html ...] > build.txt"""
import json
import re
import sys

CRATES = ["polars-arrow", "polars-compute", "polars-parquet", "zstd-sys", "polars-core", "chipcast"]
runs = []
for arg in sys.argv[1:]:
    label, path = arg.split("=", 1)
    text = open(path).read()
    units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S).group(1))
    total = re.search(r"<td>Total time:</td><td>([^<]*)</td>", text)
    per = {}
    for u in units:
        # a crate can appear as its build script run and its library; add them
        per[u["name"]] = per.get(u["name"], 0.0) + u["duration"]
    runs.append((label, per, total.group(1) if total else "?"))
print("crate\t" + "\t".join(label for label, _, _ in runs))
for c in CRATES:
    print(c + "\t" + "\t".join(f"{per.get(c, 0.0):.1f}" for _, per, _ in runs))
print("total (cargo)\t" + "\t".join(t for _, _, t in runs))
