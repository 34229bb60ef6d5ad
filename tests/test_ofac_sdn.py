"""OFAC SDN legacy CSV import: nulls, Ctrl-Z, names, Remarks fields, the real files."""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.data.formats.ofac_sdn import looks_like_sdn, read_ofac_sdn
from screening.data.formats.un_list import ListFormatError

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "watchlists"

# Synthetic rows in the legacy layout (no header, -0- nulls, CRLF, trailing Ctrl-Z).
SDN = (
    '9001,"TALIQ, Zarkan Bin",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 03 Apr 1971; alt. DOB circa 1969; POB Homs, Syria; nationality Syria; '
    'Passport N0012345 (Syria); Gender Male."\r\n'
    '9002,"VARANE, Pello",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 1965 to 1968; nationality Iraq."\r\n'
    '9003,"FRONT COMPANY LTD",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
)
ALT = '9001,1,"aka","AL-MORADI, Zarkan",-0- \r\n9001,2,"aka","ABU TALIQ",-0- \r\n\x1a'


def test_sample(tmp_path):
    sdn = tmp_path / "sdn.csv"
    sdn.write_text(SDN, encoding="ascii", newline="")
    (tmp_path / "alt.csv").write_text(ALT, encoding="ascii", newline="")
    assert looks_like_sdn(sdn)
    rows = read_ofac_sdn(sdn)
    assert rows["entry_id"].unique().sort().to_list() == ["SDN-9001", "SDN-9002"]
    e = rows.filter(pl.col("entry_id") == "SDN-9001")
    names = e.unique("name_id", maintain_order=True).select("surname", "given_names").rows()
    assert names == [("TALIQ", "Zarkan Bin"), ("AL-MORADI", "Zarkan"), ("ABU TALIQ", None)]
    dobs = (
        e.filter(pl.col("name_id") == "SDN-9001-1")
        .select("dob", "dob_year_from", "dob_year_to")
        .rows()
    )
    assert dobs == [(dt.date(1971, 4, 3), 1971, 1971), (None, 1967, 1971)]
    assert (
        e["nationalities"][0].to_list() == ["SYR"]
        and e["documents"][0].to_list() == ["N0012345"]
        and e["sex"][0] == "M"
    )
    v = rows.filter(pl.col("entry_id") == "SDN-9002")
    assert v.select("dob_year_from", "dob_year_to").rows() == [(1965, 1968)]


def test_bad_files(tmp_path):
    bad = tmp_path / "sdn.csv"
    bad.write_text('1,"A",individual\n', encoding="ascii")
    with pytest.raises(ListFormatError, match=r"sdn\.csv: not an OFAC legacy CSV"):
        read_ofac_sdn(bad)


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
@pytest.mark.parametrize("folder", ["ofac_sdn_2021", "ofac_sdn_2024"])
def test_real_sdn_counts(folder):
    path = REAL / folder / "sdn.csv"
    text = path.read_bytes().decode("latin-1")
    # Counted on the raw text: rows whose third field is "individual".
    individuals = set(re.findall(r'^(\d+),"(?:[^"]|"")*",\s*"?individual"?\s*,', text, re.M))
    rows = read_ofac_sdn(path)
    assert rows["entry_id"].n_unique() == len(individuals)
    if (REAL / folder / "alt.csv").exists():
        alt = (REAL / folder / "alt.csv").read_bytes().decode("latin-1")
        alt_ids = re.findall(r"^(\d+),", alt, re.M)
        expected = len(individuals) + sum(a in individuals for a in alt_ids)
        assert rows["name_id"].n_unique() == expected


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
def test_cli_imports_the_real_sdn(tmp_path):
    out = tmp_path / "wl.parquet"
    r = CliRunner().invoke(
        app, ["lists", "import", str(REAL / "ofac_sdn_2021" / "sdn.csv"), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "4,566 identities" in r.output


def test_real_alias_bench_refuses_an_sdn_without_its_alt_file(tmp_path):
    """OFAC keeps a.k.a. names in alt.csv: without it no listed person has a second name to
    travel under, and the benchmark says so instead of reporting nan."""
    sdn = tmp_path / "sdn.csv"
    sdn.write_text(SDN, encoding="ascii", newline="")
    args = ["bench", "--real-list", str(sdn), "--matchers", "exact", "--scenarios", "teaching"]
    r = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert r.exit_code != 0
    assert "needs its alt.csv" in " ".join(r.output.split())
    assert not (tmp_path / "out" / "real_list.csv").exists()
