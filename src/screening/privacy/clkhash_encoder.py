"""The reference implementation's Bloom filters (clkhash 0.18, Data61's anonlink suite) in
place of ours, to check `privacy.encode` against it: the same construction (bigrams of
the padded tokens, `hashes` bits each, `bits`-bit filters), clkhash's own hashing
(HMAC-SHA1/HMAC-MD5 double hashing, keys derived by HKDF-SHA256 from the secret).

clkhash pads the whole string with a space and we pad each token with "_"; joined with
single spaces, a row's tokens give clkhash exactly our bigram set (" K" for "_K"), so the
two filters differ only in where the bits fall. clkhash pins cryptography < 41 and
mypy_extensions < 0.5, which the `peers` extra cannot live with: install
`screening[clkhash]` in an environment of its own (`make test-clkhash`).
"""

from __future__ import annotations

import base64

import numpy as np
import polars as pl

CLKHASH_VERSION = "0.18"
# HKDF salt and info are public parameters of a schema (both partners use the same ones);
# these are ours, fixed so that the same secret gives the same filters on both sides.
KDF_SALT = base64.b64encode(b"screening: keyed Bloom filters via clkhash").decode()


def schema(bits: int, hashes: int, q: int, label: str):
    """A clkhash v3 schema of one string feature encoded as our filters are."""
    from clkhash.schema import from_json_dict

    return from_json_dict(
        {
            "version": 3,
            "clkConfig": {
                "l": bits,
                "kdf": {
                    "type": "HKDF",
                    "hash": "SHA256",
                    "salt": KDF_SALT,
                    # The label keys the name and skeleton filters apart, as HMAC labels do
                    # in ours.
                    "info": base64.b64encode(label.encode()).decode(),
                    "keySize": 64,
                },
            },
            "features": [
                {
                    "identifier": label,
                    "format": {"type": "string", "encoding": "utf-8"},
                    "hashing": {
                        "comparison": {"type": "ngram", "n": q},
                        "strategy": {"bitsPerToken": hashes},
                        "hash": {"type": "doubleHash"},
                    },
                }
            ],
        }
    )


def clk_filters(
    secret: bytes, label: str, tokens: pl.Series, bits: int, hashes: int, q: int
) -> np.ndarray:
    """clkhash's filter of each row's tokens (uint64 array, rows x bits/64), computed once
    per distinct token string."""
    from clkhash.clk import generate_clks

    strings = tokens.list.join(" ").fill_null("")
    distinct = strings.unique(maintain_order=True)
    # clkhash encodes record by record in Python: a peer's pace, paid per distinct string.
    # max_workers=1: its pool would fork after polars' threads have started.
    clks = generate_clks(
        [[s] for s in distinct.to_list()],
        schema(bits, hashes, q, label),
        secret,
        validate=False,
        max_workers=1,
    )
    raw = np.frombuffer(b"".join(c.tobytes() for c in clks), dtype=np.uint8)
    table = raw.reshape(len(distinct), bits // 8).view(np.uint64)
    code = pl.DataFrame({"s": distinct, "i": np.arange(len(distinct))})
    at = pl.DataFrame({"s": strings}).join(code, on="s", how="left", maintain_order="left")["i"]
    return np.ascontiguousarray(table[at.to_numpy()])
