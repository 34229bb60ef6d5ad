"""Where the data tables (`synthetic/`) live: the repository folder, or SCREENING_DATA."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The `synthetic/` folder holding scenarios, name tables and romanization rules."""
    env = os.environ.get("SCREENING_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "synthetic"
