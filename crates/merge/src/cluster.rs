//! Clustering of scored pairs under cannot-link constraints.
