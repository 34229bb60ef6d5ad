"""Where screening runs: in this process (the default, `screening.travel.stages`), or on a Dask
cluster (`engines.dask_engine`, optional extra `screening[dask]`). Engines hold no
matching logic: they cut the manifest into partitions (`engines.partitions`) and run the
same per-partition function, with the whole manifest's population statistics.
"""

from typing import Literal, get_args

EngineName = Literal["local", "dask"]
ENGINES: tuple[EngineName, ...] = get_args(EngineName)

# Manifest rows per Dask partition. 10 M travellers against 5.2 M list names on 2 workers
# (2 cores): 50,000 rows took as long as 100,000 (461 against 460 s) with a worker's
# resident peak 4.6-4.8 GB instead of 5.4-5.8, peak PSS 3.0-3.4 GB instead of 3.9-4.2
# (a partition's candidate pairs and their comparisons are the working set: ~1.4 M
# blocked pairs per 100,000 travellers there).
PARTITION_ROWS = 50_000
