"""Rolling-origin check of the seasonal models on the built-in monthly WSTS billings.

Origins: every December 2000-2023 of each of the five monthly series (Americas, Asia Pacific, Europe,
Japan, Worldwide) whose next 24 months are in the data; each origin is one "series" (its history up to the
origin) in train.csv and its next 24 months in test.csv, so the shared scorer can score it (m = 12).

usage: python benches/wsts_monthly_rolling.py OUT_DIR     (needs pandas)
then:  chipcast forecast --input OUT_DIR/train.csv --horizon 24 --season-length 12 --model M \
           --level 80 --level 95 --output OUT_DIR/M.csv --label chipcast:M
       python ../shared/bench/score.py --m 12 --test OUT_DIR/test.csv --train OUT_DIR/train.csv OUT_DIR/*.csv
(benches/wsts_monthly_rolling.sh does all of it.)
"""
import os
import sys

import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
d = pd.read_csv(os.path.join(here, "..", "datasets", "wsts_monthly_raw.csv"))
d = d[d.measure == "monthly_billings"]
train, test = [], []
for region, g in d.groupby("region"):
    g = g.sort_values("month").reset_index(drop=True)
    g["t"] = range(1, len(g) + 1)
    for year in range(2000, 2024):
        cut = g.index[g.month == f"{year}-12"][0]
        if cut + 24 >= len(g):
            continue
        uid = f"{region.replace(' ', '_')}_{year}"
        a, b = g.iloc[: cut + 1], g.iloc[cut + 1 : cut + 25]
        train.append(pd.DataFrame({"unique_id": uid, "ds": a.t, "y": a.value_busd}))
        test.append(pd.DataFrame({"unique_id": uid, "ds": b.t, "y": b.value_busd}))
pd.concat(train).to_csv(os.path.join(out, "train.csv"), index=False)
pd.concat(test).to_csv(os.path.join(out, "test.csv"), index=False)
print(f"{len(train)} origins written to {out}")
