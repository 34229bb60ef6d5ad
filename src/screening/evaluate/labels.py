"""Human titles for metric and table columns, for terminals and pages alike."""

from __future__ import annotations

# Column names stay identifiers in files (users script against them); people read these.
LABELS = {
    "fnir": "FNIR",
    "fpir": "FPIR",
    "fnir_at_fpir_0.001": "FNIR @ FPIR 0.001",
    "fnir_at_fpir_0.01": "FNIR @ FPIR 0.01",
    "fnir_at_fpir_0.001_full_list_dob": "FNIR @ FPIR 0.001, full listed date of birth",
    "fnir_low": "FNIR low (95 %)",
    "fnir_high": "FNIR high (95 %)",
    "fpir_low": "FPIR low (95 %)",
    "fpir_high": "FPIR high (95 %)",
    "fpir_target": "FPIR target",
    "alerted_per_1000": "alerted per 1,000",
    "false_alerts_per_1000": "false alerts per 1,000",
    "false_alerts_per_1000_at_0.01": "false alerts per 1,000 @ FPIR 0.01",
    "precision_at_base_rate": "precision at the real base rate",
    "precision_at_base_rate_0.01": "precision at the real base rate @ FPIR 0.01",
    "whole_booking_false_hits": "whole booking false hits",
    "associate_policy_false_hits": "associate policy false hits",
    "associate_alerts": "associate alerts",
    "pair_completeness": "pair completeness",
    "reduction_ratio": "reduction ratio",
    "pairs_compared": "pairs compared",
    "passengers_per_s": "passengers per second",
    "peak_mib": "peak MiB",
    "index_s": "index s",
    "screen_s": "screen s",
    "non_mated": "non-mated",
    "mated_share": "mated share",
    "listed_identities": "listed identities",
    "link_accuracy": "link accuracy",
    "contact_detection": "contact detection",
}


def label(column: str) -> str:
    """The title people read for a column: a known label, else its words."""
    return LABELS.get(column, column.replace("_", " "))
