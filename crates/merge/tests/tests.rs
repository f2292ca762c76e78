//! Integration tests for sameas-merge.

mod cluster;
mod golden;
mod graph;
