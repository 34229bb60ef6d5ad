"""screening: a travel-data screening simulator (UNSCR 2396 API/PNR watch-list screening).

Generate a synthetic travel world with known truth, screen it, and measure misses,
false alerts, their spread across name origins, and throughput.
"""

__version__ = "0.1.0"

__all__ = [
    # tables
    "SCHEMAS",
    # generation
    "Scenario",
    "World",
    "generate_world",
    "load_scenario",
    "read_table",
    "validate",
    "write_tables",
]

from screening.data.io import read_table, write_tables
from screening.generate.scenario import Scenario, load_scenario
from screening.generate.world import World, generate_world
from screening.schema import SCHEMAS, validate
