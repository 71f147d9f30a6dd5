"""NCCI procedure-to-procedure edits, MUEs, add-on edits, fee-schedule RVUs and GPCIs, the claim-line
check and code-set changes between releases."""
