"""Document evidence: is the passenger's document one of the identity's?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from screening.linkage.comparisons.lookup import pair_lookup
from screening.linkage.levels import (
    Document,
)
from screening.linkage.ragged import range_positions


@dataclass(frozen=True)
class ListDocuments:
    """The list's documents (entry_id, doc, doc_folded, code) and the 64-bit hashes of
    their folded forms, sorted: a manifest's documents are found by binary search. A join
    hashed all of them for every chunk (a flight: 2.3 ms of its ~27 for 36,722 listed
    documents)."""

    docs: pl.DataFrame
    hashes: np.ndarray  # uint64, sorted
    order: np.ndarray  # the docs row of each hash

    @staticmethod
    def of(docs: pl.DataFrame) -> ListDocuments:
        h = docs["doc_folded"].hash(seed=0).to_numpy()
        order = np.argsort(h, kind="stable")
        return ListDocuments(docs, h[order], order)


def document_hits(p_doc_folded: pl.Series, p_doc: pl.Series, listed: ListDocuments) -> pl.DataFrame:
    """(p, code, level): each passenger row whose document is one of identity `code`'s,
    EXACT as written or OCR once folded (the better of the two where both are listed)."""
    fd = p_doc_folded.cast(pl.String).fill_null("")
    h = fd.hash(seed=0).to_numpy()
    lo = np.searchsorted(listed.hashes, h, "left")
    n = np.searchsorted(listed.hashes, h, "right") - lo
    n[(fd.str.len_chars() == 0).to_numpy()] = 0
    empty = pl.DataFrame(schema={"p": pl.Int64, "code": pl.Int64, "level": pl.Int64})
    total = int(n.sum())
    if total == 0:
        return empty
    hit_p = np.repeat(np.arange(len(h), dtype=np.int64), n)
    row = listed.order[range_positions(lo, n)]
    # The hash found them; the folded strings decide (two documents sharing a hash).
    rows = pl.Series(row)
    same = (fd.gather(hit_p) == listed.docs["doc_folded"].gather(rows)).to_numpy()
    written = p_doc.cast(pl.String).gather(hit_p) == listed.docs["doc"].gather(rows)
    level = np.where(written.fill_null(False).to_numpy(), Document.EXACT, Document.OCR)
    code = listed.docs["code"].to_numpy()[row]
    hit_p, code, level = hit_p[same], code[same], level[same]
    if len(hit_p) == 0:
        return empty
    # One hit per (passenger, identity): the best level (EXACT is the lowest).
    by = np.lexsort((level, code, hit_p))
    hit_p, code, level = hit_p[by], code[by], level[by]
    first = np.ones(len(hit_p), dtype=bool)
    first[1:] = (hit_p[1:] != hit_p[:-1]) | (code[1:] != code[:-1])
    return pl.DataFrame({"p": hit_p[first], "code": code[first], "level": level[first]})


def document_evidence(
    p_doc_folded: pl.Series,
    p_doc: pl.Series,
    listed: ListDocuments,
    l_entry_code: np.ndarray,
    l_has_doc: np.ndarray,
    pi: np.ndarray,
    li: np.ndarray,
) -> np.ndarray:
    """A `Document` level per pair: is the passenger's document one of the identity's?

    The few passenger-document matches are found once (document_hits); pairs then look
    them up by integer (passenger row, entry code).
    """
    hits = document_hits(p_doc_folded, p_doc, listed)
    matched = pair_lookup(hits, pi, l_entry_code[li], l_entry_code)
    has_p = (p_doc.fill_null("").str.len_chars() > 0).to_numpy()[pi]
    unmatched = np.where(has_p & l_has_doc[li], Document.DIFFERS, Document.MISSING)
    level = np.where(matched > 0, matched, unmatched)
    return level.astype(np.int8)
