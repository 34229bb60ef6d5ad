"""Comparisons: one evidence level (screening.linkage.levels) per candidate pair and field,
computed for all pairs at once: names, dates, documents, nationality and sex, contacts."""
