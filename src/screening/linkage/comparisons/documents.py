"""Document evidence: is the passenger's document one of the identity's?"""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.linkage.comparisons.lookup import pair_lookup
from screening.linkage.levels import (
    Document,
)


def document_evidence(
    p_doc_folded: pl.Series,
    p_doc: pl.Series,
    l_docs: pl.DataFrame,
    l_entry_code: np.ndarray,
    l_has_doc: np.ndarray,
    pi: np.ndarray,
    li: np.ndarray,
) -> np.ndarray:
    """A `Document` level per pair: is the passenger's document one of the identity's?

    The few passenger-document matches are found by one join of passengers with the
    list's documents; pairs then look them up by integer (passenger row, entry code).
    """
    passengers = pl.DataFrame({"p": np.arange(len(p_doc)), "d": p_doc, "fd": p_doc_folded})
    hits = (
        passengers.filter(pl.col("fd").str.len_chars() > 0)
        .join(l_docs, left_on="fd", right_on="doc_folded")
        .select(
            "p",
            "code",
            level=pl.when(pl.col("d") == pl.col("doc"))
            .then(Document.EXACT)
            .otherwise(Document.OCR),
        )
        .group_by("p", "code")
        .agg(pl.col("level").min())
    )
    matched = pair_lookup(hits, pi, l_entry_code[li], l_entry_code)
    has_p = (p_doc.fill_null("").str.len_chars() > 0).to_numpy()[pi]
    unmatched = np.where(has_p & l_has_doc[li], Document.DIFFERS, Document.MISSING)
    level = np.where(matched > 0, matched, unmatched)
    return level.astype(np.int8)
