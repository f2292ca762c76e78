//! Merging for sameas: scored pairs become entities. Edges are joined strongest first under
//! cannot-link constraints ([`cluster`]); the identity graph keeps entity ids stable across
//! re-runs and incremental updates and logs every change ([`graph`]); survivorship rules
//! build a golden record per entity with lineage and a conflict log ([`golden`]).
//!
//! This crate never scores pairs: it reads scores and normalized values.

pub mod cluster;
mod error;
pub mod golden;
pub mod graph;

pub use cluster::{
    ClusterProblem, Clustering, ClusteringConfig, ClusteringMethod, Edge, HouseholdGuard, Join,
    JoinOutcome, Refusal,
};
pub use error::MergeError;
pub use golden::{Conflict, GoldenRecord, Survivorship, SurvivorshipConfig};
pub use graph::{Event, IdentityGraph, PreviousEntities, reconcile};
