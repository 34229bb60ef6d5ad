"""ICAO Doc 9303 machine readable zone: check digits and TD3 (passport) lines, vectorized.

Check digit: characters 0-9 → 0-9, A-Z → 10-35, `<` → 0, weights 7, 3, 1 repeating,
sum mod 10. Lines are built as polars string expressions and checked as uint8 matrices.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.generate.codes import to_strings

_VALUES = np.zeros(256, dtype=np.int64)
_VALUES[ord("0") : ord("9") + 1] = np.arange(10)
_VALUES[ord("A") : ord("Z") + 1] = np.arange(10, 36)

# Doc 9303 writes Germany as D, not DEU, in the MRZ.
_MRZ_STATE = {"DEU": "D"}


def check_digit(text: str) -> str:
    """Check digit of one field (the slow twin of `check_digits`)."""
    weights = (7, 3, 1)
    return str(sum(int(_VALUES[ord(c)]) * weights[i % 3] for i, c in enumerate(text)) % 10)


def check_digits(mat: np.ndarray) -> np.ndarray:
    """Check digit per row of an (n, w) uint8 ASCII matrix, as uint8 ASCII digits."""
    weights = np.resize(np.array([7, 3, 1], dtype=np.int64), mat.shape[1])
    return (_VALUES[mat] @ weights % 10 + ord("0")).astype(np.uint8)


def as_matrix(lines: pl.Series, width: int) -> np.ndarray:
    """A series of equal-width ASCII strings as an (n, width) uint8 matrix."""
    if len(lines) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    buf = "".join(lines.to_list()).encode("ascii")
    return np.frombuffer(buf, dtype=np.uint8).reshape(len(lines), width).copy()


def name_field(surname: pl.Expr, given: pl.Expr, width: int = 39) -> pl.Expr:
    """SURNAME<<GIVEN<NAMES: spaces and hyphens become `<`, other punctuation is dropped.

    Too-long names are cut at the field width (Doc 9303's finer truncation rules come
    with the MRZ reader).
    """

    def clean(e: pl.Expr) -> pl.Expr:
        return (
            e.fill_null("")
            .str.to_uppercase()
            .str.replace_all(r"[ \-]+", "<")
            .str.replace_all(r"[^A-Z<]", "")
            .str.strip_chars("<")
        )

    g = clean(given)
    g = pl.when(g == "FNU").then(pl.lit("")).otherwise(g)
    full = pl.concat_str([clean(surname), pl.lit("<<"), g])
    return full.str.slice(0, width).str.pad_end(width, "<")


def _date6(e: pl.Expr) -> pl.Expr:
    return e.dt.strftime("%y%m%d").fill_null("<<<<<<")


def _state(e: pl.Expr) -> pl.Expr:
    return e.replace(_MRZ_STATE).str.pad_end(3, "<")


def td3(frame: pl.DataFrame) -> pl.Series:
    """TD3 MRZ (two 44-char lines joined by a newline) for each passport row of `frame`.

    Reads `surname`, `given_names`, `doc_issuer`, `doc_number`, `nationality`, `dob`,
    `sex`, `doc_expiry`.
    """
    line1 = frame.select(
        pl.concat_str(
            [
                pl.lit("P<"),
                _state(pl.col("doc_issuer")),
                name_field(pl.col("surname"), pl.col("given_names")),
            ]
        )
    ).to_series()
    parts = frame.select(
        num=pl.col("doc_number").str.slice(0, 9).str.pad_end(9, "<"),
        nat=_state(pl.col("nationality")),
        dob=_date6(pl.col("dob")),
        sex=pl.col("sex").replace({"X": "<"}).fill_null("<"),
        exp=_date6(pl.col("doc_expiry")),
        opt=pl.lit("<" * 14),
    )
    num = as_matrix(parts["num"], 9)
    dob = as_matrix(parts["dob"], 6)
    exp = as_matrix(parts["exp"], 6)
    opt = as_matrix(parts["opt"], 14)
    n = len(frame)
    # An all-filler personal number may carry `<` as its check digit (Doc 9303 Part 4).
    c_opt = np.where((opt == ord("<")).all(axis=1), ord("<"), check_digits(opt)).astype(np.uint8)
    col = lambda v: v.reshape(n, 1)  # noqa: E731
    c_num, c_dob, c_exp = col(check_digits(num)), col(check_digits(dob)), col(check_digits(exp))
    composite = np.hstack([num, c_num, dob, c_dob, exp, c_exp, opt, col(c_opt)])
    line2 = np.hstack(
        [
            num,
            c_num,
            as_matrix(parts["nat"], 3),
            dob,
            c_dob,
            as_matrix(parts["sex"], 1),
            exp,
            c_exp,
            opt,
            col(c_opt),
            col(check_digits(composite)),
        ]
    )
    l2 = pl.Series("l2", to_strings(line2) if n else [], dtype=pl.String)
    lines = pl.DataFrame({"l1": line1, "l2": l2})
    return lines.select(pl.concat_str(["l1", pl.lit("\n"), "l2"]).alias("mrz")).to_series()


def td3_valid(mrz: pl.Series) -> np.ndarray:
    """True where all five TD3 check digits of a two-line MRZ are right."""
    line2 = mrz.str.split("\n").list.get(1, null_on_oob=True).fill_null("").str.pad_end(44, "<")
    m = as_matrix(line2.str.slice(0, 44), 44)
    if len(m) == 0:
        return np.zeros(0, dtype=bool)
    ok = (check_digits(m[:, 0:9]) == m[:, 9]) & (check_digits(m[:, 13:19]) == m[:, 19])
    ok &= check_digits(m[:, 21:27]) == m[:, 27]
    opt_filler = (m[:, 28:42] == ord("<")).all(axis=1)
    ok &= (check_digits(m[:, 28:42]) == m[:, 42]) | (opt_filler & np.isin(m[:, 42], [60, 48]))
    comp = np.hstack([m[:, 0:10], m[:, 13:20], m[:, 21:43]])
    return ok & (check_digits(comp) == m[:, 43])
