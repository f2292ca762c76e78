//! Survivorship rules, golden records, lineage and the conflict log.
