"""ICAO Doc 9303 machine readable zone: check digits, TD3 (passport) lines built and
checked vectorized, and TD1/TD2/TD3 zones parsed and validated one at a time.

Check digit: characters 0-9 → 0-9, A-Z → 10-35, `<` → 0, weights 7, 3, 1 repeating,
sum mod 10. Lines are built as polars string expressions and checked as uint8 matrices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

_VALUES = np.zeros(256, dtype=np.int64)
_VALUES[ord("0") : ord("9") + 1] = np.arange(10)
_VALUES[ord("A") : ord("Z") + 1] = np.arange(10, 36)

# Doc 9303 writes Germany as D, not DEU, in the MRZ.
_MRZ_STATE = {"DEU": "D"}


def to_strings(mat: np.ndarray) -> np.ndarray:
    """Rows of an (n, w) uint8 ASCII matrix as an object array of str."""
    n, w = mat.shape
    fixed = np.ascontiguousarray(mat).view(f"S{w}").reshape(n)
    return fixed.astype(f"U{w}").astype(object)


def check_digit(text: str) -> str:
    """Check digit of one field (the slow twin of `check_digits`)."""
    weights = (7, 3, 1)
    return str(sum(int(_VALUES[ord(c)]) * weights[i % 3] for i, c in enumerate(text)) % 10)


def check_digits(mat: np.ndarray) -> np.ndarray:
    """Check digit per row of an (n, w) uint8 ASCII matrix, as uint8 ASCII digits."""
    # Values a byte each and the sum in 16 bits (at most 44 x 35 x 7 = 10,780), column by
    # column: a million zones' values as int64 and an integer matmul took a second,
    # most of it the fresh 8-byte-per-character temporary.
    values = _VALUES.astype(np.uint8)[mat]
    total = np.zeros(len(mat), dtype=np.uint16)
    for j, w in enumerate(np.resize(np.array([7, 3, 1], dtype=np.uint16), mat.shape[1])):
        total += values[:, j] * w
    return (total % 10 + ord("0")).astype(np.uint8)


def as_matrix(lines: pl.Series, width: int) -> np.ndarray:
    """A series of equal-width ASCII strings as an (n, width) uint8 matrix."""
    if len(lines) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    # The Arrow buffer of the strings is the matrix already (three times faster than
    # joining a million Python strings).
    arr = pc.cast(lines.cast(pl.Binary).to_arrow(), pa.large_binary())
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + len(arr) + 1]
    if arr.null_count or offsets[-1] - offsets[0] != len(arr) * width:
        raise ValueError(f"as_matrix: lines are not all {width} ASCII characters")
    data = np.frombuffer(arr.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(lines), width).copy()


def _truncate_long_names(names: pl.Series, frame: pl.DataFrame, width: int = 39) -> pl.Series:
    """Fields wider than the zone go through Doc 9303's truncation (`mrz_name`); they are
    a handful of rows, so they are done one at a time."""
    long_rows = np.flatnonzero((names.str.len_chars() > width).to_numpy())
    out = names.str.pad_end(width, "<").to_numpy().astype(object)
    for i in long_rows:  # rare: names longer than 39 characters
        out[i] = mrz_name(frame["surname"][int(i)] or "", frame["given_names"][int(i)] or "", width)
    return pl.Series(out, dtype=pl.String)


def name_field(surname: pl.Expr, given: pl.Expr, width: int | None = 39) -> pl.Expr:
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
    if width is None:
        return full
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
    names = frame.select(name_field(pl.col("surname"), pl.col("given_names"), width=None))
    names = _truncate_long_names(names.to_series(), frame)
    line1 = (
        frame.with_columns(_name=names)
        .select(
            pl.concat_str(
                [
                    pl.lit("P<"),
                    _state(pl.col("doc_issuer")),
                    pl.col("_name"),
                ]
            )
        )
        .to_series()
    )
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


# ---- one MRZ at a time: parse and validate TD1, TD2 and TD3 ----

LAYOUTS = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}


@dataclass(frozen=True)
class ParsedMRZ:
    """The fields of one MRZ and the names of the checks that failed (empty if valid)."""

    layout: str
    fields: dict[str, str]
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def _ok(field: str, digit: str) -> bool:
    return check_digit(field) == digit


def parse_mrz(text: str) -> ParsedMRZ:
    """Parse and validate a TD1 (3x30), TD2 (2x36) or TD3 (2x44) machine readable zone."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    layout = LAYOUTS.get((len(lines), len(lines[0]) if lines else 0))
    if layout is None or any(len(ln) != len(lines[0]) for ln in lines):
        return ParsedMRZ("unknown", {}, ("layout not TD1, TD2 or TD3",))
    if any(not set(ln) <= _ALLOWED for ln in lines):
        return ParsedMRZ(layout, {}, ("characters outside A-Z, 0-9 and <",))
    return _td1(lines) if layout == "TD1" else _td23(lines, layout)


_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def _name(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    clean = lambda s: " ".join(s.replace("<", " ").split())  # noqa: E731
    return clean(surname), clean(given)


def _td23(lines: list[str], layout: str) -> ParsedMRZ:
    l1, l2 = lines
    width = len(l1)
    surname, given = _name(l1[5:])
    fields = {
        "doc_code": l1[0:2].rstrip("<"),
        "issuer": l1[2:5].rstrip("<"),
        "surname": surname,
        "given_names": given,
        "doc_number": l2[0:9].rstrip("<"),
        "nationality": l2[10:13].rstrip("<"),
        "dob": l2[13:19],
        "sex": l2[20],
        "expiry": l2[21:27],
        "optional": l2[28 : width - 2 if layout == "TD3" else width - 1].rstrip("<"),
    }
    problems = []
    for name, field, digit in (
        ("document number", l2[0:9], l2[9]),
        ("date of birth", l2[13:19], l2[19]),
        ("expiry", l2[21:27], l2[27]),
    ):
        if not _ok(field, digit):
            problems.append(f"{name} check digit")
    if layout == "TD3":
        opt, digit = l2[28:42], l2[42]
        if not (_ok(opt, digit) or (opt == "<" * 14 and digit in "<0")):
            problems.append("personal number check digit")
        composite = l2[0:10] + l2[13:20] + l2[21:43]
    else:
        composite = l2[0:10] + l2[13:20] + l2[21:35]
    if not _ok(composite, l2[-1]):
        problems.append("composite check digit")
    return ParsedMRZ(layout, fields, tuple(problems))


def _td1(lines: list[str]) -> ParsedMRZ:
    l1, l2, l3 = lines
    number, problems = l1[5:14], []
    if l1[14] == "<" and l1[15] != "<":
        # Long document number: the rest and its check digit open the optional field.
        ext = l1[15:30].split("<")[0]
        rest, digit = ext[:-1], ext[-1:]
        number = l1[5:14] + rest
        # Issuers disagree on whether the filler at position 15 is in the check: accept both.
        if not (_ok(number, digit) or _ok(l1[5:15] + rest, digit)):
            problems.append("document number check digit")
    elif not _ok(number, l1[14]):
        problems.append("document number check digit")
    for name, field, digit in (("date of birth", l2[0:6], l2[6]), ("expiry", l2[8:14], l2[14])):
        if not _ok(field, digit):
            problems.append(f"{name} check digit")
    if not _ok(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]):
        problems.append("composite check digit")
    surname, given = _name(l3)
    fields = {
        "doc_code": l1[0:2].rstrip("<"),
        "issuer": l1[2:5].rstrip("<"),
        "doc_number": number.rstrip("<"),
        "dob": l2[0:6],
        "sex": l2[7],
        "expiry": l2[8:14],
        "nationality": l2[15:18].rstrip("<"),
        "surname": surname,
        "given_names": given,
    }
    return ParsedMRZ("TD1", fields, tuple(problems))


def mrz_valid(mrz: pl.Series) -> np.ndarray:
    """True where an MRZ of any layout passes its checks: TD3 vectorized, the (rare) TD1
    and TD2 zones parsed one distinct value at a time."""
    text = mrz.fill_null("")
    td3 = (text.str.len_chars() == 89) & (text.str.count_matches("\\n") == 1)
    out = np.zeros(len(mrz), dtype=bool)
    rows = np.flatnonzero(td3.to_numpy())
    out[rows] = td3_valid(text.gather(rows))
    other = np.flatnonzero(~td3.to_numpy() & (text.str.len_chars() > 0).to_numpy())
    if len(other):
        values = text.gather(other)
        verdict = {v: parse_mrz(v).valid for v in values.unique().to_list()}
        out[other] = values.replace_strict(verdict, return_dtype=pl.Boolean).to_numpy()
    return out


# ---- one MRZ at a time: build TD1, TD2 and TD3 ----

NAME_WIDTH = {"TD1": 30, "TD2": 31, "TD3": 39}


def mrz_name(surname: str, given: str, width: int) -> str:
    """The name field, truncated as Doc 9303 Part 3 asks: given names first (down to
    initials, keeping one character of each where possible), the surname only if it alone
    does not fit."""
    clean = lambda s: re.sub(r"[^A-Z ]", "", re.sub(r"[ \-]+", " ", s.upper())).split()  # noqa: E731
    primary = "<".join(clean(surname))
    parts = [p for p in clean(given) if p != "FNU"]
    if len(primary) + 3 > width or not parts:
        return (primary[:width] if len(primary) + 3 > width else primary).ljust(width, "<")
    for k in range(len(parts), -1, -1):  # the last k-th.. components become initials
        names = parts[:k] + [p[0] for p in parts[k:]]
        text = primary + "<<" + "<".join(names)
        if len(text) <= width:
            return text.ljust(width, "<")
    return (primary + "<<" + "<".join(p[0] for p in parts))[:width].ljust(width, "<")


def _state3(code: str) -> str:
    return _MRZ_STATE.get(code, code)[:3].ljust(3, "<")


def build_mrz(
    layout: str,
    doc_code: str,
    issuer: str,
    number: str,
    surname: str,
    given: str,
    nationality: str,
    dob: str,
    sex: str,
    expiry: str,
    optional: str = "",
) -> str:
    """One MRZ (lines joined by newlines). Dates as YYMMDD; sex M, F or X."""
    sex = {"X": "<"}.get(sex, sex or "<")
    code = doc_code.ljust(2, "<")
    name = mrz_name(surname, given, NAME_WIDTH[layout])
    if layout == "TD1":
        head, tail = number[:9].ljust(9, "<"), number[9:]
        if tail:  # long number: the rest and its check digit open the optional field
            field = head + "<" + (tail + check_digit(number) + optional)[:15].ljust(15, "<")
        else:
            field = head + check_digit(head) + optional[:15].ljust(15, "<")
        l1 = code + _state3(issuer) + field
        l2 = (
            dob
            + check_digit(dob)
            + sex
            + expiry
            + check_digit(expiry)
            + _state3(nationality)
            + "<" * 11
        )
        comp = check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        return "\n".join([l1, l2 + comp, name])
    width = 44 if layout == "TD3" else 36
    num = number[:9].ljust(9, "<")
    opt_len = 14 if layout == "TD3" else 7
    opt = optional[:opt_len].ljust(opt_len, "<")
    l2 = (
        num
        + check_digit(num)
        + _state3(nationality)
        + dob
        + check_digit(dob)
        + sex
        + expiry
        + check_digit(expiry)
        + opt
    )
    if layout == "TD3":
        l2 += "<" if opt == "<" * 14 else check_digit(opt)
        comp = check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    else:
        comp = check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    l1 = (code + _state3(issuer) + name)[:width]
    return l1 + "\n" + l2 + comp
