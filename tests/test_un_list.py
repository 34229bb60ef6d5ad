"""UN consolidated list XML import: DOB forms, aliases, hostile XML, the real list."""

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from screening.cli import app
from screening.data.formats.un_list import ListFormatError, country_code, read_un_xml

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "watchlists" / "un"

# A small list of our own (synthetic names), in the real file's layout.
SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>1</DATAID><FIRST_NAME> ZARKAN </FIRST_NAME><SECOND_NAME>BIN TALIQ</SECOND_NAME>
   <THIRD_NAME>AL-MORADI</THIRD_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
   <REFERENCE_NUMBER>QDi.900</REFERENCE_NUMBER><NAME_ORIGINAL_SCRIPT>زركان</NAME_ORIGINAL_SCRIPT>
   <GENDER>Male</GENDER>
   <NATIONALITY><VALUE>Syrian Arab Republic</VALUE><VALUE>Iraq</VALUE></NATIONALITY>
   <INDIVIDUAL_ALIAS>
    <QUALITY>Good</QUALITY>
    <ALIAS_NAME>Zarkan al-Moradi</ALIAS_NAME>
    </INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Taliq</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_DATE_OF_BIRTH>
    <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
    <DATE>1971-04-03</DATE>
    </INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH>
    <TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE>
    <YEAR>1969</YEAR>
    </INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH>
    <TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>
    <FROM_YEAR>1965</FROM_YEAR>
    <TO_YEAR>1968</TO_YEAR>
    </INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DOCUMENT>
    <TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>
    <NUMBER> N 0012345</NUMBER>
    </INDIVIDUAL_DOCUMENT>
  </INDIVIDUAL>
  <INDIVIDUAL>
   <DATAID>2</DATAID><FIRST_NAME>PELLO</FIRST_NAME><SECOND_NAME>VARANE</SECOND_NAME>
   <REFERENCE_NUMBER>TAi.901</REFERENCE_NUMBER>
   <INDIVIDUAL_DATE_OF_BIRTH><YEAR>1980</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES><ENTITY><DATAID>3</DATAID><FIRST_NAME>SOME FRONT COMPANY</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>
"""


def _write(tmp_path, text, name="list.xml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_sample_names_dates_nationalities_documents(tmp_path):
    rows = read_un_xml(_write(tmp_path, SAMPLE))
    e = rows.filter(pl.col("entry_id") == "QDi.900")
    names = e.unique("name_id", maintain_order=True)
    assert names.select("surname", "given_names", "quality").rows() == [
        ("AL-MORADI", "ZARKAN BIN TALIQ", "good"),
        ("al-Moradi", "Zarkan", "good"),
        ("Taliq", "Abu", "low"),
        ("زركان", None, "low"),
    ]
    dobs = e.filter(pl.col("name_id") == "QDi.900-1").select("dob", "dob_year_from", "dob_year_to")
    assert dobs.rows() == [
        (dt.date(1971, 4, 3), 1971, 1971),
        (None, 1967, 1971),
        (None, 1965, 1968),
    ]
    assert e["nationalities"][0].to_list() == ["IRQ", "SYR"]
    assert e["documents"][0].to_list() == ["N0012345"] and e["sex"][0] == "M"
    other = rows.filter(pl.col("entry_id") == "TAi.901")
    assert other.select("dob", "dob_year_from").rows() == [(None, 1980)]
    assert rows["entry_id"].n_unique() == 2  # entities are not individuals


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>",
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<CONSOLIDATED_LIST>&x;</CONSOLIDATED_LIST>",
    ],
)
def test_hostile_xml_is_refused(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(ListFormatError, match=re.escape(str(path)) + ": refused"):
        read_un_xml(path)


def test_broken_and_wrong_files(tmp_path):
    with pytest.raises(ListFormatError, match="not readable XML"):
        read_un_xml(_write(tmp_path, "<CONSOLIDATED_LIST><INDIVIDUAL>"))
    with pytest.raises(ListFormatError, match="root element is OTHER"):
        read_un_xml(_write(tmp_path, "<OTHER/>"))
    assert country_code("Iran (Islamic Republic of)") == "IRN"
    assert country_code("") is None


def test_cli_import_and_screen_against_the_xml(tmp_path):
    xml = _write(tmp_path, SAMPLE)
    out = tmp_path / "wl.parquet"
    r = CliRunner().invoke(app, ["lists", "import", str(xml), "--out", str(out)])
    assert r.exit_code == 0 and "2 identities" in r.output
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "passenger_id,surname,given_names,dob,sex,nationality,doc_type,doc_number,doc_issuer,"
        "doc_expiry\nP1,AL MORADI,ZARKAN,1971-04-03,M,SYR,P,X1234567,SYR,2030-01-01\n"
    )
    for wl in (xml, out):
        r = CliRunner().invoke(app, ["screen", str(manifest), "--watchlist", str(wl)])
        assert r.exit_code == 0, r.output
        assert ",P1,,QDi.900," in r.stdout


@pytest.mark.skipif(not REAL.exists(), reason=f"real-data folder absent ({REAL})")
@pytest.mark.parametrize(
    "name", ["un_consolidated_2018-10-29.xml", "un_consolidated_2020-03-20.xml"]
)
def test_real_un_list_counts(name):
    path = REAL / name
    text = path.read_text(encoding="utf-8")
    individuals = text.split("<ENTITIES")[0]
    # Counted on the raw text, independently of the parser.
    n_individuals = len(re.findall(r"<INDIVIDUAL>", individuals))
    blocks = re.findall(r"<INDIVIDUAL>(.*?)</INDIVIDUAL>", individuals, flags=re.S)
    n_aliases = sum(len(re.findall(r"<ALIAS_NAME>\s*[^<\s][^<]*</ALIAS_NAME>", b)) for b in blocks)
    n_original = sum(bool(re.search(r"<NAME_ORIGINAL_SCRIPT>\s*[^<\s]", b)) for b in blocks)
    rows = read_un_xml(path)
    assert rows["entry_id"].n_unique() == n_individuals
    assert rows["name_id"].n_unique() == n_individuals + n_aliases + n_original
