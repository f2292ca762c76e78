//! Tests of `golden`.
