import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.data.formats.mrz import as_matrix, check_digit, check_digits, td3, td3_valid

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


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<", min_size=44, max_size=44), min_size=1)
)
def test_check_digits_of_a_matrix_are_those_of_each_field(fields):
    """The vectorized check digits, over every width a zone has, equal the one-at-a-time
    ones; the matrix comes from a slice of a longer series (an offset Arrow array)."""
    series = pl.Series(["#" * 44, *fields]).slice(1)
    mat = as_matrix(series, 44)
    assert mat.tobytes().decode() == "".join(fields)
    for width in (6, 9, 14, 39, 44):
        got = [chr(d) for d in check_digits(mat[:, :width])]
        assert got == [check_digit(f[:width]) for f in fields]


def test_as_matrix_refuses_lines_of_other_widths():
    with pytest.raises(ValueError, match="not all 44"):
        as_matrix(pl.Series(["A" * 44, "B" * 43]), 44)
    with pytest.raises(ValueError, match="not all 3"):
        as_matrix(pl.Series(["ABC", None]), 3)
    assert as_matrix(pl.Series([], dtype=pl.String), 5).shape == (0, 5)


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


SPECIMENS = [
    # (layout, zone, document number, surname, given names) — ICAO Doc 9303 specimens and
    # issuer specimens from formats.md, every check digit verified independently.
    ("TD3", ICAO_TD3, "L898902C3", "ERIKSSON", "ANNA MARIA"),
    (
        "TD2",
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        "D23145890",
        "ERIKSSON",
        "ANNA MARIA",
    ),
    (
        "TD1",
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        "D23145890",
        "ERIKSSON",
        "ANNA MARIA",
    ),
    # Long TD1 document numbers, under both issuers' check-digit conventions.
    (
        "TD1",
        "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\n"
        "STEVENSON<<PETER<JOHN<<<<<<<<<",
        "D23145890734",
        "STEVENSON",
        "PETER JOHN",
    ),
    (
        "TD1",
        "IDBEL600001795<0152<<<<<<<<<<<\n1301014F2311207BEL130101987398\n"
        "SPECIMEN<<SPECIMEN<<<<<<<<<<<<",
        "600001795015",
        "SPECIMEN",
        "SPECIMEN",
    ),
    (
        "TD1",
        "IDBEL000590240<6013<<<<<<<<<<<\n8512017F1311048BEL851201002007\n"
        "REINARTZ<<ULRIKE<KATIA<E<<<<<<",
        "000590240601",
        "REINARTZ",
        "ULRIKE KATIA E",
    ),
]


@pytest.mark.parametrize(("layout", "zone", "number", "surname", "given"), SPECIMENS)
def test_parse_specimens(layout, zone, number, surname, given):
    from screening.data.formats.mrz import parse_mrz

    r = parse_mrz(zone)
    assert (r.layout, r.valid) == (layout, True), r.problems
    assert (r.fields["doc_number"], r.fields["surname"], r.fields["given_names"]) == (
        number,
        surname,
        given,
    )
    # One flipped digit in the date of birth breaks that check and the composite.
    lines = zone.split("\n")
    row, pos = (1, 2) if layout == "TD1" else (1, 15)
    bad = list(lines[row])
    bad[pos] = "9" if bad[pos] != "9" else "8"
    lines[row] = "".join(bad)
    broken = parse_mrz("\n".join(lines))
    assert "date of birth check digit" in broken.problems
    assert "composite check digit" in broken.problems


def test_mrz_valid_mixes_layouts_and_rejects_garbage():
    from screening.data.formats.mrz import mrz_valid, parse_mrz

    zones = [z for _, z, *_ in SPECIMENS] + ["", None, "P<UTO\nnot an mrz", ICAO_TD3.lower()]
    assert mrz_valid(pl.Series(zones, dtype=pl.String)).tolist() == [True] * 6 + [False] * 4
    assert parse_mrz("abc").problems == ("layout not TD1, TD2 or TD3",)


def test_build_reproduces_the_specimens():
    from screening.data.formats.mrz import build_mrz

    uto = ("UTO", "ERIKSSON", "ANNA MARIA", "UTO", "740812", "F", "120415")
    assert build_mrz("TD3", "P", uto[0], "L898902C3", *uto[1:], "ZE184226B") == ICAO_TD3
    assert build_mrz("TD2", "I", uto[0], "D23145890", *uto[1:]) == SPECIMENS[1][1]
    assert build_mrz("TD1", "I", uto[0], "D23145890", *uto[1:]) == SPECIMENS[2][1]
    long = build_mrz(
        "TD1", "I", "UTO", "D23145890734", "STEVENSON", "PETER JOHN", "UTO", "340712", "M", "950712"
    )
    assert long == SPECIMENS[3][1]


def test_name_truncation_follows_doc_9303():
    from screening.data.formats.mrz import mrz_name

    assert mrz_name("O'Brien-Smith", "Anna Maria", 39) == "OBRIEN<SMITH<<ANNA<MARIA".ljust(39, "<")
    # Given names shrink to initials, last ones first, before the surname is touched.
    assert mrz_name("ABCDEFGHIJKLMNOPQRSTUVWX", "ALEXANDRA MARIE CHRISTINE", 39) == (
        "ABCDEFGHIJKLMNOPQRSTUVWX<<ALEXANDRA<M<C"
    )
    assert mrz_name("ABCDEFGHIJKLMNOPQRSTUVWXY", "ALEXANDRA MARIE CHRISTINE", 39) == (
        "ABCDEFGHIJKLMNOPQRSTUVWXY<<A<M<C".ljust(39, "<")
    )
    assert mrz_name("A" * 45, "JOHN", 39) == "A" * 39
    assert mrz_name("NASR", "FNU", 30) == "NASR".ljust(30, "<")


LETTERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=14)


@settings(max_examples=80, deadline=None)
@given(
    layout=st.sampled_from(["TD1", "TD2", "TD3"]),
    number=st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=5, max_size=12),
    surname=LETTERS,
    given=st.lists(LETTERS, max_size=3),
    dob=st.dates(dt.date(1930, 1, 1), dt.date(2029, 12, 31)),
    sex=st.sampled_from("MFX"),
)
def test_built_zones_parse_back(layout, number, surname, given, dob, sex):
    from screening.data.formats.mrz import build_mrz, parse_mrz

    if layout != "TD1":
        number = number[:9]  # only TD1 carries long numbers
    zone = build_mrz(
        layout,
        "P" if layout == "TD3" else "I",
        "FRA",
        number,
        surname,
        " ".join(given),
        "FRA",
        dob.strftime("%y%m%d"),
        sex,
        "300101",
    )
    parsed = parse_mrz(zone)
    assert parsed.valid, (zone, parsed.problems)
    assert parsed.fields["doc_number"] == number
    assert parsed.fields["dob"] == dob.strftime("%y%m%d")
    assert surname.startswith(parsed.fields["surname"][:1])


def test_td3_truncates_long_names_like_the_scalar_builder():
    from screening.data.formats.mrz import mrz_name

    frame = pl.DataFrame(
        {
            "surname": ["GARCIA FERNANDEZ DE LA SERNA"],
            "given_names": ["MARIA DEL CARMEN LUISA"],
            "doc_issuer": ["ESP"],
            "doc_number": ["AB1234567"],
            "nationality": ["ESP"],
            "dob": [dt.date(1980, 1, 2)],
            "sex": ["F"],
            "doc_expiry": [dt.date(2030, 1, 1)],
        }
    )
    line1 = td3(frame)[0].split("\n")[0]
    assert line1 == "P<ESP" + mrz_name("GARCIA FERNANDEZ DE LA SERNA", "MARIA DEL CARMEN LUISA", 39)
    assert "SERNA<<M<D<C<L" in line1 and len(line1) == 44
    assert td3_valid(td3(frame)).all()
