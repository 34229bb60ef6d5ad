"""UN Security Council Consolidated List (XML) → canonical watch-list rows.

Every INDIVIDUAL becomes an identity (`entry_id` = its reference number, e.g. QDi.420);
its name parts (FIRST..FOURTH_NAME, in the list's order), every non-empty alias (quality
Good/Low kept; a.k.a. counts as good) and the original-script name become name rows; each
DOB form (EXACT date, year, APPROXIMATELY, BETWEEN) becomes its own row per name, since one
person often has several. Parsed with defusedxml: entity bombs and external entities are
refused with a ListFormatError naming the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
import polars as pl
import pycountry
from defusedxml import DefusedXmlException

from screening.data.lists import CONTACTS, LIST_COLUMNS, conform

LIST_NAME = "UN-SC-CONSOLIDATED"
APPROX_YEARS = 2  # "approximately 1970" is read as 1968-1972


class ListFormatError(ValueError):
    """A list file that cannot be imported; the message names the file and the problem."""


def _text(el: Element | None, tag: str) -> str:
    child = el.find(tag) if el is not None else None
    return re.sub(r"\s+", " ", child.text or "").strip() if child is not None else ""


@functools.cache
def country_code(name: str) -> str | None:
    """ISO alpha-3 of a country name as lists write it (None when unknown)."""
    name = name.strip()
    if not name:
        return None
    for candidate in (name, re.sub(r"\s*\(.*?\)", "", name)):
        try:
            return pycountry.countries.lookup(candidate).alpha_3
        except LookupError:
            pass
    try:
        return pycountry.countries.search_fuzzy(name)[0].alpha_3
    except LookupError:
        return None


def read_un_xml(path: Path) -> pl.DataFrame:
    """Canonical list rows (screening.data.lists.LIST_COLUMNS) of the individuals in a UN list."""
    path = Path(path)
    try:
        root = DET.parse(path, forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise ListFormatError(f"{path}: refused: {type(exc).__name__} ({exc})") from exc
    except (OSError, SyntaxError, LookupError, ValueError) as exc:
        # ParseError subclasses SyntaxError; an unknown declared encoding is a LookupError
        raise ListFormatError(f"{path}: not readable XML: {exc}") from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"{path}: root element is {root.tag}, not CONSOLIDATED_LIST")
    rows = []
    for ind in root.iter("INDIVIDUAL"):  # hundreds of identities
        rows += _individual(ind)
    if not rows:
        raise ListFormatError(f"{path}: no INDIVIDUAL elements")
    core = {c: t for c, t in LIST_COLUMNS.items() if c not in CONTACTS}
    return conform(pl.DataFrame(rows, schema=core, orient="row"))


def _individual(ind: Element) -> list[tuple]:
    ref = _text(ind, "REFERENCE_NUMBER") or f"UN-{_text(ind, 'DATAID')}"
    parts = [_text(ind, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    names = [(" ".join(p for p in parts if p), "good")]
    for alias in ind.findall("INDIVIDUAL_ALIAS"):
        text = _text(alias, "ALIAS_NAME")
        if text:
            quality = "low" if _text(alias, "QUALITY").lower() == "low" else "good"
            names.append((text, quality))
    original = _text(ind, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append((original, "low"))
    sex = {"male": "M", "female": "F"}.get(_text(ind, "GENDER").lower())
    nats = [_text(v, ".") for v in ind.findall("NATIONALITY/VALUE")]
    codes = sorted({c for c in map(country_code, nats) if c})
    docs = sorted(
        {
            re.sub(r"\s+", "", _text(d, "NUMBER"))
            for d in ind.findall("INDIVIDUAL_DOCUMENT")
            if _text(d, "NUMBER")
        }
    )
    dobs = [_dob(d) for d in ind.findall("INDIVIDUAL_DATE_OF_BIRTH")]
    dobs = [d for d in dobs if d != (None, None, None)] or [(None, None, None)]
    category = _text(ind, "UN_LIST_TYPE") or "un_designated"
    out = []
    for k, (full, quality) in enumerate(names, start=1):
        tokens = full.split(" ")
        surname = tokens[-1] if len(tokens) > 1 else full
        given = " ".join(tokens[:-1]) if len(tokens) > 1 else None
        for dob, y_from, y_to in dobs:
            out.append(
                (
                    ref,
                    f"{ref}-{k}",
                    surname,
                    given,
                    quality,
                    LIST_NAME,
                    category,
                    dob,
                    y_from,
                    y_to,
                    sex,
                    codes,
                    docs,
                )
            )
    return out


def _dob(el: Element) -> tuple:
    """(date or None, year_from, year_to) of one INDIVIDUAL_DATE_OF_BIRTH."""
    kind = _text(el, "TYPE_OF_DATE").upper()
    date, year = _text(el, "DATE"), _text(el, "YEAR")
    lo, hi = _text(el, "FROM_YEAR"), _text(el, "TO_YEAR")
    if kind == "BETWEEN" and lo.isascii() and lo.isdigit() and hi.isascii() and hi.isdigit():
        return None, int(lo), int(hi)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        y = int(date[:4])
        if kind == "APPROXIMATELY":
            return None, y - APPROX_YEARS, y + APPROX_YEARS
        try:
            return dt.date.fromisoformat(date), y, y
        except ValueError:
            return None, y, y
    y_text = year or date[:4]
    if y_text.isascii() and y_text.isdigit():
        y = int(y_text)
        return (
            (None, y - APPROX_YEARS, y + APPROX_YEARS) if kind == "APPROXIMATELY" else (None, y, y)
        )
    return None, None, None
