"""The report's gallery of one name on its way, on a hand-made world."""

import polars as pl

from screening.evaluate.gallery import gallery

TRUTH = pl.DataFrame(
    {
        "passenger_id": ["P1", "P2", "P3", "P4", "P5"],
        "entry_id": ["E1", "E2", "E3", None, "E5"],
        "role": ["listed", "listed", "listed", "ordinary", "listed"],
        "origin": ["arabic", "korean", "arabic", "english", "korean"],
        "original_script": ["محمد علي", "김민준", "حسن", None, "박지원"],
        "corruptions": [["translit"], ["dob_shift"], ["typo", "swap"], [], ["typo"]],
    }
)
PASSENGERS = pl.DataFrame(
    {
        "passenger_id": ["P1", "P2", "P3", "P4", "P5"],
        "surname": ["ALY", "KIM", "HASAN", "SMITH", "PPARK"],
        "given_names": ["MUHAMMAD", "MINJUN", None, "JOHN", "JIWON"],
    }
)
NAMES = pl.DataFrame(
    {
        "entry_id": ["E1", "E1", "E3", "E3", "E5"],
        "name_id": ["E1-1", "E1-2", "E3-2", "E3-1", "E5-1"],
        "surname": ["ALI", "ALY", "HASSAN", "HASAN", "PARK"],
        "given_names": ["MOHAMMED", None, "ABU ALI", None, "JIWON"],
        "is_primary": [True, False, False, True, True],
        "quality": ["good", "low", "low", "good", "good"],
    }
)


def test_one_person_per_origin_most_changed_name_first():
    g = gallery(PASSENGERS, TRUTH, NAMES)
    # Arabic: P3 (two name changes) over P1 (one); Korean: P5 (P2's change is a date).
    assert g["entry_id"].unique(maintain_order=True).to_list() == ["E3", "E5"]
    e3 = g.filter(pl.col("entry_id") == "E3")
    assert e3["what"].to_list() == [
        "their name",
        "on the list",
        "an alias on the list",
        "on the passport",
    ]
    assert e3["name"].to_list() == ["حسن", "HASAN", "HASSAN, ABU ALI", "HASAN"]
    assert e3["note"].to_list() == ["", "good", "low", "typo, swap"]
    assert e3["step"].to_list() == [0, 1, 2, 3]


def test_at_most_the_people_asked_for():
    assert gallery(PASSENGERS, TRUTH, NAMES, people=1)["entry_id"].unique().to_list() == ["E3"]
    nobody = TRUTH.with_columns(original_script=pl.lit(None, pl.String))
    assert gallery(PASSENGERS, nobody, NAMES).is_empty()
