"""Privacy-preserving screening: a watch list encoded as keyed Bloom filters, screened
without being seen in the clear, and what a frequency attack recovers from it."""
