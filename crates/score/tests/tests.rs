//! `sameas-score` on CDNOW, on orders, and its invariants.

mod cdnow;
mod orders;
mod properties;
