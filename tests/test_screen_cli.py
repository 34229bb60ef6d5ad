"""`screening screen` on user files: the happy path and each kind of bad input."""

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app

runner = CliRunner()
HEADER = (
    "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,doc_expiry"
)
LIST = (
    "entry_id,surname,given_names,dob,sex,nationality,doc_number,doc_issuer\n"
    "E1,al-Hashimi,Abdul Rahman,1975-03-07,M,IRQ;SYR,AB1234567,IRQ\n"
    "E1,Hashimi,Abu Omar,1975,M,IRQ,,\n"
    "E2,=HYPERLINK(1),Mallory,1980,F,GBR,,\n"
)


@pytest.fixture
def files(tmp_path):
    wl = tmp_path / "list.csv"
    wl.write_text(LIST, encoding="utf-8")

    def manifest(*rows: str, name: str = "m.csv") -> str:
        path = tmp_path / name
        path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        return str(path)

    return tmp_path, str(wl), manifest


GOOD = [
    "P1,AL HASHIMI,ABDULRAHMAN,1975-03-07,M,IRQ,P,XY0000001,IRQ,2030-01-01",
    "P2,SMITH,JOHN,1980-02-02,M,GBR,P,XY0000002,GBR,2030-01-01",
    "P3,=HYPERLINK(1),MALLORY,1980-05-05,F,GBR,P,XY0000003,GBR,2020-01-01",
]


def test_happy_path_to_stdout(files):
    _, wl, manifest = files
    r = runner.invoke(app, ["screen", manifest(*GOOD), "--watchlist", wl, "--as-of", "2026-03-01"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("alert_id,stage,passenger_id,record_locator,entry_id,name_id,kind")
    body = "\n".join(lines[1:])
    assert ",P1,,E1,E1-1,watchlist," in body
    assert ",P3,,,,document_invalid" in body and "document expired" in body
    assert "P2," not in body
    assert "screened 3 passengers" in r.stderr


def test_output_formats(files):
    tmp, wl, manifest = files
    for ext in ("csv", "parquet", "json"):
        out = tmp / f"alerts.{ext}"
        r = runner.invoke(app, ["screen", manifest(*GOOD), "--watchlist", wl, "--out", str(out)])
        assert r.exit_code == 0, r.output
    frame = pl.read_parquet(tmp / "alerts.parquet")
    assert frame.filter(pl.col("kind") == "watchlist")["passenger_id"].to_list() == ["P1"]
    # The three files hold the same alerts, read back.
    as_json = pl.read_json(tmp / "alerts.json")
    as_csv = pl.read_csv(tmp / "alerts.csv", infer_schema=False)
    assert as_json.columns == as_csv.columns == frame.columns
    assert (
        as_json["alert_id"].to_list() == as_csv["alert_id"].to_list() == frame["alert_id"].to_list()
    )
    assert as_json["score"].to_list() == frame["score"].to_list()
    assert as_csv["reason"].to_list() == frame["reason"].to_list()


BAD = [
    *GOOD,
    # A listed person whose date of birth was mistyped: still screened on name and passport.
    "P4,AL HASHIMI,ABDUL RAHMAN,1975-02-30,M,IRQ,P,AB1234567,IRQ,2030-01-01",
    "P5,NASR,OMAR,1975-02-01,Q,ZZZ,P,XY0000005,EGY,2030-13-01",
    "P6,,,1975-02-01,M,EGY,P,XY0000006,EGY,2030-01-01",
    ",NOOR,LAILA,1990-01-01,F,EGY,P,XY0000008,EGY,2030-01-01",
]
LATIN = "P7,MÜLLER,HANS,1970-01-01,M,DEU,P,XY0000007,DEU,2030-01-01"


def _bad_manifest(tmp) -> str:
    """The BAD rows, and one row (file row 8) in Latin-1 among UTF-8 ones."""
    path = tmp / "bad.csv"
    text = HEADER + "\n" + "\n".join(BAD[:-1]) + "\n"
    path.write_bytes(text.encode() + LATIN.encode("latin-1") + b"\n" + BAD[-1].encode() + b"\n")
    return str(path)


def test_a_bad_field_never_lets_a_traveller_through_unscreened(files):
    tmp, wl, _ = files
    out = tmp / "alerts.csv"
    args = ["screen", _bad_manifest(tmp), "--watchlist", wl, "--out", str(out), "--threshold", "0"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    # Every row with a name is screened: 8 rows, one without a name.
    assert "screened 7 passengers" in r.stderr
    assert "NOT SCREENED: 1 row(s) with no name" in r.stderr and "row(s) 7)" in r.stderr
    problems = pl.read_csv(tmp / "alerts.problems.csv")
    assert problems.select("row", "field", "value", "action").rows() == [
        (5, "dob", "1975-02-30", "screened without this field"),
        (6, "doc_expiry", "2030-13-01", "screened without this field"),
        (6, "sex", "Q", "screened without this field"),
        (6, "nationality", "ZZZ", "screened without this field"),
        (7, "surname", None, "not screened"),
        (8, "surname", "MÜLLER", "screened without this field"),
        (9, "passenger_id", None, "screened without this field"),
    ]
    assert "read as Latin-1" in problems["problem"][5]
    alerts = pl.read_csv(out)
    hit = alerts.filter((pl.col("passenger_id") == "P4") & pl.col("kind").str.starts_with("watch"))
    assert hit["entry_id"].to_list() == ["E1"] and hit["score"][0] >= 0.5
    assert hit["data_quality"][0] == "dob: unreadable or impossible date (expected YYYY-MM-DD)"
    clean = alerts.filter(pl.col("passenger_id") == "P1")
    assert clean.height > 0 and clean["data_quality"].null_count() == clean.height
    assert "P6" not in set(alerts["passenger_id"])


def test_on_error_fail_stops_and_skip_screens_without_listing(files):
    tmp, wl, _ = files
    bad = _bad_manifest(tmp)
    r = runner.invoke(app, ["screen", bad, "--watchlist", wl, "--on-error", "fail"])
    assert r.exit_code == 2
    assert "row 8: not valid UTF-8 (byte 0xdc at offset" in r.output
    utf8_only = tmp / "utf8.csv"
    utf8_only.write_text(HEADER + "\n" + "\n".join(BAD) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["screen", str(utf8_only), "--watchlist", wl, "--on-error", "fail"])
    assert r.exit_code == 2
    assert "row 5, field dob: unreadable or impossible date" in r.output
    assert "1975-02-30" in r.output

    out = tmp / "skip.csv"
    args = ["screen", bad, "--watchlist", wl, "--on-error", "skip", "--out", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "problem(s)" not in r.stderr and not (tmp / "skip.problems.csv").exists()
    assert "NOT SCREENED: 1 row(s)" in r.stderr and "screened 7 passengers" in r.stderr
    assert "P4" in set(pl.read_csv(out)["passenger_id"])


def test_formula_cells_are_neutralized_in_the_written_csv(files):
    tmp, wl, manifest = files
    listed = "=1+1,AL HASHIMI,ABDULRAHMAN,1975-03-07,M,IRQ,P,XY0000001,IRQ,2030-01-01"
    out = tmp / "alerts.csv"
    r = runner.invoke(app, ["screen", manifest(listed), "--watchlist", wl, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert set(pl.read_csv(out)["passenger_id"]) == {"'=1+1"}


def test_column_mapping_and_generated_folder(files, tmp_path):
    _, wl, _ = files
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(HEADER.replace("surname", "last_name") + "\n" + GOOD[0] + "\n")
    r = runner.invoke(
        app, ["screen", str(renamed), "--watchlist", wl, "--columns", "last_name=surname"]
    )
    assert r.exit_code == 0 and ",P1,,E1," in r.stdout

    out = tmp_path / "world"
    assert (
        runner.invoke(app, ["generate", "-s", "teaching", "--out", str(out), "--quiet"]).exit_code
        == 0
    )
    r = runner.invoke(app, ["screen", str(out), "--out", str(tmp_path / "a.parquet")])
    assert r.exit_code == 0, r.output
    kinds = set(pl.read_parquet(tmp_path / "a.parquet")["kind"])
    assert {"watchlist_document", "document_lost_stolen", "document_invalid"} <= kinds


def test_index_cache_is_reused_while_the_list_is_unchanged(files):
    """A second run against the same list maps the saved index (same alerts); another
    list gets an index of its own; only the default matcher uses one, and Dask only on a
    local cluster."""
    tmp, wl, manifest = files
    m, cache = manifest(*GOOD), tmp / "cache"
    runs = []
    for i in range(2):
        out = tmp / f"a{i}.parquet"
        r = runner.invoke(
            app, ["screen", m, "--watchlist", wl, "--index-cache", str(cache), "--out", str(out)]
        )
        assert r.exit_code == 0, r.output
        runs.append((r.stderr, pl.read_parquet(out)))
    assert "index built and saved to" in runs[0][0] and "index loaded from" in runs[1][0]
    assert runs[0][1].equals(runs[1][1]) and runs[0][1].height > 0
    plain = tmp / "plain.parquet"
    assert runner.invoke(app, ["screen", m, "--watchlist", wl, "--out", str(plain)]).exit_code == 0
    assert pl.read_parquet(plain).equals(runs[0][1])
    assert len(list(cache.iterdir())) == 1
    other = tmp / "other.csv"
    other.write_text(LIST.replace("Mallory", "Malory"), encoding="utf-8")
    r = runner.invoke(app, ["screen", m, "--watchlist", str(other), "--index-cache", str(cache)])
    assert r.exit_code == 0 and "index built and saved to" in r.stderr
    assert len(list(cache.iterdir())) == 2
    blocked = tmp / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    out = tmp / "uncached.parquet"
    r = runner.invoke(
        app, ["screen", m, "--watchlist", wl, "--index-cache", str(blocked), "--out", str(out)]
    )
    assert r.exit_code == 0 and "not saved to" in r.stderr, r.output
    assert pl.read_parquet(out).equals(runs[0][1])
    for extra in (["--matcher", "exact"], ["--engine", "dask", "--scheduler", "tcp://[::1]:1"]):
        r = runner.invoke(
            app, ["screen", m, "--watchlist", wl, "--index-cache", str(cache), *extra]
        )
        assert r.exit_code != 0 and "--index-cache" in r.stderr
