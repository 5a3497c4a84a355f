"""Write a long-format yearly panel to a CSV: SERIES series x POINTS points (default
500,000 x 20 = 10M rows), ids S0000000.., periods 2000.., positive random-walk values.
Fixed seed, so every run writes the same file. Usage: gen.py OUT.csv [SERIES] [POINTS]"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
p = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rng = np.random.default_rng(12)
steps = rng.normal(0.03, 0.1, size=(n, p))
y = np.round(100.0 * np.exp(np.cumsum(steps, axis=1)), 6).ravel()
ids = np.char.add("S", np.char.zfill(np.arange(n).astype(str), 7))
table = pa.table(
    {
        "unique_id": np.repeat(ids, p),
        "ds": np.tile(np.arange(2000, 2000 + p, dtype=np.int64), n),
        "y": y,
    }
)
pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="none"))
