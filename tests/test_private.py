"""Screening against an encoded watch list: keyed Bloom filters, what the file reveals,
what screening finds, and what a frequency attack recovers."""

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.data import lists
from screening.data.intake import MANIFEST_REQUIRED, WATCHLIST_REQUIRED
from screening.linkage.normalize import name_forms
from screening.privacy.attack import frequency_attack
from screening.privacy.encode import (
    META_KEY,
    EncodingConfig,
    dice,
    encode,
    read_encoded,
    schema_note,
    write_encoded,
)
from screening.privacy.match import PrivateIndex, PrivateMatcher

L_COLUMNS = [c for c in WATCHLIST_REQUIRED if c != "doc_issuer"]
SECRET = b"a shared secret of thirty-two b."


def _list(rows) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=L_COLUMNS, orient="row")
    return lists.from_flat(frame.with_columns(doc_issuer=pl.lit(None, pl.String)))


LIST = _list(
    [
        ("E1", "AL-HASHIMI", "ABDULRAHMAN", "1975-03-07", "M", "IRQ", None),
        ("E2", "OKONKWO", "CHINEDU", "1969", "M", "NGA", None),
        ("E3", "GARCIA", "JOSEFINA", "1990-06-15", "F", "MEX", None),
    ]
)


def _passengers(rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=[c for c in MANIFEST_REQUIRED if c not in ("doc_type", "doc_issuer", "doc_expiry")],
        orient="row",
    ).with_columns(pl.col("dob").str.to_date())


def test_dice_of_hand_made_bit_vectors():
    a = np.array([[0b1111, 0]], dtype=np.uint64)  # 4 bits
    b = np.array([[0b0011, 0b1]], dtype=np.uint64)  # 3 bits, 2 shared
    assert dice(a, b)[0] == pytest.approx(2 * 2 / 7)
    assert dice(a, a)[0] == 1.0
    empty = np.zeros((1, 2), dtype=np.uint64)
    assert dice(empty, empty)[0] == 0.0


def test_encoding_is_deterministic_for_a_key_and_differs_across_keys():
    cfg = EncodingConfig()
    one = encode(SECRET, LIST, cfg, listed=True)
    again = encode(SECRET, LIST, cfg, listed=True)
    other = encode(b"another secret, also 32 bytes..", LIST, cfg, listed=True)
    assert one.equals(again)
    assert not np.array_equal(one["name_clk"].to_numpy(), other["name_clk"].to_numpy())
    assert one["dob"].to_list() != other["dob"].to_list()
    # About hashes x q-grams bits set per name: filters are neither empty nor full.
    ones = np.bitwise_count(one["name_clk"].to_numpy()).sum(axis=1)
    assert (ones > 30).all() and (ones < cfg.bits // 2).all()


def test_the_encoded_file_holds_no_listed_name(tmp_path):
    path = tmp_path / "list.clk.parquet"
    cfg = EncodingConfig()
    write_encoded(encode(SECRET, LIST, cfg, listed=True), cfg, path)
    raw = path.read_bytes()
    for token in ("HASHIMI", "ABDULRAHMAN", "OKONKWO", "CHINEDU", "GARCIA", "JOSEFINA"):
        for form in (token, token.lower(), token.title(), "_" + token[:2], token[-2:] + "_"):
            assert form.encode() not in raw, form
    for clear in (b"1975-03-07", b"IRQ", b"NGA", b"MEX"):
        assert clear not in raw
    back, read_cfg = read_encoded(path)
    assert read_cfg == cfg and back.height == LIST.height
    assert set(back.columns) >= {"entry_id", "name_id", "name_clk", "block_keys"}


def test_a_list_encoded_with_older_blocking_keys_is_refused(tmp_path):
    """Its keys would meet no traveller's: a clear error, not a run without alerts."""
    path = tmp_path / "old.clk.parquet"
    cfg = EncodingConfig()
    note = json.loads(schema_note(cfg))
    del note["block_keys_version"]  # as written before the keys were hashed
    encode(SECRET, LIST, cfg, listed=True).write_parquet(
        path, metadata={META_KEY: json.dumps(note)}
    )
    with pytest.raises(ValueError, match=r"blocking keys are of version 1.*encode the list again"):
        read_encoded(path)


@pytest.mark.parametrize(
    "cfg",
    [
        EncodingConfig(),
        EncodingConfig(salt="birth_year"),
        EncodingConfig(xor_fold=True),
        EncodingConfig(balanced=True),
        EncodingConfig(record_level=True),
    ],
    ids=["plain", "salted", "xor-folded", "balanced", "record-level"],
)
def test_an_exact_copy_with_its_birth_date_is_found(cfg):
    m = PrivateMatcher(SECRET, cfg)
    index = m.build(LIST)
    p = _passengers(
        [
            ("P1", "AL-HASHIMI", "ABDULRAHMAN", "1975-03-07", "M", "IRQ", None),
            ("P2", "OKONKWO", "CHINEDU", "1969-08-30", "M", "NGA", None),
            ("P3", "SMITH", "JOHN", "1975-03-07", "M", "GBR", None),
        ]
    )
    alerts = m.screen(index, p, 0.5, 10).alerts
    found = dict(zip(alerts["passenger_id"], alerts["entry_id"], strict=True))
    assert found.get("P1") == "E1" and "P3" not in found
    # A birth year alone (E2) is evidence in its own field; a record-level filter holds
    # only full dates, so there the year-only entry is not met at 0.5 (its cost, measured).
    assert (found.get("P2") == "E2") != cfg.record_level
    p1 = alerts.filter(pl.col("passenger_id") == "P1")
    # (A record-level filter's date agrees only inside the name's Dice: no exact-copy floor.)
    assert p1["score"][0] >= (0.5 if cfg.record_level else 0.9)
    # A record-level filter holds the date: no DOB level is seen apart from the name.
    assert p1["dob_evidence"][0] == ("missing" if cfg.record_level else "exact")
    assert "HASHIMI" not in " ".join(alerts["reason"].to_list())


def test_a_frequency_attack_reads_a_weak_encoding_and_salting_stops_it():
    """30 listed MOHAMMED ALIs born in 30 years among distinct others: unsalted, the most
    frequent filter is theirs and the attacker names all 30; salted by birth year, no
    filter repeats and the attack finds nothing."""
    common = [
        (f"C{i}", "ALI", "MOHAMMED", f"{1960 + i}-01-01", "M", "EGY", None) for i in range(30)
    ]
    rare = [
        (f"R{i}", f"V{chr(65 + i)}NTER", "KARL", "1970-01-01", "M", "DEU", None) for i in range(20)
    ]
    rows = _list(common + rare)
    public = pl.Series("name", ["ALI MOHAMMED"] * 500 + ["JOHN SMITH"] * 100)
    truth = name_forms(rows)["sorted_core"]
    weak = encode(SECRET, rows, EncodingConfig(), listed=True)
    attack = frequency_attack(weak["name_clk"].to_numpy(), truth, public)
    assert attack.reidentified == 30 and attack.share == pytest.approx(30 / 50)
    salted = encode(SECRET, rows, EncodingConfig(salt="birth_year"), listed=True)
    names = rows.select("name_id").with_columns(t=truth)
    salted_truth = salted.join(names, on="name_id", how="left", maintain_order="left")["t"]
    hardened = frequency_attack(salted["name_clk"].to_numpy(), salted_truth, public)
    assert hardened.reidentified < attack.reidentified and hardened.reidentified == 0


def test_cli_encodes_a_list_and_screens_against_it(tmp_path, teaching):
    from screening.data.io import write_tables

    world = tmp_path / "world"
    write_tables(teaching.tables, world, "parquet")
    key = tmp_path / "KEY"
    key.write_bytes(SECRET)
    runner = CliRunner()
    enc = tmp_path / "list.clk.parquet"
    r = runner.invoke(
        app, ["lists", "encode", str(world), "--secret-file", str(key), "--out", str(enc)]
    )
    assert r.exit_code == 0, r.output
    out = tmp_path / "alerts.csv"
    r = runner.invoke(
        app,
        [
            "screen",
            str(world / "passengers.parquet"),
            "--watchlist",
            str(enc),
            "--secret-file",
            str(key),
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    alerts = pl.read_csv(out)
    truth = teaching["truth"].filter(pl.col("entry_id").is_not_null())
    hits = alerts.join(truth, on=["passenger_id", "entry_id"], how="semi")
    assert hits["passenger_id"].n_unique() >= 0.5 * truth.height
    short = tmp_path / "SHORT"
    short.write_bytes(b"tiny")
    r = runner.invoke(app, ["lists", "encode", str(world), "--secret-file", str(short)])
    assert r.exit_code != 0 and "too short" in r.output
    r = runner.invoke(
        app,
        [
            "screen",
            str(world),
            "--watchlist",
            str(world / "passengers.parquet"),
            "--secret-file",
            str(key),
        ],
    )
    assert r.exit_code != 0 and "not an encoded watch list" in r.output


def test_private_index_rows_name_no_one():
    index = PrivateIndex.of(encode(SECRET, LIST, EncodingConfig(), listed=True), EncodingConfig())
    assert index.rows.columns == ["entry_id", "name_id"]


def test_hardened_filters_balanced_have_constant_weight_and_folded_half_the_length():
    plain = encode(SECRET, LIST, EncodingConfig(), listed=True)["name_clk"].to_numpy()
    balanced = encode(SECRET, LIST, EncodingConfig(balanced=True), listed=True)["name_clk"]
    folded = encode(SECRET, LIST, EncodingConfig(xor_fold=True), listed=True)["name_clk"]
    b, f = balanced.to_numpy(), folded.to_numpy()
    assert b.shape[1] == 2 * plain.shape[1] and f.shape[1] == plain.shape[1] // 2
    # Every balanced filter has exactly `bits` ones: its weight says nothing of the name.
    assert (np.bitwise_count(b).sum(axis=1) == EncodingConfig().bits).all()
    assert len(set(np.bitwise_count(plain).sum(axis=1).tolist())) > 1
    half = plain.shape[1] // 2
    assert np.array_equal(f, plain[:, :half] ^ plain[:, half:])


def test_an_alias_sharing_no_name_part_meets_its_entry_by_birth_date_and_nationality():
    """A kunya travelling with the listed birth date and nationality is compared (keyed
    `born` key), as in the plaintext core; a stranger born the same day elsewhere is not."""
    m = PrivateMatcher(SECRET)
    index = m.build(LIST)
    p = _passengers(
        [
            ("P1", "ABU OMAR", "", "1975-03-07", "M", "IRQ", None),
            ("P2", "ABU OMAR", "", "1975-03-07", "M", "FRA", None),
        ]
    )
    res = m.screen(index, p, 0.0, 10)
    met = {(int(a), int(b)) for a, b in zip(*res.pairs, strict=True)}
    assert (0, 0) in met and (1, 0) not in met


def test_a_record_level_filter_ships_no_date_or_nationality_of_its_own():
    enc = encode(SECRET, LIST, EncodingConfig(record_level=True), listed=True)
    assert enc["dob"].null_count() == enc.height
    assert (enc["years"].list.len() == 0).all() and (enc["nationalities"].list.len() == 0).all()
    plain = encode(SECRET, LIST, EncodingConfig(), listed=True)
    # The date and nationality tokens add bits to the filter.
    more = np.bitwise_count(enc["name_clk"].to_numpy()).sum(axis=1)
    assert (more > np.bitwise_count(plain["name_clk"].to_numpy()).sum(axis=1)).all()
