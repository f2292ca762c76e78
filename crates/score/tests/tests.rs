//! `sameas-score` on CDNOW and on generated customers.

mod cdnow;
