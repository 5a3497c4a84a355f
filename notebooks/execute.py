"""Execute chipcast's notebooks: each runs the chipcast binary itself (CHIPCAST_BIN) and reads
what it writes, so a notebook that errors means an export changed under the analysts.

usage: python notebooks/execute.py [--in-place] NOTEBOOK...
  --in-place  write the outputs back into the notebook (how the committed outputs are made)
  otherwise   execute in a temporary directory and write nothing
Needs nbclient, nbformat, ipykernel, pandas, pyarrow, polars, duckdb, matplotlib (.ci/run
installs them into its venv). Exits non-zero on the first cell that raises.
"""
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ.setdefault("CHIPCAST_DATASETS", os.path.join(here, "..", "datasets"))
    in_place = "--in-place" in argv
    paths = [a for a in argv if a != "--in-place"]
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as work:
            client = NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": work}},
            )
            client.execute()
        if in_place:
            # outputs are committed; the kernel's run-specific metadata is not
            nb.metadata.pop("widgets", None)
            nbformat.write(nb, path)
        print(f"{path}: {len(nb.cells)} cells executed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
