//! Backups through SQLite's online backup API (ingests may go on meanwhile), pruning old
//! ones, and restoring one after checking it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use crate::error::io_error;
use crate::{Error, Keys, Store};

/// A backup written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The backup file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The name prefix and suffix of backup files, so that pruning touches nothing else.
const PREFIX: &str = "sameas-backup-";
const SUFFIX: &str = ".db";

/// Copies the store at `db` into a new file in `dir` (created when missing), named by the
/// time: `sameas-backup-<UTC time>.db`. The copy is written beside its final name and renamed
/// into place once complete, so a backup file is always whole.
///
/// # Errors
/// [`Error::Io`], [`Error::Sql`].
pub fn backup(db: &Path, dir: &Path) -> Result<BackupInfo, Error> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(Duration::from_secs(30))?;
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.3fZ")
        .to_string();
    let path = dir.join(format!("{PREFIX}{stamp}{SUFFIX}"));
    let partial = dir.join(format!(".{PREFIX}{stamp}.partial"));
    source.backup(MAIN_DB, &partial, None)?;
    {
        // A backup is a single file: no WAL beside it.
        let copy = Connection::open(&partial)?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
    }
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io_error(&partial))?;
    std::fs::rename(&partial, &path).map_err(io_error(&path))?;
    let bytes = std::fs::metadata(&path).map_err(io_error(&path))?.len();
    Ok(BackupInfo { path, bytes })
}

/// Deletes the backups in `dir` older than `days` days (by modification time); returns them.
///
/// # Errors
/// [`Error::Io`].
pub fn prune_backups(dir: &Path, days: u64) -> Result<Vec<PathBuf>, Error> {
    let cutoff = SystemTime::now()
        .checked_sub(Duration::from_secs(days * 86_400))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
            continue;
        }
        let path = entry.path();
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .map_err(io_error(&path))?;
        if modified < cutoff {
            std::fs::remove_file(&path).map_err(io_error(&path))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Restores the backup `from` as the store at `db`, after checking it (SQLite's integrity
/// check and [`Store::check`] under `keys`). The current database, if any, is replaced
/// whole by a rename; stop ingesting into it first.
///
/// # Errors
/// [`Error::Inconsistent`] when the backup fails its check (nothing is restored); storage
/// and key errors.
pub fn restore(from: &Path, db: &Path, keys: &Keys) -> Result<(), Error> {
    if !from.is_file() {
        return Err(Error::Io {
            path: from.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no backup there"),
        });
    }
    // Check a scratch copy, so that checking never writes to the backup itself.
    let scratch = db.with_file_name(format!(
        ".{}.restore-check",
        db.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::copy(from, &scratch).map_err(io_error(&scratch))?;
    let checked = Store::open_existing(&scratch, keys).and_then(|mut s| s.check());
    let _ = std::fs::remove_file(&scratch);
    for suffix in ["-wal", "-shm"] {
        let mut side = scratch.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    let problems = checked?;
    if !problems.is_empty() {
        return Err(Error::Inconsistent(format!(
            "{}: not restored: {}",
            from.display(),
            problems.join("; ")
        )));
    }
    // Into place by a rename: the old database's WAL goes first (it belongs to the old
    // file), then the checked copy replaces the file whole.
    let staged = db.with_file_name(format!(
        ".{}.restoring",
        db.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::copy(from, &staged).map_err(io_error(&staged))?;
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(io_error(&staged))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = db.as_os_str().to_os_string();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side).map_err(io_error(&side))?;
        }
    }
    std::fs::rename(&staged, db).map_err(io_error(db))?;
    Ok(())
}
