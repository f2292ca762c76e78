//! Tests of `cluster`.
