"""Who gets notified of an alert (UNSCR 2396 paragraphs 3 and 11): the traveller's
states of nationality (every one known: dual nationals count twice), residence, and the
departure, transit and destination states of the itinerary, as ISO 3166 alpha-3 codes.

Airports resolve to states with `airportsdata` (every IATA airport, not only the ones
the generator uses), so real manifests get their itinerary states too.
"""

from __future__ import annotations

import functools

import numpy as np
import polars as pl
import pycountry

from screening.data.countries import ICAO_TO_ISO, KOSOVO, NOT_A_STATE
from screening.linkage.ragged import range_positions
from screening.schema import AlertKind

# Alerts that say "this traveller may be that listed identity": the identity's states of
# nationality are concerned. An associate is someone else, with only their own states.
IDENTITY_KINDS = (AlertKind.WATCHLIST, AlertKind.WATCHLIST_DOCUMENT, AlertKind.CONTACT)
ROLES = ("nationality", "residence", "departure", "transit", "destination")
NOTIFICATION_COLUMNS = {
    "alert_id": pl.String,
    "state": pl.String,
    "role": pl.String,  # roles joined by "+", in ROLES order
    "source": pl.String,  # "traveller" or "watch list" (the listed identity's nationality)
}


def state_code(e: pl.Expr) -> pl.Expr:
    """Upper-cased state code, ICAO specials mapped to ISO, non-states null."""
    code = e.cast(pl.String).str.strip_chars().str.to_uppercase()
    code = code.replace(ICAO_TO_ISO)
    return pl.when(code.is_in(NOT_A_STATE) | (code == "")).then(None).otherwise(code)


def state_codes(states: pl.Series) -> pl.Series:
    """state_code of each value, worked out once per distinct value (a manifest's
    millions of state fields hold a few hundred)."""
    distinct = states.unique()
    coded = distinct.to_frame("s").select(state_code(pl.col("s"))).to_series()
    return states.replace_strict(distinct, coded, return_dtype=pl.String)


@functools.cache
def _airport_states() -> dict[str, str]:
    import airportsdata

    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    alpha3["XK"] = KOSOVO
    return {
        code: alpha3[a["country"]]
        for code, a in airportsdata.load("IATA").items()
        if a["country"] in alpha3
    }


def airport_state(e: pl.Expr) -> pl.Expr:
    """State (alpha-3) of an IATA airport code; null when unknown."""
    return (
        e.cast(pl.String)
        .str.to_uppercase()
        .replace_strict(_airport_states(), default=None, return_dtype=pl.String)
    )


def itinerary_states(legs: pl.DataFrame, flights: pl.DataFrame) -> pl.DataFrame:
    """(key, state, role) from (key, flight_id) legs: where the journey starts, ends,
    and every point in between, in departure order."""
    f = flights.select("flight_id", "origin", "destination", "departure")
    j = (
        legs.select("key", "flight_id")
        .join(f, on="flight_id")
        .sort("key", "departure")
        # Each traveller's first and last leg from its neighbours in that order: a window
        # over a million keys cost half a second.
        .with_columns(
            _first=pl.col("key").ne_missing(pl.col("key").shift(1)),
            _last=pl.col("key").ne_missing(pl.col("key").shift(-1)),
        )
    )
    first, last = pl.col("_first"), pl.col("_last")
    points = pl.concat(
        [
            j.filter(first).select("key", airport="origin", role=pl.lit("departure")),
            j.filter(last).select("key", airport="destination", role=pl.lit("destination")),
            j.filter(~first).select("key", airport="origin", role=pl.lit("transit")),
            j.filter(~last).select("key", airport="destination", role=pl.lit("transit")),
        ]
    )
    return points.select("key", state=airport_state(pl.col("airport")), role="role").drop_nulls(
        "state"
    )


def _role_names() -> dict[int, str]:
    """Every set of roles, as a bit mask (bit i: ROLES[i]), to its "+"-joined name."""
    return {
        mask: "+".join(r for i, r in enumerate(ROLES) if mask >> i & 1)
        for mask in range(1, 1 << len(ROLES))
    }


def notifications(
    alerts: pl.DataFrame,
    traveller_states: pl.DataFrame,
    list_rows: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One record (NOTIFICATION_COLUMNS) per alert and state to notify.

    `traveller_states` holds (passenger_id, state, role) for whoever the alerts are about;
    `list_rows` adds the nationalities of the identity an alert names.
    """
    identities = identity_states(list_rows) if list_rows is not None else None
    coded = traveller_states.with_columns(state=state_code(pl.col("state")))
    return notified(alerts, traveller_roles(coded), identities)[1]


_BIT = {r: 1 << i for i, r in enumerate(ROLES)}


def traveller_roles(traveller_states: pl.DataFrame) -> pl.DataFrame:
    """(passenger_id, state, mask): each traveller's roles per state (as traveller_states
    gives them, state codes) as one bit mask (bit i: ROLES[i]). Millions of alerts share
    a few hundred thousand of these: worked out once per manifest, not once per alert."""
    return (
        traveller_states.select(
            "passenger_id",
            "state",
            mask=pl.col("role").replace_strict(_BIT, return_dtype=pl.Int32),
        )
        .drop_nulls("state")
        .group_by("passenger_id", "state")
        .agg(pl.col("mask").bitwise_or())
    )


def notify_roles(traveller_states: pl.DataFrame, records: bool) -> pl.DataFrame:
    """What notified needs of the travellers: their roles per state (traveller_roles) to
    write records; for the notify column alone, the (passenger_id, state) rows as they
    are, repeats and all (or-ed as bits there: the roles' group-by cost a million
    travellers 1.8 s, three times the states themselves)."""
    if records:
        return traveller_roles(traveller_states)
    return traveller_states.select("passenger_id", "state").drop_nulls("state")


def identity_states(list_rows: pl.DataFrame) -> pl.DataFrame:
    """(entry_id, state): the states of nationality of each listed identity, as codes."""
    return (
        list_rows.select("entry_id", state=pl.col("nationalities"))
        .explode("state")
        .select("entry_id", state=state_code(pl.col("state")))
        .drop_nulls("state")
        .unique()
    )


def notified(
    alerts: pl.DataFrame,
    roles: pl.DataFrame,
    identities: pl.DataFrame | None = None,
    records: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`alerts` with their `notify` column (the states, sorted, joined by ';'), and the
    notification records (NOTIFICATION_COLUMNS; empty unless `records`). `roles`:
    notify_roles of whoever the alerts are about; `identities`: identity_states of
    the list, for the identity an alert names (None: the travellers' own states only)."""
    if not records:
        notify = _notify_column(alerts, roles, identities)
        return (
            alerts.drop("notify", strict=False).with_columns(notify=notify),
            pl.DataFrame(schema=NOTIFICATION_COLUMNS),
        )
    # Alerts by the rank of their id: the records are grouped and sorted on an integer,
    # and the id strings are sorted once, not once per state; without records each alert
    # is its row. Source 0 is the traveller, whose own link to a state outranks the
    # identity's.
    if records:
        ids = alerts["alert_id"].unique().sort()
        a, n_alerts = pl.col("alert_id").rank("dense").cast(pl.UInt32) - 1, len(ids)
    else:
        a, n_alerts = pl.int_range(pl.len(), dtype=pl.UInt32), alerts.height
    alert_rows = alerts.select("passenger_id", "entry_id", "kind", a=a)
    parts = [
        alert_rows.join(roles, on="passenger_id").select(
            "a", "state", "mask", source=pl.lit(0, pl.Int8)
        )
    ]
    if identities is not None:
        parts.append(
            alert_rows.filter(pl.col("kind").is_in(IDENTITY_KINDS))
            .join(identities, on="entry_id")
            .select(
                "a",
                "state",
                mask=pl.lit(_BIT["nationality"], pl.Int32),
                source=pl.lit(1, pl.Int8),
            )
        )
    out, states = _merged(pl.concat(parts))
    by_rank = _notify_strings(out, states, n_alerts)
    alerts = alerts.drop("notify", strict=False).with_columns(
        notify=by_rank.gather(alert_rows["a"])
    )
    if not records:
        return alerts, pl.DataFrame(schema=NOTIFICATION_COLUMNS)
    note = out.select(
        "a",
        state=states.gather(out["code"]),
        role=pl.col("mask").replace_strict(_role_names(), return_dtype=pl.String),
        source=pl.col("source").replace_strict(
            {0: "traveller", 1: "watch list"}, return_dtype=pl.String
        ),
    )
    note = note.with_columns(alert_id=ids.gather(note["a"]))
    return alerts, note.cast(NOTIFICATION_COLUMNS).select(list(NOTIFICATION_COLUMNS))


def _notify_column(
    alerts: pl.DataFrame, roles: pl.DataFrame, identities: pl.DataFrame | None
) -> pl.Series:
    """The notify column alone (notified without records): each traveller's and each
    identity's states as bits, or-ed per alert, and one string per distinct set. No
    record per alert and state is made: 2.8 M alerts made 14 M of them, sorted and merged
    (three quarters of a threshold-0 national day's finishing)."""
    travellers, t_states = _coded_owners(alerts, "passenger_id", roles)
    kinds = pl.col("kind").is_in(IDENTITY_KINDS)
    listed = alerts.select(entry_id=pl.when(kinds).then(pl.col("entry_id")))
    ids, i_states = _coded_owners(listed, "entry_id", identities)
    states = pl.concat([t_states["state"], i_states["state"]]).unique().drop_nulls().sort()
    if len(states) == 0:
        return pl.Series("notify", [""] * alerts.height, dtype=pl.String)
    words = -(-len(states) // 64)

    def masks(owners: int, frame: pl.DataFrame) -> np.ndarray:
        # One row more than owners: the alerts without one (an associate's identity) or-in
        # nothing.
        out = np.zeros((owners + 1, words), np.uint64)
        c = (
            frame["state"]
            .replace_strict(states, pl.int_range(len(states), eager=True), return_dtype=pl.Int64)
            .to_numpy()
        )
        bit = np.left_shift(np.uint64(1), (c % 64).astype(np.uint64))
        np.bitwise_or.at(out, (frame["_o"].to_numpy(), c // 64), bit)
        return out

    t_mask = masks(len(travellers[1]), t_states)
    i_mask = masks(len(ids[1]), i_states)
    both = t_mask[travellers[0]] | i_mask[ids[0]]
    rows = np.ascontiguousarray(both).view(np.dtype((np.void, 8 * words))).ravel()
    _, first, combo = np.unique(rows, return_index=True, return_inverse=True)
    bits = np.unpackbits(both[first].view(np.uint8), axis=1, bitorder="little")
    d, c = np.nonzero(bits[:, : len(states)])  # row-major: each set's codes ascending
    text = (
        pl.DataFrame({"d": d, "state": states.gather(c)})
        .group_by("d", maintain_order=True)
        .agg(pl.col("state").str.join(";"))
    )
    at = np.full(len(first), len(text), np.int64)
    at[text["d"].to_numpy()] = np.arange(len(text))
    return (
        pl.concat([text["state"], pl.Series([""])]).gather(at[combo.reshape(-1)]).rename("notify")
    )


def _coded_owners(
    alerts: pl.DataFrame, key: str, states: pl.DataFrame | None
) -> tuple[tuple[np.ndarray, pl.Series], pl.DataFrame]:
    """((each alert's owner number, the owners), (`_o`, state) of those owners): the owners
    (travellers, identities) numbered through a hash join, as distinct.first_seen_codes
    does; an alert without one gets the number after the last."""
    frame = alerts.select(key)
    owners = frame.drop_nulls().unique(maintain_order=True)[key]
    numbered = owners.to_frame().with_row_index("_o")
    at = frame.join(numbered, on=key, how="left", maintain_order="left")["_o"]
    at = at.fill_null(len(owners)).cast(pl.Int64).to_numpy()
    if states is None:
        return (at, owners), pl.DataFrame(schema={"_o": pl.UInt32, "state": pl.String})
    return (at, owners), states.join(numbered, on=key).select("_o", "state")


def _notify_strings(
    out: pl.DataFrame, states: pl.Series, n_alerts: int, base: int = 1_000_003
) -> pl.Series:
    """Each alert's states (`out` sorted by alert and state), joined by ';', by alert rank
    ("" for none). Alerts share a few combinations of states, so each run of codes is
    hashed, the strings are built once per distinct run and gathered back: a polars
    group-by into lists and a join on them took seconds for millions of alerts."""
    a = out["a"].to_numpy()
    code = out["code"].to_numpy().astype(np.uint64)
    if len(a) == 0:
        return pl.Series("notify", [""] * n_alerts, dtype=pl.String)
    starts = _run_starts(a)
    length = np.diff(np.append(starts, len(a)))
    run_of = np.repeat(np.arange(len(starts)), length)
    pos = np.arange(len(a)) - starts[run_of]
    with np.errstate(over="ignore"):  # the hash wraps modulo 2**64 on purpose
        powers = np.ones(int(length.max()), np.uint64)
        powers[1:] = np.cumprod(np.full(len(powers) - 1, base, np.uint64))
        h = np.add.reduceat((code + np.uint64(1)) * powers[pos], starts)
        h = h * np.uint64(31) + length.astype(np.uint64)
    _, first, combo = np.unique(h, return_index=True, return_inverse=True)
    # A hash could collide: check every run against its combination's first run.
    rep = first[combo]
    same = (length[rep] == length).all() and (code == code[starts[rep][run_of] + pos]).all()
    if not same:
        rep = np.arange(len(starts))
        first, combo = rep, rep
    size = length[first]
    members = range_positions(starts[first], size)
    text = (
        pl.DataFrame(
            {
                "combo": np.repeat(np.arange(len(first)), size),
                "state": states.gather(code[members]),
            }
        )
        .group_by("combo", maintain_order=True)
        .agg(pl.col("state").str.join(";"))["state"]
    )
    at = np.full(n_alerts, len(first), np.int64)
    at[a[starts]] = combo
    return pl.concat([text, pl.Series([""])]).gather(at).rename("notify")


def _run_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in sorted `keys`."""
    if len(keys) == 0:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))


def _merged(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """(a, code, mask, source) records merged per alert and state (roles or-ed, the
    traveller's source first), sorted by alert and state; and the states by code. States
    are coded in sorted order, so one integer key sorts as (alert, state) would: a polars
    group-by and sort over the strings took three times as long."""
    states = records["state"].unique().sort()
    n = max(len(states), 1)
    code = records["state"].replace_strict(
        states, pl.int_range(len(states), eager=True), return_dtype=pl.UInt64
    )
    key = records["a"].cast(pl.UInt64).to_numpy() * n + code.to_numpy()
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = _run_starts(key)
    mask = records["mask"].to_numpy()[order]
    source = records["source"].to_numpy()[order]
    merged = {
        "a": (key[starts] // n).astype(np.uint32),
        "code": (key[starts] % n).astype(np.uint32),
        "mask": np.bitwise_or.reduceat(mask, starts) if len(key) else mask,
        "source": np.minimum.reduceat(source, starts) if len(key) else source,
    }
    return pl.DataFrame(merged), states


def traveller_states(
    people: pl.DataFrame, legs: pl.DataFrame | None, flights: pl.DataFrame | None
) -> pl.DataFrame:
    """(passenger_id, state, role) of travellers: every nationality column given
    (`nationality`, `doc_issuer`, `nationality_pnr` …), `residence_country`, and the
    itinerary of their legs (passenger_id, flight_id). A row may repeat (a nationality
    given twice): traveller_roles or-s them, and a unique() over a million travellers'
    four million string rows cost 0.7-0.8 CPU s."""
    parts = [
        people.select("passenger_id", state=pl.col(c), role=pl.lit("nationality"))
        for c in ("nationality", "doc_issuer", "nationality_pnr")
        if c in people.columns
    ]
    if "residence_country" in people.columns:
        parts.append(
            people.select(
                "passenger_id", state=pl.col("residence_country"), role=pl.lit("residence")
            )
        )
    if legs is not None and flights is not None and not legs.is_empty():
        it = itinerary_states(legs.rename({"passenger_id": "key"}), flights)
        parts.append(it.rename({"key": "passenger_id"}))
    frame = pl.concat([p.cast({"state": pl.String}) for p in parts]) if parts else None
    if frame is None:
        return pl.DataFrame(
            schema={"passenger_id": pl.String, "state": pl.String, "role": pl.String}
        )
    return frame.with_columns(state=state_codes(frame["state"])).drop_nulls("state")
