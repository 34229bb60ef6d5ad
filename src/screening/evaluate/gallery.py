"""How a listed person's name changes on the way to a manifest, drawn from a generated
world: the name in its own script, the list's romanizations and aliases, and the name the
traveller presented, with the corruptions the generator recorded. For teaching."""

from __future__ import annotations

import polars as pl

# Corruptions that change the written name (the others change dates or documents).
NAME_CORRUPTIONS = ("translit", "typo", "phonetic", "swap", "compound", "initial", "drop_token")
GALLERY_COLUMNS = {
    "entry_id": pl.String,
    "origin": pl.String,
    "step": pl.Int32,
    "what": pl.String,
    "name": pl.String,
    "note": pl.String,
}


def gallery(
    passengers: pl.DataFrame,
    truth: pl.DataFrame,
    list_names: pl.DataFrame,
    people: int = 3,
    aliases: int = 3,
) -> pl.DataFrame:
    """Rows (GALLERY_COLUMNS) for up to `people` listed travellers of different origins
    whose presented name was changed and whose name has a native script: most name
    corruptions first, then by passenger id (the same world gives the same gallery)."""
    full = pl.concat_str(
        [pl.col("surname").fill_null(""), pl.col("given_names").fill_null("")], separator=", "
    ).str.strip_chars(", ")
    changed = pl.col("corruptions").list.eval(pl.element().is_in(NAME_CORRUPTIONS)).list.sum()
    travellers = (
        truth.filter(
            pl.col("role") == "listed",
            pl.col("entry_id").is_not_null(),
            pl.col("original_script").is_not_null(),
        )
        .with_columns(changed=changed)
        .filter(pl.col("changed") > 0)
        .join(passengers.select("passenger_id", presented=full), on="passenger_id")
        .sort(["changed", "passenger_id"], descending=[True, False])
        .unique("origin", keep="first", maintain_order=True)
        .head(people)
    )
    rows: list[dict] = []
    listed = list_names.with_columns(name=full)
    for t in travellers.iter_rows(named=True):  # a handful of people
        base = {"entry_id": t["entry_id"], "origin": t["origin"]}
        rows.append(base | {"what": "their name", "name": t["original_script"], "note": ""})
        names = (
            listed.filter(pl.col("entry_id") == t["entry_id"], pl.col("name") != "")
            .sort(["is_primary", "name_id"], descending=[True, False])
            .head(aliases)
        )
        for n in names.iter_rows(named=True):
            what = "on the list" if n["is_primary"] else "an alias on the list"
            rows.append(base | {"what": what, "name": n["name"], "note": n["quality"] or ""})
        note = ", ".join(c for c in t["corruptions"] if c in NAME_CORRUPTIONS)
        rows.append(base | {"what": "on the passport", "name": t["presented"], "note": note})
    out = pl.DataFrame(rows, schema={k: v for k, v in GALLERY_COLUMNS.items() if k != "step"})
    return out.with_columns(step=pl.int_range(pl.len(), dtype=pl.Int32).over("entry_id")).select(
        list(GALLERY_COLUMNS)
    )
