"""The teaching report: one self-contained, offline HTML page of the trade-offs."""

from screening.report.page import build_report, charts

__all__ = ["build_report", "charts"]
