"""Where screening runs: in this process (the default, `screening.travel.stages`), or on a Dask
cluster (`engines.dask_engine`, optional extra `screening[dask]`). Engines hold no
matching logic: they cut the manifest into partitions (`engines.partitions`) and run the
same per-partition function, with the whole manifest's population statistics.
"""

from typing import Literal, get_args

EngineName = Literal["local", "dask"]
ENGINES: tuple[EngineName, ...] = get_args(EngineName)
