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

# Imported on first use (PEP 562): a process that only screens (a Dask worker, `screening
# screen`) does not load the generator.
_WHERE = {
    "read_table": "screening.data.io",
    "write_tables": "screening.data.io",
    "Scenario": "screening.generate.scenario",
    "load_scenario": "screening.generate.scenario",
    "World": "screening.generate.world",
    "generate_world": "screening.generate.world",
    "SCHEMAS": "screening.schema",
    "validate": "screening.schema",
}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
