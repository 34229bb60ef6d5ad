import datetime as dt

import numpy as np
import polars as pl
import pytest

from screening.formats.mrz import check_digit, check_digits, td3, td3_valid

ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


@pytest.mark.parametrize(
    ("field", "digit"),
    [
        ("520727", "3"),
        ("AB2134<<<", "5"),
        ("123456BB", "5"),
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
    ],
)
def test_check_digit_vectors(field, digit):
    assert check_digit(field) == digit
    mat = np.frombuffer(field.encode(), dtype=np.uint8).reshape(1, -1)
    assert chr(check_digits(mat)[0]) == digit


def test_td3_reproduces_the_german_specimen():
    frame = pl.DataFrame(
        {
            "surname": ["MUSTERMANN"],
            "given_names": ["ERIKA"],
            "doc_issuer": ["DEU"],
            "doc_number": ["C01X0006H"],
            "nationality": ["DEU"],
            "dob": [dt.date(1964, 8, 12)],
            "sex": ["F"],
            "doc_expiry": [dt.date(2017, 10, 31)],
        }
    )
    assert td3(frame).to_list() == [
        "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<<0"
    ]


def test_td3_name_field_rules():
    frame = pl.DataFrame(
        {
            "surname": ["O'BRIEN-SMITH", "NASR"],
            "given_names": ["ANNA MARIA", "FNU"],
            "doc_issuer": ["IRL", "EGY"],
            "doc_number": ["AB1234567", "123"],
            "nationality": ["IRL", "EGY"],
            "dob": [dt.date(1980, 1, 2), None],
            "sex": ["F", "X"],
            "doc_expiry": [dt.date(2030, 1, 1), dt.date(2030, 1, 1)],
        }
    )
    line1 = [m.split("\n")[0] for m in td3(frame).to_list()]
    assert line1[0] == "P<IRLOBRIEN<SMITH<<ANNA<MARIA".ljust(44, "<")
    assert line1[1] == "P<EGYNASR<<".ljust(44, "<")  # FNU is not a name
    assert all(len(m.split("\n")[1]) == 44 for m in td3(frame).to_list())
    assert td3_valid(td3(frame)).all()


def test_td3_valid_accepts_the_specimen_and_rejects_corruption():
    bad = ICAO_TD3[:-2] + "20"
    ocr = ICAO_TD3.replace("L898902C3", "L898902O3")
    assert td3_valid(pl.Series([ICAO_TD3, bad, ocr])).tolist() == [True, False, False]


def test_every_generated_passport_validates_unless_planted_invalid(research):
    p = research["passengers"].join(research["truth"], on="passenger_id")
    valid = td3_valid(p["mrz"])
    assert (valid == ~p["mrz_invalid"].to_numpy()).all()
    assert p["mrz_invalid"].sum() > 0
    # The MRZ carries the manifest's own document number and date of birth.
    line2 = p["mrz"].str.split("\n").list.get(1)
    assert (line2.str.slice(0, 9).str.strip_chars("<") == p["doc_number"]).all()
    assert (line2.str.slice(13, 6) == p["dob"].dt.strftime("%y%m%d")).all()
