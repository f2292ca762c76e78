//! Ingesting a batch: read and score it, pass the channel's gate, add new records and
//! replace changed ones through the resolver, and commit the records, the entities they
//! touched, the events, the resolver's state and a sync-log row in one transaction.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sameas::{Control, EntityId, Event, InputTable, Resolver, ResolverConfig};
use sameas_core::FieldKind;
use sameas_normalize::record::{FieldValue, NormalizedRecord};
use serde::{Deserialize, Serialize};

use crate::quality::{self, Quality, QualityGate};
use crate::{Error, Store, now};

/// How a batch is ingested.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// The configuration for the first batch (trained or not; an untrained one is trained
    /// on the batch). Without one, the first batch's configuration is inferred and trained.
    /// Later batches use the stored one.
    pub config: Option<ResolverConfig>,
    /// What inference may not decide on its own, for a first batch without a configuration.
    pub infer: sameas::InferOptions,
    /// When the channel is paused.
    pub gate: QualityGate,
    /// The batch's source as the sync log names it (a file name); the table's name when
    /// empty.
    pub source: String,
}

/// How a batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchStatus {
    /// Every row was ingested.
    Success,
    /// Ingested, but some rows were bad (kept as their own entities, or left out when they
    /// had no record id).
    Partial,
    /// Nothing was ingested: an error (named in the message).
    Failed,
    /// Nothing was ingested: the channel is paused.
    Refused,
}

impl BatchStatus {
    fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Success => "success",
            BatchStatus::Partial => "partial",
            BatchStatus::Failed => "failed",
            BatchStatus::Refused => "refused",
        }
    }

    fn parse(text: &str) -> BatchStatus {
        match text {
            "success" => BatchStatus::Success,
            "partial" => BatchStatus::Partial,
            "refused" => BatchStatus::Refused,
            _ => BatchStatus::Failed,
        }
    }
}

/// A bad row of a batch: where, and why (never its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowNote {
    /// 1-based data row.
    pub row: u64,
    /// 1-based line in the file.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// One batch, as the sync log records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchReport {
    /// The batch's number in this store, from 1.
    pub batch_id: u64,
    /// When it started (RFC 3339, UTC).
    pub started: String,
    /// When it was committed or given up.
    pub finished: String,
    /// The channel.
    pub channel: String,
    /// Its source (a file name).
    pub source: String,
    /// How it went.
    pub status: BatchStatus,
    /// Rows read.
    pub rows_read: u64,
    /// Records new to the store.
    pub rows_added: u64,
    /// Records whose values changed (replaced).
    pub rows_updated: u64,
    /// Records already held with the same values (left as they were).
    pub rows_unchanged: u64,
    /// The bad rows.
    pub bad_rows: Vec<RowNote>,
    /// The batch's quality; `None` for a batch that could not be read.
    pub quality: Option<Quality>,
    /// What happened, in words (the error of a failed batch; the gate's verdict).
    pub message: String,
    /// Whether the channel is paused after this batch.
    pub channel_paused: bool,
}

/// The kinds of values with a blind index, and their index domains.
fn indexed(kind: FieldKind) -> Option<&'static str> {
    match kind {
        FieldKind::Phone => Some("phone"),
        FieldKind::Email => Some("email"),
        FieldKind::NationalId => Some("national_id"),
        FieldKind::Identifier => Some("identifier"),
        _ => None,
    }
}

/// Per row of a batch: what it means for the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowFate {
    New,
    Changed,
    Unchanged,
    /// No record id: left out.
    Skipped,
}

impl Store {
    /// Ingests one batch from `channel`. Records new to the store are added; a record held
    /// with other values (same id) is removed and added again; a record held with the same
    /// values is left alone, so ingesting a batch twice changes nothing the second time.
    /// One sync-log row records the batch, whatever happens to it.
    ///
    /// # Errors
    /// [`Error::ChannelPaused`] for a paused channel; a batch that cannot be read as a whole
    /// (no record id column, a column the stored configuration reads is missing, a
    /// repeated record id); storage errors. Nothing of a failed batch is kept but its
    /// sync-log row.
    pub fn ingest(
        &mut self,
        channel: &str,
        input: &InputTable,
        options: &IngestOptions,
    ) -> Result<BatchReport, Error> {
        let started = now();
        let source = if options.source.is_empty() {
            input.name.clone()
        } else {
            options.source.clone()
        };
        let mut report = BatchReport {
            batch_id: 0,
            started,
            finished: String::new(),
            channel: channel.to_string(),
            source,
            status: BatchStatus::Failed,
            rows_read: input.table.rows.len() as u64,
            rows_added: 0,
            rows_updated: 0,
            rows_unchanged: 0,
            bad_rows: Vec::new(),
            quality: None,
            message: String::new(),
            channel_paused: false,
        };
        if channel.trim().is_empty() {
            return Err(Error::Input("a batch needs a channel name".into()));
        }
        let paused: Option<String> = self
            .conn
            .query_row(
                "SELECT reason FROM channels WHERE name = ?1 AND state = 'paused'",
                params![channel],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(reason) = paused {
            let err = Error::ChannelPaused {
                channel: channel.to_string(),
                reason,
            };
            report.status = BatchStatus::Refused;
            report.message = err.to_string();
            report.channel_paused = true;
            self.log_alone(&mut report)?;
            return Err(err);
        }
        // On a worker thread of the pool: the batch's many small parallel calls then run
        // without handing work over from a thread outside it.
        match rayon::scope(|_| self.ingest_batch(channel, input, options, &mut report)) {
            Ok(()) => Ok(report),
            Err(err) => {
                // The in-memory resolver may hold part of the batch: drop it, so that the
                // next use opens the committed state again.
                self.resolver = None;
                report.status = BatchStatus::Failed;
                report.message = err.to_string();
                self.log_alone(&mut report)?;
                Err(err)
            }
        }
    }

    /// Writes a sync-log row for a batch that changed nothing else.
    fn log_alone(&mut self, report: &mut BatchReport) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        report.batch_id = next_batch(&tx)?;
        report.finished = now();
        write_log(&tx, report)?;
        tx.commit()?;
        self.after_commit();
        Ok(())
    }

    fn ingest_batch(
        &mut self,
        channel: &str,
        input: &InputTable,
        options: &IngestOptions,
        report: &mut BatchReport,
    ) -> Result<(), Error> {
        let control = Control::none();
        self.load_resolver()?;
        let first = self.resolver.is_none();
        if first {
            let mut resolver = match &options.config {
                Some(config) => Resolver::with_config(config.clone())?,
                None => Resolver::with_options(options.infer.clone()),
            };
            if !resolver.is_fitted() {
                resolver.fit(input, &control)?;
            }
            self.resolver = Some(resolver);
        }
        let resolver = self.resolver.as_mut().expect("set above");
        // An update removes a record and adds it again, leaving the removed one in the
        // state: once removed records outnumber the records held, the state is compacted and
        // this batch writes it again whole (so it stays in proportion to the records held,
        // and each rewrite follows at least as many updates as records it writes).
        let removed = resolver.removed_count();
        let compacted = removed > resolver.index_count() - removed && resolver.compact()? > 0;
        // What this batch changes, from a clean start.
        resolver.take_changed();
        resolver.take_moved();
        resolver.take_events();
        let held_before = resolver.index_count();
        let config = resolver.config().expect("fitted").clone();
        let id_column = config.schema.id_column.as_ref().ok_or_else(|| {
            Error::Input(
                "the store keys records by their id: the input needs a record id column".into(),
            )
        })?;
        let id_at = input
            .table
            .headers
            .iter()
            .position(|h| h.trim() == id_column.header.trim())
            .ok_or_else(|| {
                Error::Input(format!(
                    "{}: no column `{}`, the record id column of this store",
                    input.name, id_column.header
                ))
            })?;
        let prepared = resolver.prepare_batch(input, &control)?;
        for bad in &prepared.bad_rows {
            report.bad_rows.push(RowNote {
                row: bad.row,
                line: bad.line,
                reason: bad.reason.clone(),
            });
        }

        // Each row's fate: a row without an id of its own is left out; otherwise its
        // digest (a keyed hash of channel, headers and cells) tells new, changed, unchanged.
        let rows = &input.table.rows;
        let mut fates = Vec::with_capacity(rows.len());
        let mut digests = Vec::with_capacity(rows.len());
        {
            // The keyed digests on every core; the lookups in order.
            let computed: Vec<Option<Vec<u8>>> = rows
                .par_iter()
                .map(|row| {
                    let given = row.cells.get(id_at).is_some_and(|c| !c.trim().is_empty());
                    given.then(|| {
                        row_digest(&self.crypto, channel, &input.table.headers, &row.cells)
                    })
                })
                .collect();
            let mut held = self
                .conn
                .prepare_cached("SELECT digest FROM records WHERE record_id = ?1")?;
            for ((row, id), digest) in rows.iter().zip(&prepared.ids).zip(computed) {
                let Some(digest) = digest else {
                    fates.push(RowFate::Skipped);
                    digests.push(Vec::new());
                    report.bad_rows.push(RowNote {
                        row: row.number,
                        line: row.line,
                        reason: "no record id: left out (the store keys records by id)".into(),
                    });
                    continue;
                };
                // Every stored record is held by the resolver (`store check` checks it), so
                // an id it does not hold is new without a look-up: a miss in the records'
                // index costs as much as a hit, and grows with the store.
                let stored: Option<Vec<u8>> = if resolver.entity_of(id.as_str()).is_some() {
                    held.query_row(params![id.as_str()], |r| r.get(0))
                        .optional()?
                } else {
                    None
                };
                fates.push(match stored {
                    None => RowFate::New,
                    Some(d) if d == digest => RowFate::Unchanged,
                    Some(_) => RowFate::Changed,
                });
                digests.push(digest);
            }
        }
        report.bad_rows.sort_by_key(|n| n.row);
        let usable: Vec<bool> = fates.iter().map(|&f| f != RowFate::Skipped).collect();
        let quality = quality::score(&config.schema, &prepared, &usable);
        report.quality = Some(quality);

        // Through the resolver: changed records out, then new and changed ones in, in the
        // batch's row order.
        let mut events: Vec<Event> = Vec::new();
        for (id, fate) in prepared.ids.iter().zip(&fates) {
            if *fate == RowFate::Changed {
                events.extend(resolver.remove(id.as_str())?);
            }
        }
        let added: Vec<usize> = (0..rows.len())
            .filter(|&i| matches!(fates[i], RowFate::New | RowFate::Changed))
            .collect();
        if !added.is_empty() {
            events.extend(resolver.add_prepared(&prepared, &added, &control)?);
        }
        let mut touched: BTreeSet<EntityId> = BTreeSet::new();
        for event in &events {
            touch(event, &mut touched);
        }
        for &i in &added {
            if let Some(entity) = resolver.entity_of(prepared.ids[i].as_str()) {
                touched.insert(entity);
            }
        }

        let changed = resolver.take_changed();
        let moved = resolver.take_moved();
        resolver.take_events();

        // One transaction for everything the batch changes.
        self.before_write();
        let resolver = self.resolver.as_ref().expect("set");
        let tx = self.conn.transaction()?;
        crate::rotate::same_key(&tx, &self.crypto)?;
        report.batch_id = next_batch(&tx)?;
        let batch = report.batch_id as i64;
        if first {
            let json = resolver.to_json()?;
            tx.execute(
                "INSERT OR REPLACE INTO config (id, sealed) VALUES (1, ?1)",
                params![self.crypto.seal_str("config", &json)],
            )?;
        }
        {
            let next_seq: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM records", [], |r| {
                    r.get(0)
                })?;
            let mut upsert = tx.prepare_cached(
                "INSERT OR REPLACE INTO records \
                 (record_id, seq, channel, batch_id, digest, bad, sealed) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut unindex = tx.prepare_cached("DELETE FROM blind_index WHERE record_id = ?1")?;
            let mut unindex_recent =
                tx.prepare_cached("DELETE FROM blind_recent WHERE record_id = ?1")?;
            // New blind indexes go to the small `blind_recent` first (see `merge_blind`).
            let mut index = tx.prepare_cached(
                "INSERT OR IGNORE INTO blind_recent (kind, mac, record_id) VALUES (?1, ?2, ?3)",
            )?;
            // Sealing and blind indexes on every core; the rows written in order.
            let sealed: Vec<SealedRow> = added
                .par_iter()
                .map(|&i| {
                    let raw = raw_row_json(&input.table.headers, &rows[i].cells);
                    (
                        self.crypto.seal_str(RAW_FIELD, &raw),
                        blind_keys(&self.crypto, &config.schema, &prepared.records[i]),
                    )
                })
                .collect();
            for ((seq, &i), (raw, macs)) in (next_seq..).zip(&added).zip(sealed) {
                let id = prepared.ids[i].as_str();
                if fates[i] == RowFate::Changed {
                    report.rows_updated += 1;
                    unindex.execute(params![id])?;
                    unindex_recent.execute(params![id])?;
                } else {
                    report.rows_added += 1;
                }
                upsert.execute(params![
                    id,
                    seq,
                    channel,
                    batch,
                    digests[i],
                    prepared.bad[i],
                    raw,
                ])?;
                for (domain, mac) in macs {
                    index.execute(params![domain, mac, id])?;
                }
            }
            merge_blind(&tx)?;
        }
        report.rows_unchanged = fates.iter().filter(|&&f| f == RowFate::Unchanged).count() as u64;
        write_entities(&tx, &self.crypto, resolver, &touched, &moved, batch)?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO events (batch_id, event) VALUES (?1, ?2)")?;
            for event in &events {
                insert.execute(params![
                    batch,
                    serde_json::to_string(event).unwrap_or_default()
                ])?;
            }
        }
        if compacted {
            crate::parts::write_whole(&tx, &self.crypto, resolver, batch)?;
        } else {
            crate::parts::write_new(&tx, &self.crypto, resolver, held_before, batch)?;
            crate::parts::write_changed(&tx, resolver, &changed, held_before)?;
            crate::parts::write_meta(&tx, resolver, batch)?;
        }
        report.channel_paused = gate(&tx, channel, quality, options.gate, report)?;
        report.status = if report.bad_rows.is_empty() {
            BatchStatus::Success
        } else {
            BatchStatus::Partial
        };
        report.finished = now();
        write_log(&tx, report)?;
        tx.commit()?;
        self.after_commit();
        Ok(())
    }
}

/// A record's raw row sealed, and its blind indexes (domain, MAC).
type SealedRow = (Vec<u8>, Vec<(&'static str, Vec<u8>)>);

/// The associated-data name of a record's sealed raw row.
pub(crate) const RAW_FIELD: &str = "raw_row";
/// The associated-data name of a sealed golden row.
pub(crate) const GOLDEN_FIELD: &str = "golden";
/// The associated-data name of a sealed conflict.
pub(crate) const CONFLICT_FIELD: &str = "conflict";

/// The entities an event names.
fn touch(event: &Event, touched: &mut BTreeSet<EntityId>) {
    match event {
        Event::Created { entity, .. }
        | Event::RecordAdded { entity, .. }
        | Event::RecordRemoved { entity, .. }
        | Event::Retired { entity } => {
            touched.insert(entity.clone());
        }
        Event::Merged {
            entity, absorbed, ..
        } => {
            touched.insert(entity.clone());
            touched.extend(absorbed.iter().cloned());
        }
        Event::Split { entity, into } => {
            touched.insert(entity.clone());
            touched.extend(into.iter().cloned());
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

/// Rewrites the touched entities: size, golden record, conflicts; entities the resolver no
/// longer holds are deleted. Each record whose entity changed (`moved`, indices) gets its
/// `record_entity` row: the other members of a touched entity kept theirs, and so did the
/// records whose join log alone changed.
fn write_entities(
    tx: &Transaction<'_>,
    crypto: &crate::keys::Crypto,
    resolver: &Resolver,
    touched: &BTreeSet<EntityId>,
    moved: &[u32],
    batch: i64,
) -> Result<(), Error> {
    let ids: Vec<EntityId> = touched.iter().cloned().collect();
    let resolution = resolver.held_resolution(Some(&ids), None, &Control::none())?;
    let mut drop_entity = tx.prepare_cached("DELETE FROM entities WHERE entity_id = ?1")?;
    let mut drop_golden = tx.prepare_cached("DELETE FROM golden WHERE entity_id = ?1")?;
    let mut drop_conflicts = tx.prepare_cached("DELETE FROM conflicts WHERE entity_id = ?1")?;
    let mut put_entity = tx.prepare_cached(
        "INSERT OR REPLACE INTO entities (entity_id, size, batch_id) VALUES (?1, ?2, ?3)",
    )?;
    let mut put_member = tx.prepare_cached(
        "INSERT OR REPLACE INTO record_entity (record_id, entity_id) VALUES (?1, ?2)",
    )?;
    let mut put_golden =
        tx.prepare_cached("INSERT OR REPLACE INTO golden (entity_id, sealed) VALUES (?1, ?2)")?;
    let mut put_conflict =
        tx.prepare_cached("INSERT INTO conflicts (entity_id, field, sealed) VALUES (?1, ?2, ?3)")?;
    for id in touched {
        drop_conflicts.execute(params![id.as_str()])?;
        if resolver.records_of(id.as_str()).is_none() {
            drop_entity.execute(params![id.as_str()])?;
            drop_golden.execute(params![id.as_str()])?;
        }
    }
    let mut size: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for (_, entity) in &resolution.entities {
        *size.entry(entity.as_str()).or_default() += 1;
    }
    for &index in moved {
        if let (Some(record), Some(placement)) =
            (resolver.record_id_at(index), resolver.placement(index))
            && let Some(entity) = placement.entity()
        {
            put_member.execute(params![record.as_str(), entity.as_str()])?;
        }
    }
    // Sealed on every core, written in order.
    let goldens: Vec<Vec<u8>> = resolution
        .golden
        .par_iter()
        .map(|golden| {
            let row = serde_json::to_string(&resolution.golden_row(golden)).unwrap_or_default();
            crypto.seal_str(GOLDEN_FIELD, &row)
        })
        .collect();
    for (golden, sealed) in resolution.golden.iter().zip(goldens) {
        put_entity.execute(params![
            golden.entity,
            size.get(golden.entity.as_str()).copied().unwrap_or(0),
            batch
        ])?;
        put_golden.execute(params![golden.entity, sealed])?;
    }
    let conflicts: Vec<Vec<u8>> = resolution
        .conflicts
        .par_iter()
        .map(|conflict| {
            let json = serde_json::to_string(conflict).unwrap_or_default();
            crypto.seal_str(CONFLICT_FIELD, &json)
        })
        .collect();
    for (conflict, sealed) in resolution.conflicts.iter().zip(conflicts) {
        put_conflict.execute(params![conflict.entity, conflict.field.as_ref(), sealed])?;
    }
    let header = serde_json::to_string(&resolution.golden_header).unwrap_or_default();
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('golden_header', ?1)",
        params![header],
    )?;
    Ok(())
}

/// Moves the recent blind indexes into `blind_index` once their rows number an eighth of
/// the records stored (with about two indexes per record: once the batches since the last
/// move added about a fifteenth of the records). A blind index's key is a random MAC, so rows inserted one batch at a time
/// into a large index land on pages of their own: at a million records a batch's rows
/// dirtied most of the index's pages, and each commit wrote them all. Kept apart in
/// `blind_recent` (small, so its pages are few) and moved over in key order every few
/// batches, each index page is written about once per move instead of once per batch. A
/// lookup reads both tables.
fn merge_blind(tx: &Transaction<'_>) -> Result<(), Error> {
    let recent: i64 = tx.query_row("SELECT count(*) FROM blind_recent", [], |r| r.get(0))?;
    let stored: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM records", [], |r| {
        r.get(0)
    })?;
    if recent > 0 && recent * BLIND_MERGE_SHARE >= stored {
        tx.execute_batch(
            "INSERT OR IGNORE INTO blind_index (kind, mac, record_id) \
             SELECT kind, mac, record_id FROM blind_recent ORDER BY kind, mac, record_id; \
             DELETE FROM blind_recent;",
        )?;
    }
    Ok(())
}

/// `blind_recent` moves into `blind_index` once its rows times this reach the records
/// stored.
const BLIND_MERGE_SHARE: i64 = 8;

/// Updates the channel's run of low batches; pauses it at the gate's count. Returns whether
/// it is paused now, and says so in the report's message.
fn gate(
    tx: &Transaction<'_>,
    channel: &str,
    quality: Quality,
    gate: QualityGate,
    report: &mut BatchReport,
) -> Result<bool, Error> {
    let streak: i64 = tx
        .query_row(
            "SELECT low_streak FROM channels WHERE name = ?1",
            params![channel],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let low = quality.score < gate.threshold;
    let streak = if low { streak + 1 } else { 0 };
    let paused = low && streak >= i64::from(gate.consecutive.max(1));
    let reason = if paused {
        format!(
            "{streak} batches in a row scored below {:.0}% (the last {:.1}%)",
            gate.threshold * 100.0,
            quality.score * 100.0
        )
    } else {
        String::new()
    };
    report.message = if paused {
        format!("channel paused: {reason}")
    } else if low {
        format!(
            "quality {:.1}% is below {:.0}% ({streak} of {} low batches in a row pause the channel)",
            quality.score * 100.0,
            gate.threshold * 100.0,
            gate.consecutive
        )
    } else {
        String::new()
    };
    tx.execute(
        "INSERT INTO channels (name, state, low_streak, reason, updated) \
         VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (name) DO UPDATE SET state = ?2, low_streak = ?3, reason = ?4, updated = ?5",
        params![
            channel,
            if paused { "paused" } else { "active" },
            streak,
            reason,
            now()
        ],
    )?;
    Ok(paused)
}

fn next_batch(tx: &Transaction<'_>) -> Result<u64, Error> {
    Ok(tx.query_row(
        "SELECT coalesce(max(batch_id), 0) + 1 FROM sync_log",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

fn write_log(tx: &Transaction<'_>, report: &BatchReport) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO sync_log (batch_id, started, finished, channel, source, status, rows_read, \
         rows_added, rows_updated, rows_unchanged, rows_bad, bad_rows, quality, message) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            report.batch_id as i64,
            report.started,
            report.finished,
            report.channel,
            report.source,
            report.status.as_str(),
            report.rows_read as i64,
            report.rows_added as i64,
            report.rows_updated as i64,
            report.rows_unchanged as i64,
            report.bad_rows.len() as i64,
            serde_json::to_string(&report.bad_rows).unwrap_or_default(),
            report.quality.map(|q| q.score),
            report.message,
        ],
    )?;
    Ok(())
}

pub(crate) fn read_log(conn: &Connection, limit: usize) -> Result<Vec<BatchReport>, Error> {
    let mut stmt = conn.prepare(
        "SELECT batch_id, started, finished, channel, source, status, rows_read, rows_added, \
         rows_updated, rows_unchanged, bad_rows, quality, message \
         FROM sync_log ORDER BY batch_id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![limit as i64], |r| {
        let bad: String = r.get(10)?;
        let score: Option<f64> = r.get(11)?;
        Ok(BatchReport {
            batch_id: r.get::<_, i64>(0)? as u64,
            started: r.get(1)?,
            finished: r.get(2)?,
            channel: r.get(3)?,
            source: r.get(4)?,
            status: BatchStatus::parse(&r.get::<_, String>(5)?),
            rows_read: r.get::<_, i64>(6)? as u64,
            rows_added: r.get::<_, i64>(7)? as u64,
            rows_updated: r.get::<_, i64>(8)? as u64,
            rows_unchanged: r.get::<_, i64>(9)? as u64,
            bad_rows: serde_json::from_str(&bad).unwrap_or_default(),
            // The log keeps the score only.
            quality: score.map(|score| Quality {
                score,
                completeness: f64::NAN,
                validity: f64::NAN,
            }),
            message: r.get(12)?,
            channel_paused: false,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A keyed digest of a row: equal for the same channel, headers and cells (in any column
/// order), and reveals nothing about them without the index key.
fn row_digest(
    crypto: &crate::keys::Crypto,
    channel: &str,
    headers: &[String],
    cells: &[String],
) -> Vec<u8> {
    let mut pairs: Vec<(&str, &str)> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), cells.get(i).map_or("", |c| c.as_str())))
        .collect();
    pairs.sort_unstable();
    let text = serde_json::to_string(&(channel, pairs, cells.len())).unwrap_or_default();
    crypto.blind_mac("row", &text)
}

/// The raw row as a JSON object (header → cell) of its non-empty cells, extra cells of a
/// ragged row under `_extra1` …
fn raw_row_json(headers: &[String], cells: &[String]) -> String {
    let mut map = serde_json::Map::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let key = headers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("_extra{}", i - headers.len() + 1));
        map.insert(key, serde_json::Value::String(cell.clone()));
    }
    serde_json::Value::Object(map).to_string()
}

/// The blind indexes of a record: its normalized phones, e-mails, national ids and other
/// identifiers, each under its kind's domain.
pub(crate) fn blind_keys(
    crypto: &crate::keys::Crypto,
    schema: &sameas_core::Schema,
    record: &NormalizedRecord,
) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for (spec, field) in schema.fields.iter().zip(record.fields()) {
        let (Some(domain), Some(value)) = (indexed(spec.kind), field.value.as_ref()) else {
            continue;
        };
        if let FieldValue::Phone(_) | FieldValue::Email(_) | FieldValue::NationalId(_) = value {
        } else if spec.kind != FieldKind::Identifier {
            continue;
        }
        let norm = value.norm();
        if !norm.is_empty() {
            out.push((domain, crypto.blind_mac(domain, &norm)));
        }
    }
    out
}
