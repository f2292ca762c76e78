//! Progress reports and cancellation for long operations.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::Error;

/// A stage of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Reading rows into records and normalizing them.
    Normalize,
    /// Training the model.
    Train,
    /// Building blocks and candidate pairs.
    Block,
    /// Scoring candidate pairs.
    Score,
    /// Clustering scored pairs into entities.
    Cluster,
    /// Building golden records.
    Golden,
    /// Adding records one at a time.
    Add,
}

impl Stage {
    /// The stage's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Normalize => "normalize",
            Stage::Train => "train",
            Stage::Block => "block",
            Stage::Score => "score",
            Stage::Cluster => "cluster",
            Stage::Golden => "golden",
            Stage::Add => "add",
        }
    }
}

/// How far a stage has come: `done` of `total` units (records or pairs). A stage starts
/// with `done == 0` and ends with `done == total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The stage.
    pub stage: Stage,
    /// Units done.
    pub done: u64,
    /// Units in the stage.
    pub total: u64,
}

/// A progress callback and a cancel flag, both optional. Long operations call the callback
/// between chunks of work and stop with [`Error::Cancelled`] soon after the flag is raised,
/// leaving the resolver as it was.
#[derive(Default, Clone, Copy)]
pub struct Control<'a> {
    progress: Option<&'a (dyn Fn(Progress) + Sync)>,
    cancel: Option<&'a AtomicBool>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl<'a> Control<'a> {
    /// No progress reports and no cancellation.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reports progress to `callback`.
    pub fn with_progress(mut self, callback: &'a (dyn Fn(Progress) + Sync)) -> Self {
        self.progress = Some(callback);
        self
    }

    /// Stops when `flag` is raised.
    pub fn with_cancel(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Reports progress.
    pub fn report(&self, stage: Stage, done: u64, total: u64) {
        if let Some(callback) = self.progress {
            callback(Progress { stage, done, total });
        }
    }

    /// Whether the cancel flag is raised.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// [`Error::Cancelled`] when the flag is raised.
    ///
    /// # Errors
    /// [`Error::Cancelled`].
    pub fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}
