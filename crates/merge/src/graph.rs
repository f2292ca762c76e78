//! The identity graph: stable entity ids, incremental updates and the event log.
