"""State codes as travel documents write them: ISO 3166-1 alpha-3 plus ICAO Doc 9303's own."""

from __future__ import annotations

import functools

import pycountry

# ICAO Doc 9303 codes that are not ISO alpha-3: Germany's D, the British variants, Kosovo,
# and codes for organizations or stateless persons (no state to notify).
ICAO_TO_ISO = {
    "D": "DEU",
    "GBD": "GBR",
    "GBN": "GBR",
    "GBO": "GBR",
    "GBP": "GBR",
    "GBS": "GBR",
}
NOT_A_STATE = ("UNO", "UNA", "UNK", "XXA", "XXB", "XXC", "XXX", "XOM", "XPO", "XES", "EUE")
KOSOVO = "RKS"  # no ISO code; ICAO uses RKS


@functools.cache
def document_codes() -> frozenset[str]:
    """Every code a passport's nationality or issuer field may carry."""
    iso = {c.alpha_3 for c in pycountry.countries}
    return frozenset(iso | set(ICAO_TO_ISO) | set(NOT_A_STATE) | {KOSOVO})
