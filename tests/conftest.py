"""Shared worlds: generated once per test session, small enough for 2 cores."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest
from hypothesis import settings

from screening.generate.scenario import Scenario, load_scenario
from screening.generate.world import World, generate_world

# CI runs are reproducible (same examples every time); local runs keep exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def scenario_with(base: Scenario, **sections: dict) -> Scenario:
    """A copy of `base` with fields of its sections replaced: population={"mated_share": 0.1}."""
    changes = {
        name: dataclasses.replace(getattr(base, name), **fields)
        for name, fields in sections.items()
    }
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="session")
def teaching() -> World:
    return generate_world(load_scenario("teaching"), 3)


@pytest.fixture(scope="session")
def research() -> World:
    """20,000 passengers with 5 % listed travellers: enough mated rows to test shares."""
    s = scenario_with(
        load_scenario("standard"),
        population={
            "passengers": 20_000,
            "listed_identities": 3_000,
            "mated_share": 0.05,
            "namesake_share": 0.02,
        },
        documents={
            "lost_stolen_records": 5_000,
            "lost_stolen_share": 0.002,
            "mrz_invalid_share": 0.005,
        },
    )
    return generate_world(s, 11)


def alert_rows(index, passengers, alerts) -> tuple[np.ndarray, np.ndarray]:
    """(passenger row, list row) of each alert: the pairs pair_evidence is asked about."""
    p_row = {p: i for i, p in enumerate(passengers["passenger_id"].to_list())}
    l_row = {n: i for i, n in enumerate(index.rows["name_id"].to_list())}
    pi = np.array([p_row[p] for p in alerts["passenger_id"]])
    li = np.array([l_row[n] for n in alerts["name_id"]])
    return pi, li
