//! The database schema and its migrations. `schema_version` holds the version applied; each
//! migration moves one version up inside one transaction, so a store is never half-migrated.

use rusqlite::{Connection, params};

use crate::error::Error;

/// The migrations, in order: the one at position `i` takes a store from version `i` to
/// `i + 1`. A new version is a new entry; an applied one is never edited.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- The trained configuration (sealed: its frequency tables hold normalized values).
    CREATE TABLE config (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    );
    -- The resolver's identity state after the last committed batch (sealed, compressed).
    CREATE TABLE resolver_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        batch_id INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE TABLE records (
        record_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        batch_id INTEGER NOT NULL,
        digest TEXT NOT NULL,
        bad INTEGER NOT NULL,
        sealed BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE blind_index (
        kind TEXT NOT NULL,
        mac TEXT NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (kind, mac, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX blind_index_record ON blind_index (record_id);
    CREATE TABLE entities (
        entity_id TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        batch_id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE record_entity (
        record_id TEXT PRIMARY KEY,
        entity_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX record_entity_entity ON record_entity (entity_id);
    CREATE TABLE golden (
        entity_id TEXT PRIMARY KEY,
        sealed BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE conflicts (
        entity_id TEXT NOT NULL,
        field TEXT NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX conflicts_entity ON conflicts (entity_id);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL,
        event TEXT NOT NULL
    );
    CREATE TABLE sync_log (
        batch_id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        channel TEXT NOT NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('success', 'partial', 'failed', 'refused')),
        rows_read INTEGER NOT NULL,
        rows_added INTEGER NOT NULL,
        rows_updated INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL,
        rows_bad INTEGER NOT NULL,
        bad_rows TEXT NOT NULL,
        quality REAL,
        message TEXT NOT NULL
    );
    CREATE TABLE channels (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('active', 'paused')),
        low_streak INTEGER NOT NULL,
        reason TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    ",
    // 2: the resolver's state record by record (a batch writes what it touched) instead of
    // one snapshot rewritten by every batch. A store of version 1 keeps its snapshot until
    // it is first opened with its keys, which moves it here (`Store::load_resolver`).
    "
    -- The record parts of the resolver's state (id, normalized values, positive edges to
    -- earlier records), those a batch added in one row: CBOR, compressed together, sealed.
    -- Written once. Record indices run on from row to row; a changed record is removed and
    -- added again under a new index, and the removed one's part stays.
    CREATE TABLE state_parts (
        first_idx INTEGER PRIMARY KEY,
        count INTEGER NOT NULL,
        batch_id INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    -- One row per record index: where the record stands, rewritten when a batch
    -- re-clusters it.
    CREATE TABLE state (
        idx INTEGER PRIMARY KEY,
        -- The record's entity; NULL once removed.
        entity_id TEXT,
        -- Its join log (record indices, scores and outcomes: no values), CBOR; NULL if empty.
        joins BLOB
    );
    ",
    // 3: blind indexes and row digests as 16-byte blobs (the MAC's first 128 bits) instead
    // of 64 hex digits: the blind index, whose random keys put each new row on a page of
    // its own, takes less than half the pages, and each record's row shrinks. New blind
    // indexes wait in `blind_recent` and move into `blind_index` every few batches
    // (`ingest::merge_blind`).
    "
    CREATE TABLE blind_index_3 (
        kind TEXT NOT NULL,
        mac BLOB NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (kind, mac, record_id)
    ) WITHOUT ROWID;
    INSERT INTO blind_index_3 (kind, mac, record_id)
        SELECT kind, unhex(substr(mac, 1, 32)), record_id FROM blind_index;
    DROP TABLE blind_index;
    ALTER TABLE blind_index_3 RENAME TO blind_index;
    CREATE INDEX blind_index_record ON blind_index (record_id);
    CREATE TABLE blind_recent (
        kind TEXT NOT NULL,
        mac BLOB NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (kind, mac, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX blind_recent_record ON blind_recent (record_id);
    UPDATE records SET digest = unhex(substr(digest, 1, 32)) WHERE typeof(digest) = 'text';
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let current: i64 = conn
        .query_row("SELECT max(version) FROM schema_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(Error::Schema(format!(
            "the store has schema version {current}; this build reads up to {SCHEMA_VERSION}: \
             use a newer sameas"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            params![i as i64 + 1],
        )?;
        tx.commit()?;
    }
    Ok(())
}
