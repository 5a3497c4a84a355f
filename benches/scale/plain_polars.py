"""The plain-polars side of the CSV -> Parquet comparison: read the CSV, write Parquet."""
import sys

import polars as pl

pl.read_csv(sys.argv[1], schema_overrides={"unique_id": pl.String}).write_parquet(sys.argv[2])
