//! Checkpoints of the write-ahead log on a thread of their own.
//!
//! A batch's commit appends the pages it changed to the WAL; a checkpoint copies them into
//! the database file and syncs it. SQLite's automatic checkpoint runs inside the commit,
//! on the ingesting thread, and at a million records it took as long as the commit itself
//! (random blind-index keys dirty a page per row). Here the ingesting connection never
//! checkpoints: after a batch commits, a second connection checkpoints on this thread while
//! the next batch is read, normalized and resolved (reads go on during a checkpoint). The
//! next batch's transaction waits for it first, so the WAL holds one batch at most, as
//! before, and restarts from its beginning.
//!
//! A checkpoint copies committed pages only: a process killed during one loses nothing
//! (SQLite finishes it on the next open). One that fails (another process holding the
//! file) is left to the next; the connection's close checkpoints whatever is left.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::Connection;

/// What the checkpoint thread is asked to do and is doing.
#[derive(Default)]
struct Progress {
    /// A checkpoint is asked for and not started.
    pending: bool,
    /// A checkpoint is running.
    running: bool,
    /// The store is closing: no more checkpoints.
    stop: bool,
}

type Shared = Arc<(Mutex<Progress>, Condvar)>;

/// The checkpoint thread of an open store.
pub(crate) struct Checkpointer {
    shared: Shared,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread, with its own connection to the database at `path`. `None` when
    /// the thread cannot start; the store's connection then checkpoints in its commits.
    pub(crate) fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).ok()?;
        let shared: Shared = Arc::default();
        let thread = std::thread::Builder::new()
            .name("sameas-store-checkpoint".into())
            .spawn({
                let shared = Arc::clone(&shared);
                move || run(&conn, &shared)
            })
            .ok()?;
        Some(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint of what is committed now; returns at once.
    pub(crate) fn request(&self) {
        let (lock, wake) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).pending = true;
        wake.notify_all();
    }

    /// Waits until no checkpoint is asked for or running.
    pub(crate) fn wait(&self) {
        let (lock, wake) = &*self.shared;
        let mut progress = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while progress.pending || progress.running {
            progress = wake.wait(progress).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        {
            let (lock, wake) = &*self.shared;
            lock.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
            wake.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Connection, shared: &Shared) {
    let (lock, wake) = &**shared;
    let mut progress = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        while !progress.pending && !progress.stop {
            progress = wake.wait(progress).unwrap_or_else(PoisonError::into_inner);
        }
        // A checkpoint asked for before closing is left to the closing connection.
        if progress.stop {
            progress.pending = false;
            wake.notify_all();
            return;
        }
        progress.pending = false;
        progress.running = true;
        drop(progress);
        // PASSIVE: copies what no reader still needs, never blocks a reader or the writer.
        let _ = checkpoint(conn);
        progress = lock.lock().unwrap_or_else(PoisonError::into_inner);
        progress.running = false;
        wake.notify_all();
    }
}

/// A passive checkpoint on `conn`.
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}
