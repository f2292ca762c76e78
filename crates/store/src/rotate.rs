//! Key rotation: every sealed value re-encrypted under a new value key in one transaction.
//!
//! Only the value (AES) key rotates; the blind-index key is kept, so the blind indexes and
//! row digests stay valid and nothing but sealed values is rewritten. The new keys reach their
//! file in three steps, so a crash at any point leaves a store that some key file opens:
//! 1. the new keys are written to `FILE.new` (mode 0600, synced);
//! 2. the transaction re-seals every value and stores the new key id, and commits;
//! 3. `FILE.new` is renamed over `FILE` (the directory synced).
//!
//! A crash before 2 commits leaves the old store, `FILE` that opens it, and a stray
//! `FILE.new` (the next rotation refuses to start until it is removed). A crash between 2 and
//! 3 leaves the new store with its keys in `FILE.new`: the next [`Keys::locate`] of `FILE`
//! sees that the store's key id is that of `FILE.new` and finishes the rename.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, io_error};
use crate::ingest::{CONFLICT_FIELD, GOLDEN_FIELD, RAW_FIELD};
use crate::keys::Crypto;
use crate::parts::PART_FIELD;
use crate::{Keys, STATE_FIELD, Store};

/// Rows re-sealed per query page, to keep memory flat on large stores.
const PAGE: i64 = 4096;

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The value key id before.
    pub old_key_id: String,
    /// The value key id now.
    pub new_key_id: String,
    /// Sealed values re-encrypted.
    pub values: u64,
    /// The key file now holding the keys.
    pub key_file: PathBuf,
}

/// `FILE.new`: where new keys wait for the rotation's commit.
pub fn pending_key_file(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    file.with_file_name(name)
}

/// Finishes an interrupted rotation of the keys kept in `file` for the store at `db`: when
/// the store was rotated to the key in `FILE.new`, that file is renamed over `FILE`. Returns
/// whether a `FILE.new` is left (one the store was not rotated to).
pub(crate) fn settle_pending(db: &Path, file: &Path) -> Result<bool, Error> {
    let pending = pending_key_file(file);
    if !pending.is_file() {
        return Ok(false);
    }
    if !db.is_file() {
        return Ok(true);
    }
    let keys = Keys::read_file(&pending)?;
    let conn = Connection::open(db)?;
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'key_id'", [], |r| {
            r.get(0)
        })
        .optional()
        .unwrap_or(None);
    drop(conn);
    if stored.as_deref() == Some(keys.key_id().as_str()) {
        std::fs::rename(&pending, file).map_err(io_error(file))?;
        sync_dir(file)?;
        return Ok(false);
    }
    Ok(true)
}

/// Refuses to write under a value key the store no longer uses (rotated by another process).
pub(crate) fn same_key(conn: &Connection, crypto: &Crypto) -> Result<(), Error> {
    let stored: String =
        conn.query_row("SELECT value FROM meta WHERE key = 'key_id'", [], |r| {
            r.get(0)
        })?;
    if stored == crypto.key_id() {
        Ok(())
    } else {
        Err(Error::Keys(format!(
            "the store's key was rotated to {stored} since it was opened with {}",
            crypto.key_id()
        )))
    }
}

fn sync_dir(file: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        let dir = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error(dir))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

impl Store {
    /// Re-encrypts every sealed value under `new`'s value key in one transaction and stores
    /// its key id. `new` must keep the current blind-index key. The store then opens with
    /// `new` only. Key files are the caller's: see [`rotate_key_file`].
    ///
    /// # Errors
    /// [`Error::Keys`] when `new` changes the index key or keeps the value key; storage and
    /// decryption errors (the store is then left as it was).
    pub fn rotate_key(&mut self, new: &Keys) -> Result<Rotation, Error> {
        let old_key_id = self.crypto.key_id().to_string();
        if new.key_id() == old_key_id {
            return Err(Error::Keys("the new value key is the current one".into()));
        }
        let fresh = Crypto::new(new);
        if fresh.blind("check", "index key") != self.crypto.blind("check", "index key") {
            return Err(Error::Keys(
                "the new keys change the index key: only the value key rotates".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        same_key(&tx, &self.crypto)?;
        let mut values = 0u64;
        // (table, key column, associated-data field)
        let tables: [(&str, &str, &str); 6] = [
            ("records", "record_id", RAW_FIELD),
            ("golden", "entity_id", GOLDEN_FIELD),
            ("conflicts", "rowid", CONFLICT_FIELD),
            ("config", "id", "config"),
            ("resolver_state", "id", STATE_FIELD),
            ("state_parts", "first_idx", PART_FIELD),
        ];
        for (table, key, field) in tables {
            let mut after: Option<rusqlite::types::Value> = None;
            loop {
                let rows: Vec<(rusqlite::types::Value, Vec<u8>)> = {
                    let from = if after.is_some() {
                        "WHERE {key} > ?1"
                    } else {
                        "WHERE ?1 IS NULL"
                    };
                    let from = from.replace("{key}", key);
                    let mut stmt = tx.prepare_cached(&format!(
                        "SELECT {key}, sealed FROM {table} {from} ORDER BY {key} LIMIT ?2"
                    ))?;
                    stmt.query_map(params![after, PAGE], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?
                };
                let Some((last, _)) = rows.last() else { break };
                after = Some(last.clone());
                let mut put =
                    tx.prepare_cached(&format!("UPDATE {table} SET sealed = ?2 WHERE {key} = ?1"))?;
                for (id, sealed) in &rows {
                    let plain = self.crypto.open(field, sealed)?;
                    put.execute(params![id, fresh.seal(field, &plain)])?;
                    values += 1;
                }
            }
        }
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'key_id'",
            params![fresh.key_id()],
        )?;
        tx.commit()?;
        self.after_commit();
        let new_key_id = fresh.key_id().to_string();
        self.crypto = fresh;
        Ok(Rotation {
            old_key_id,
            new_key_id,
            values,
            key_file: PathBuf::new(),
        })
    }
}

/// Rotates the value key of the store at `db`, opened with `old`, and keeps the new keys in
/// `file`: when `file` holds the current keys (or does not exist) a new value key is made
/// and replaces it in the three crash-safe steps of this module; when `file` holds other
/// keys, they are the new ones (their index key must be the current one).
///
/// # Errors
/// As [`Store::rotate_key`]; [`Error::Io`] for the key files.
pub fn rotate_key_file(db: &Path, old: &Keys, file: &Path) -> Result<Rotation, Error> {
    let mut store = Store::open_existing(db, old)?;
    let given = if file.is_file() {
        let keys = Keys::read_file(file)?;
        (keys.key_id() != old.key_id()).then_some(keys)
    } else {
        None
    };
    let mut rotation = if let Some(new) = given {
        store.rotate_key(&new)?
    } else {
        let new = old.with_new_value_key();
        let pending = pending_key_file(file);
        if settle_pending(db, file)? {
            return Err(Error::Keys(format!(
                "{} exists: another rotation is under way, or one stopped before it \
                 committed; when none is running, remove that file (the store does not use \
                 its key) and rotate again",
                pending.display()
            )));
        }
        new.write_file(&pending)?;
        sync_dir(&pending)?;
        let rotation = store.rotate_key(&new);
        if rotation.is_err() {
            let _ = std::fs::remove_file(&pending);
        }
        let rotation = rotation?;
        std::fs::rename(&pending, file).map_err(io_error(file))?;
        sync_dir(file)?;
        rotation
    };
    rotation.key_file = file.to_path_buf();
    Ok(rotation)
}
