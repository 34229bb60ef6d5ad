"""Evaluation: misses (FNIR), false alerts (FPIR, per 1,000 passengers), operating points,
and their spread across corruption types and name origins — the same code for every
matcher. The only part of the package that reads the truth."""

from screening.evaluate.metrics import Evaluation, evaluate, operating_point, wilson

__all__ = ["Evaluation", "evaluate", "operating_point", "wilson"]
