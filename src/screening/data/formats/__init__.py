"""Travel-document and message formats (MRZ now; PAXLST, PNRGOV, list XML later)."""
