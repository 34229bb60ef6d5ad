"""Every state code the generator writes is a real ISO 3166-1 alpha-3 code.

Uses the ISO table in ../shared/realdata (never copied into the repository); skipped
when that folder is absent.
"""

from pathlib import Path

import polars as pl
import pytest

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
ISO = REALDATA / "codes" / "iso3166_alpha3.tsv"

pytestmark = pytest.mark.skipif(
    not ISO.exists(), reason=f"real-data folder absent ({ISO}); country-code check skipped"
)


def _alpha3() -> set[str]:
    lines = [
        ln
        for ln in ISO.read_text(encoding="utf-8").splitlines()[1:]
        if ln and not ln.startswith("#")
    ]
    header = lines[0].split("\t")
    col = header.index("Alpha-3 code")
    return {ln.split("\t")[col] for ln in lines[1:]}


def test_generated_state_codes_are_iso_alpha3(research):
    codes = _alpha3()
    assert len(codes) > 240
    p = research["passengers"]
    used = set(
        pl.concat(
            [
                p["nationality"],
                p["doc_issuer"],
                p["residence_country"],
                research["watchlist"]["nationalities"].explode().drop_nulls(),
                research["documents_lost_stolen"]["doc_issuer"],
            ]
        ).unique()
    )
    assert used - codes == set()
