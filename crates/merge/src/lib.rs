//! Merging for sameas: scored pairs become entities. Edges are joined strongest first under
//! cannot-link constraints ([`cluster`]); the identity graph keeps entity ids stable across
//! re-runs and incremental updates and logs every change ([`graph`]); survivorship rules
//! build a golden record per entity with lineage and a conflict log ([`golden`]).
//!
//! This crate never scores pairs: it reads scores and normalized values.
//!
//! ```
//! use sameas_core::{EntityId, RecordId};
//! use sameas_merge::cluster::{ClusterProblem, ClusteringMethod, Edge, Vouching, cluster};
//! use sameas_merge::graph::IdentityGraph;
//!
//! // Two records scored as one person; a third scored with nobody.
//! let ids: Vec<RecordId> = ["a", "b", "c"].map(RecordId::from).to_vec();
//! let edges = [Edge { a: 0, b: 1, weight: 8.0, probability: 0.99 }];
//! let problem = ClusterProblem {
//!     ids: &ids,
//!     edges: &edges,
//!     cannot_link: &[],
//!     scored_cannot_link: &[],
//!     must_link: &[],
//!     exclusive: &[],
//!     vouching: Vouching::NONE,
//! };
//! let clustering = cluster(&problem, ClusteringMethod::Constrained);
//! let graph = IdentityGraph::from_clustering(ids, &edges, &clustering, None).unwrap();
//! assert_eq!(graph.entity_count(), 2);
//! assert_eq!(graph.entity_of(&RecordId::from("b")), Some(&EntityId::numbered(1)));
//! ```
#![deny(missing_docs)]

pub mod cluster;
mod error;
pub mod golden;
pub mod graph;

pub use cluster::{
    ClusterProblem, Clustering, ClusteringConfig, ClusteringMethod, Edge, HouseholdGuard, Join,
    JoinOutcome, Refusal, Vouching,
};
pub use error::MergeError;
pub use golden::{Conflict, GoldenRecord, Survivorship, SurvivorshipConfig};
pub use graph::{Event, IdentityGraph, PreviousEntities, reconcile};
