//! sameas-store: a persistent identity store.
//!
//! A [`Store`] is one SQLite database (WAL mode) that takes batches of customer records from
//! channels, resolves them incrementally with the facade's [`sameas::Resolver`] (stable
//! entity ids), and keeps the result: records, entities, golden records, conflicts, events,
//! the trained configuration, a sync log with one row per batch, and each channel's state.
//! Each batch is one transaction: after a crash the store holds every committed batch and
//! nothing of the one in flight.
//!
//! Sensitive values are sealed with AES-256-GCM (a fresh nonce per value, the key id and the
//! field name as associated data); lookups by phone, e-mail or national id go through HMAC
//! blind indexes. The resolver's state is kept record by record: each record's normalized
//! values and edges sealed, written once; its entity and join log rewritten when a batch
//! re-clusters it. It is read into memory once per open store.
//!
//! A batch gets a quality score ([`quality`]); after a run of low batches
//! ([`QualityGate`]) its channel is paused and its batches are refused until resumed.
//!
//! ```
//! use sameas::InputTable;
//! use sameas::table::read_csv;
//! use sameas_core::Channel;
//! use sameas_store::{IngestOptions, Keys, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(&dir.path().join("customers.db"), &Keys::generate()).unwrap();
//! let csv = "id,name,phone,birth_date\n\
//!            1,张伟,138-0013-8000,1990-01-02\n\
//!            2,張偉,+86 138 0013 8000,1990/1/2\n\
//!            3,王芳,139-0000-1111,1985-05-06\n\
//!            4,李娜,137-1234-5678,1979-12-30\n";
//! let batch = InputTable::new(read_csv(csv.as_bytes(), None).unwrap(), Channel::App);
//! let report = store.ingest("app", &batch, &IngestOptions::default()).unwrap();
//! assert_eq!(report.rows_added, 4);
//! // The same batch again changes nothing.
//! let again = store.ingest("app", &batch, &IngestOptions::default()).unwrap();
//! assert_eq!((again.rows_added, again.rows_unchanged), (0, 4));
//! assert_eq!(store.entity_of("1").unwrap(), store.entity_of("2").unwrap());
//! assert!(store.check().unwrap().is_empty());
//! ```

#![deny(missing_docs)]

mod backup;
mod check;
mod checkpoint;
mod error;
mod ingest;
mod keys;
mod parts;
pub mod quality;
mod rotate;
mod schema;
mod view;

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use sameas::{Resolver, ResolverConfig};

pub use backup::{BackupInfo, backup, prune_backups, restore};
pub use error::Error;
pub use ingest::{BatchReport, BatchStatus, IngestOptions, RowNote};
pub use keys::{INDEX_KEY_ENV, KeySource, Keys, STORE_KEY_ENV, key_file_beside};
pub use quality::{Quality, QualityGate};
pub use rotate::{Rotation, pending_key_file, rotate_key_file};
pub use schema::SCHEMA_VERSION;
pub use view::{CustomerView, LookupBy};

use keys::Crypto;
use parts::PART_FIELD;

/// A persistent identity store: one SQLite database.
pub struct Store {
    /// Declared before `conn`, so that it stops first and the store's own connection
    /// closes last (checkpointing what is left and removing the WAL).
    checkpointer: Option<checkpoint::Checkpointer>,
    conn: Connection,
    crypto: Crypto,
    path: PathBuf,
    /// The resolver holding the committed state, opened on first use.
    resolver: Option<Resolver>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// One channel's state, as `sameas channel list` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChannelState {
    /// The channel's name.
    pub name: String,
    /// Whether its batches are refused.
    pub paused: bool,
    /// Low batches in a row, the last included.
    pub low_streak: u32,
    /// Why it was paused (empty when active).
    pub reason: String,
    /// The quality scores of its last batches, newest first.
    pub recent_scores: Vec<f64>,
}

impl Store {
    /// Opens the store at `path`, creating it when missing. The keys must be the ones the
    /// store was created with.
    ///
    /// # Errors
    /// [`Error::Keys`] for other keys; [`Error::Schema`] for a store of a newer schema;
    /// [`Error::Sql`] for a file that is not a database.
    pub fn open(path: &Path, keys: &Keys) -> Result<Store, Error> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // WAL: readers (and online backups) go on while a batch commits; FULL: a batch
        // reported committed survives a power cut, not only a killed process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut conn)?;
        let crypto = Crypto::new(keys);
        let stored: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'key_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match stored {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('key_id', ?1)",
                    params![crypto.key_id()],
                )?;
            }
            Some(id) if id == crypto.key_id() => {}
            Some(id) => {
                return Err(Error::Keys(format!(
                    "{}: the store was written under key {id}; the key given is {}",
                    path.display(),
                    crypto.key_id()
                )));
            }
        }
        // Pages of a million-record store's indexes, read and written by every batch, stay
        // in memory (SQLite's default keeps 2 MB).
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        let checkpointer = checkpoint::Checkpointer::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        Ok(Store {
            checkpointer,
            conn,
            crypto,
            path: path.to_path_buf(),
            resolver: None,
        })
    }

    /// Opens a store that must exist already.
    ///
    /// # Errors
    /// [`Error::Io`] when there is no file at `path`; as [`Store::open`].
    pub fn open_existing(path: &Path, keys: &Keys) -> Result<Store, Error> {
        if !path.is_file() {
            return Err(Error::Io {
                path: path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no store there"),
            });
        }
        Store::open(path, keys)
    }

    /// Before a batch's write transaction: waits for the checkpoint of the batch before,
    /// so that the WAL restarts from its beginning.
    pub(crate) fn before_write(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.wait();
        }
    }

    /// After a commit: its pages go into the database file on the checkpoint thread
    /// (without one, SQLite's automatic checkpoint did it in the commit).
    pub(crate) fn after_commit(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.request();
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The resolver holding the committed state (`None` before the first batch). Opening it
    /// reads and decrypts the whole state (`state`, one row per record): linear in the
    /// records held, once per open store.
    ///
    /// # Errors
    /// As the state's reading: [`Error::Decrypt`], [`Error::Resolve`].
    pub fn resolver(&mut self) -> Result<Option<&Resolver>, Error> {
        self.load_resolver()?;
        Ok(self.resolver.as_ref())
    }

    pub(crate) fn load_resolver(&mut self) -> Result<(), Error> {
        if self.resolver.is_some() {
            return Ok(());
        }
        // On a worker thread of the pool, as a batch is ingested: the state is then
        // allocated by the threads that free and reuse it (memory a thread outside the pool
        // frees for them waits until they allocate again).
        rayon::scope(|_| self.read_resolver())
    }

    fn read_resolver(&mut self) -> Result<(), Error> {
        let config: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT sealed FROM config WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let Some(config) = config else {
            return Ok(());
        };
        if self.migrate_snapshot()? {
            return Ok(());
        }
        let config = ResolverConfig::from_json(&self.crypto.open_string("config", &config)?)?;
        let next_sequence: u64 = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'next_sequence'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let mut parts = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT first_idx, count, sealed FROM state_parts ORDER BY first_idx")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let (first, count): (i64, i64) = (row.get(0)?, row.get(1)?);
                let chunk = parts::open_parts(
                    &self.crypto,
                    row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?,
                )?;
                if first != parts.len() as i64 || count != chunk.len() as i64 {
                    return Err(Error::Decrypt(format!(
                        "{PART_FIELD} (records {first}.. do not follow on)"
                    )));
                }
                parts.extend(chunk);
            }
        }
        let mut placements = Vec::with_capacity(parts.len());
        {
            let mut stmt = self
                .conn
                .prepare("SELECT idx, entity_id, joins FROM state ORDER BY idx")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let idx: i64 = row.get(0)?;
                if idx != placements.len() as i64 {
                    return Err(Error::Decrypt(format!("state (index {idx} out of order)")));
                }
                let entity: Option<String> = row.get(1)?;
                let joins: Option<&[u8]> = row
                    .get_ref(2)?
                    .as_blob_or_null()
                    .map_err(rusqlite::Error::from)?;
                placements.push(parts::placement(entity, joins)?);
            }
        }
        self.resolver = Some(Resolver::from_parts(
            config,
            parts,
            placements,
            next_sequence,
        )?);
        Ok(())
    }

    /// A store written by a build that kept the resolver as one snapshot: its state moves to
    /// the `state` table in one transaction, and the file is compacted. Returns whether it
    /// did (the resolver is then loaded).
    fn migrate_snapshot(&mut self) -> Result<bool, Error> {
        let sealed: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT batch_id, sealed FROM resolver_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((batch, sealed)) = sealed else {
            return Ok(false);
        };
        let packed = self.crypto.open(STATE_FIELD, &sealed)?;
        let mut json = String::new();
        flate2::read::GzDecoder::new(packed.as_slice())
            .read_to_string(&mut json)
            .map_err(|_| Error::Decrypt(STATE_FIELD.into()))?;
        let mut resolver = Resolver::from_snapshot(&json)?;
        drop(json);
        resolver.take_changed();
        resolver.take_moved();
        resolver.take_events();
        let tx = self.conn.transaction()?;
        parts::write_whole(&tx, &self.crypto, &resolver, batch)?;
        tx.execute("DELETE FROM resolver_state", [])?;
        tx.commit()?;
        // The snapshot's pages are free now: give them back.
        self.conn.execute_batch("VACUUM")?;
        self.resolver = Some(resolver);
        Ok(true)
    }

    /// The entity of a stored record.
    ///
    /// # Errors
    /// [`Error::Sql`].
    pub fn entity_of(&self, record: &str) -> Result<Option<String>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT entity_id FROM record_entity WHERE record_id = ?1",
                params![record],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records held.
    ///
    /// # Errors
    /// [`Error::Sql`].
    pub fn record_count(&self) -> Result<u64, Error> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM records", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Entities held.
    ///
    /// # Errors
    /// [`Error::Sql`].
    pub fn entity_count(&self) -> Result<u64, Error> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM entities", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Every channel that has sent a batch, by name, with its last `recent` scores.
    ///
    /// # Errors
    /// [`Error::Sql`].
    pub fn channels(&self, recent: usize) -> Result<Vec<ChannelState>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, state, low_streak, reason FROM channels ORDER BY name")?;
        let mut out: Vec<ChannelState> = stmt
            .query_map([], |r| {
                Ok(ChannelState {
                    name: r.get(0)?,
                    paused: r.get::<_, String>(1)? == "paused",
                    low_streak: r.get::<_, i64>(2)? as u32,
                    reason: r.get(3)?,
                    recent_scores: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut scores = self.conn.prepare(
            "SELECT quality FROM sync_log WHERE channel = ?1 AND quality IS NOT NULL \
             ORDER BY batch_id DESC LIMIT ?2",
        )?;
        for channel in &mut out {
            channel.recent_scores = scores
                .query_map(params![channel.name, recent as i64], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
        }
        Ok(out)
    }

    /// Lets a paused channel's batches in again (its run of low batches starts anew).
    /// Returns whether it was paused.
    ///
    /// # Errors
    /// [`Error::Input`] for a channel that never sent a batch.
    pub fn resume_channel(&mut self, name: &str) -> Result<bool, Error> {
        let state: Option<String> = self
            .conn
            .query_row(
                "SELECT state FROM channels WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?;
        let Some(state) = state else {
            return Err(Error::Input(format!(
                "no channel `{name}` in this store (`sameas channel list` shows them)"
            )));
        };
        self.conn.execute(
            "UPDATE channels SET state = 'active', low_streak = 0, reason = '', updated = ?2 \
             WHERE name = ?1",
            params![name, now()],
        )?;
        Ok(state == "paused")
    }

    /// The sync log, newest batch first, at most `limit` rows.
    ///
    /// # Errors
    /// [`Error::Sql`].
    pub fn sync_log(&self, limit: usize) -> Result<Vec<BatchReport>, Error> {
        ingest::read_log(&self.conn, limit)
    }
}

/// The page cache of a store's connection, in KiB.
const CACHE_KIB: i64 = 128 * 1024;

/// The associated-data name of the sealed resolver snapshot (schema version 1).
const STATE_FIELD: &str = "resolver_state";

/// Now, as an RFC 3339 UTC timestamp.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}
