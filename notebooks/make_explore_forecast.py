import nbformat as nbf
nb = nbf.v4.new_notebook()
md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell
nb.cells = [
md("""# chipcast exports in pandas, polars and DuckDB

The analyst's path: run chipcast, load what it writes, check where it came from, re-plot it, and compare
as-of dates. The notebook runs the `chipcast` binary itself into a scratch folder, so every output below
was produced by the code of this commit; CI re-executes it (`.ci/run`, via `notebooks/execute.py`) and fails
on any error.

`CHIPCAST_BIN` names the binary (CI sets it); otherwise `chipcast` on the `PATH`, then
`../target/release/chipcast`."""),
code("""import os, shutil, subprocess, json
from pathlib import Path

chipcast = os.environ.get("CHIPCAST_BIN") or shutil.which("chipcast") or str(Path("../target/release/chipcast").resolve())
out = Path("chipcast_out"); out.mkdir(exist_ok=True)

def run(*args):
    r = subprocess.run([chipcast, *args], capture_output=True, text=True)
    assert r.returncode == 0, f"chipcast {' '.join(args)} exited {r.returncode}:\\n{r.stderr}"
    return r.stdout

run("forecast", "-o", str(out / "forecast.parquet"))
run("forecast", "--as-of", "2024-11", "-o", str(out / "forecast_2024_11.parquet"))
run("forecast", "--series", "worldwide-monthly", "-H", "24", "-o", str(out / "monthly.parquet"))
run("milestone", "-o", str(out / "milestone.parquet"))
run("vintages", "-o", str(out / "vintages.parquet"))
print(run("--version").strip())
sorted(p.name for p in out.iterdir())"""),
md("""## pandas, and where the numbers came from

chipcast puts its provenance in the Parquet file's key-value metadata, in the Arrow schema as well as the
footer, so `pyarrow` shows it and pandas carries it in `DataFrame.attrs`."""),
code("""import pandas as pd
import pyarrow.parquet as pq

fc = pd.read_parquet(out / "forecast.parquet")
display(fc)
print(fc.dtypes.to_string())
meta = {k.decode(): v.decode() for k, v in pq.read_table(out / "forecast.parquet").schema.metadata.items()
        if k.startswith(b"chipcast.")}
for k in ["chipcast.version", "chipcast.data_source", "chipcast.model", "chipcast.as_of", "chipcast.unit", "chipcast.levels"]:
    print(f"{k:24} {meta[k]}")
assert fc.attrs, "pandas sees the metadata in attrs"
sorted(fc.attrs)[:5]"""),
md("## polars and DuckDB read the same files"),
code("""import polars as pl
import duckdb

pfc = pl.read_parquet(out / "forecast.parquet")
print(pfc)
assert pfc["mean"].to_list() == fc["mean"].to_list()

monthly = duckdb.sql(f\"\"\"
    SELECT year(ds) AS year, count(*) AS months, round(sum(mean), 1) AS forecast_sum
    FROM '{out / "monthly.parquet"}' GROUP BY 1 ORDER BY 1
\"\"\").df()
monthly"""),
md("""## The fan, re-plotted

History from the built-in WSTS annual series (`datasets/wsts_annual.csv`, each row with its source), the
market model's median and its 80% and 95% intervals."""),
code("""%matplotlib inline
import matplotlib.pyplot as plt

datasets = Path(os.environ.get("CHIPCAST_DATASETS", "../datasets"))
hist = pd.read_csv(datasets / "wsts_annual.csv")
hist = hist[(hist.region == "Worldwide")] if "region" in hist else hist
fig, ax = plt.subplots(figsize=(10, 5))
ax.plot(hist["year"], hist["value_busd"], color="black", label="WSTS actual")
ax.fill_between(fc.ds, fc.lo95, fc.hi95, alpha=0.2, label="95% interval")
ax.fill_between(fc.ds, fc.lo80, fc.hi80, alpha=0.35, label="80% interval")
ax.plot(fc.ds, fc["mean"], marker="o", label=fc.model.iloc[0])
ax.axhline(1000, color="firebrick", ls="--", label="$1T")
ax.set_xlim(2010, fc.ds.max() + 0.5); ax.set_ylabel("USD bn"); ax.legend()
ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True)); plt.show()"""),
md("## The $1T milestone: probability of having reached it, by year"),
code("""ms = pd.read_parquet(out / "milestone.parquet")
ax = ms.plot(x="year", y=["p_reached_by", "p_at_least"], marker="o", figsize=(9, 4), ylim=(0, 1.02),
             title=f"P(worldwide sales ≥ {ms.attrs.get('chipcast.target', '1000')} USD bn)")
ax.bar(ms.year, ms.p_first_crossing, alpha=0.3, label="first crossing")
ax.legend(); plt.show()
ms.head(6)"""),
md("""## Vintages: how the answer moved with the data

The same model at each as-of month (the `vintages` export), and today's forecast against the one made with
data to November 2024."""),
code("""vint = pd.read_parquet(out / "vintages.parquet")
display(vint[["as_of", "data_used", "mean", "lo95", "hi95", "p_at_least", "p_reached_by"]])

then = pd.read_parquet(out / "forecast_2024_11.parquet")
both = fc[["ds", "mean"]].merge(then[["ds", "mean"]], on="ds", how="outer", suffixes=("_now", "_2024_11"))
both["change"] = both["mean_now"] - both["mean_2024_11"]
both"""),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
import os
nbf.write(nb, os.path.join(os.path.dirname(os.path.abspath(__file__)), "explore_forecast.ipynb"))
