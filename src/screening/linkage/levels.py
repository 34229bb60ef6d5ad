"""Every evidence level a candidate pair can have, one IntEnum per comparison.

Pair arrays hold these as small integers (int8); explanations and weight tables use the
labels. The order of each enum is the order of its weight table in the settings."""

from __future__ import annotations

from enum import IntEnum


class Dob(IntEnum):
    """Dates of birth, passenger against listed (a full date, or a year range)."""

    MISSING = 0  # either side unknown
    EXACT = 1
    SWAP = 2  # day and month swapped
    NEAR = 3  # one day apart
    PARTIAL = 4  # birth year inside the listed range
    PARTIAL_NEAR = 5  # birth year one off the listed range
    SAME_YEAR = 6
    DIFFERS = 7


class Document(IntEnum):
    """Is the passenger's document one of the identity's?"""

    MISSING = 0  # not compared: either side has none
    EXACT = 1
    OCR = 2  # equal once OCR confusions (0/O, 1/I ...) are folded
    DIFFERS = 3


class NameHow(IntEnum):
    """Which view of the names made them look alike."""

    EXACT = 0
    REORDERED = 1
    COMPOUND = 2
    TRANSLITERATION = 3
    PARTIAL = 4
    INITIALS = 5
    SPELLING = 6
    # Whole names unlike, but one name's most informative part is in the other (a surname
    # kept beside other given names, a patronymic added): scored as its own level.
    SHARED_PART = 7


class Contact(IntEnum):
    """Does the traveller's booking contact equal one the identity used?"""

    MISSING = 0  # either side has no contact
    NONE = 1  # both have contacts, none agrees
    PHONE = 2
    EMAIL = 3
    BOTH = 4


class Nationality(IntEnum):
    DIFFERS = -1
    MISSING = 0
    AGREE = 1


class Sex(IntEnum):
    DIFFERS = -1
    MISSING = 0
    AGREE = 1


# Keyed by (enum, name): IntEnum members of equal value compare equal across enums.
_LABELS = {(NameHow, "PARTIAL"): "partial name", (NameHow, "SHARED_PART"): "shared part"}


def label(level: IntEnum) -> str:
    """The word explanations and weight tables use (Dob.SAME_YEAR -> same_year)."""
    return _LABELS.get((type(level), level.name), level.name.lower())


def labels(levels: type[IntEnum]) -> tuple[str, ...]:
    """Labels in value order, for level arrays that index them (non-negative levels)."""
    return tuple(label(v) for v in sorted(levels, key=int))


DOB_LEVELS = labels(Dob)
DOC_LEVELS = labels(Document)
CONTACT_LEVELS = labels(Contact)
NAME_HOW = labels(NameHow)
