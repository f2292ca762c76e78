//! The store end to end: ingestion, idempotence and updates, the quality gate, encryption at
//! rest (no phone or national id in the database's bytes), export, lookup, backups.

use std::path::Path;

use sameas::InputTable;
use sameas_core::Channel;
use sameas_normalize::table::Table;
use sameas_store::{BatchStatus, Error, IngestOptions, Keys, LookupBy, Store};

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> InputTable {
    let headers = headers.iter().map(|h| h.to_string()).collect();
    InputTable::new(Table::from_rows(headers, rows, 1), Channel::Unknown)
}

/// `records` generated records (seed `seed`), in batches of `per_batch` rows.
fn generated(records: u64, seed: u64) -> Vec<Vec<String>> {
    sameas_synth::generate(&sameas_synth::SynthConfig {
        records,
        seed,
        ..Default::default()
    })
    .expect("generates")
    .records
    .into_iter()
    .map(|r| r.values)
    .collect()
}

fn batch(rows: &[Vec<String>]) -> InputTable {
    table(&sameas_synth::DATA_HEADER, rows.to_vec())
}

fn column(name: &str) -> usize {
    sameas_synth::DATA_HEADER
        .iter()
        .position(|h| *h == name)
        .unwrap()
}

#[test]
fn batches_add_update_and_reingest_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let keys = Keys::generate();
    let rows = generated(300, 11);
    let options = IngestOptions::default();
    let mut store = Store::open(&db, &keys).unwrap();
    let first = store.ingest("app", &batch(&rows[..150]), &options).unwrap();
    assert_eq!(first.rows_added, 150);
    assert_eq!(first.batch_id, 1);
    let second = store.ingest("web", &batch(&rows[150..]), &options).unwrap();
    assert_eq!((second.rows_added, second.rows_updated), (150, 0));
    assert!(store.check().unwrap().is_empty());
    let entity_of_first = store.entity_of(&rows[0][0]).unwrap().unwrap();

    // The same batch again: nothing changes.
    let again = store.ingest("web", &batch(&rows[150..]), &options).unwrap();
    assert_eq!(
        (again.rows_added, again.rows_updated, again.rows_unchanged),
        (0, 0, 150)
    );
    assert_eq!(store.record_count().unwrap(), 300);

    // One record changed: removed and added again, under the same id; the rest untouched.
    let mut changed = rows[150..160].to_vec();
    changed[3][column("email")] = "someone.new@example.com".to_string();
    let update = store.ingest("web", &batch(&changed), &options).unwrap();
    assert_eq!(
        (
            update.rows_added,
            update.rows_updated,
            update.rows_unchanged
        ),
        (0, 1, 9)
    );
    assert_eq!(store.record_count().unwrap(), 300);
    assert!(store.check().unwrap().is_empty());
    drop(store);

    // Reopened: the same state, entity ids unchanged.
    let mut store = Store::open(&db, &keys).unwrap();
    assert_eq!(
        store.entity_of(&rows[0][0]).unwrap().unwrap(),
        entity_of_first
    );
    assert!(store.check().unwrap().is_empty());
    let log = store.sync_log(10).unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].rows_updated, 1);

    // Export: the files resolve writes, every input id as given, once.
    let out = dir.path().join("out");
    store.export(&out).unwrap();
    let entities = std::fs::read_to_string(out.join("entities.csv")).unwrap();
    assert_eq!(entities.lines().count(), 301);
    for row in &rows {
        assert_eq!(
            entities
                .lines()
                .filter(|l| l.split(',').next() == Some(row[0].as_str()))
                .count(),
            1
        );
    }
    for name in sameas::OUTPUT_FILES {
        assert!(out.join(name).is_file(), "{name}");
    }

    // Other keys do not open it.
    assert!(matches!(
        Store::open(&db, &Keys::generate()),
        Err(Error::Keys(_))
    ));
}

#[test]
fn three_low_batches_pause_a_channel_until_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &Keys::generate()).unwrap();
    let rows = generated(240, 5);
    let options = IngestOptions::default();
    let good = store.ingest("app", &batch(&rows[..120]), &options).unwrap();
    assert!(good.quality.unwrap().score >= 0.9, "{:?}", good.quality);
    // Batches whose phones, e-mails and ids are garbage.
    let spoil = |range: std::ops::Range<usize>| {
        let mut bad = rows[range].to_vec();
        for row in &mut bad {
            for c in [
                "phone",
                "phone2",
                "email",
                "id_number",
                "member_no",
                "device_id",
            ] {
                row[column(c)] = "n/a?".to_string();
            }
        }
        batch(&bad)
    };
    for (i, range) in [(120..140), (140..160), (160..180)].into_iter().enumerate() {
        let report = store.ingest("pos", &spoil(range), &options).unwrap();
        assert!(report.quality.unwrap().score < 0.9);
        assert_eq!(report.channel_paused, i == 2, "{report:?}");
    }
    let refused = store.ingest("pos", &batch(&rows[180..200]), &options);
    let Err(err @ Error::ChannelPaused { .. }) = refused else {
        panic!("a paused channel's batch is refused: {refused:?}");
    };
    assert!(
        err.to_string().contains("sameas channel resume pos"),
        "{err}"
    );
    assert_eq!(store.sync_log(1).unwrap()[0].status, BatchStatus::Refused);
    // Other channels go on.
    store
        .ingest("app", &batch(&rows[200..220]), &options)
        .unwrap();
    let channels = store.channels(5).unwrap();
    let pos = channels.iter().find(|c| c.name == "pos").unwrap();
    assert!(pos.paused);
    assert_eq!(pos.recent_scores.len(), 3);
    assert!(store.resume_channel("pos").unwrap());
    let report = store
        .ingest("pos", &batch(&rows[180..200]), &options)
        .unwrap();
    assert_eq!(report.rows_added, 20);
    assert!(store.check().unwrap().is_empty());
}

/// Every form of every phone and national id of the input: as written, and normalized.
fn sensitive_values(rows: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        for c in ["phone", "phone2"] {
            let raw = row[column(c)].trim();
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 7 {
                out.push(raw.to_string());
                out.push(digits.clone());
                if let Some(national) = digits.strip_prefix("86").filter(|d| d.len() == 11) {
                    out.push(national.to_string());
                }
                if digits.len() == 11 {
                    out.push(format!("+86{digits}"));
                }
            }
        }
        let id = row[column("id_number")].trim();
        if id.len() >= 15 {
            out.push(id.to_string());
            out.push(id.to_uppercase());
        }
    }
    out.retain(|v| v.len() >= 7 && !v.contains('*'));
    out.sort();
    out.dedup();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[test]
fn no_phone_or_national_id_in_the_database_its_wal_or_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let keys = Keys::generate();
    let rows = generated(200, 3);
    let sensitive = sensitive_values(&rows);
    assert!(sensitive.len() > 100, "the test has values to look for");
    let mut store = Store::open(&db, &keys).unwrap();
    store
        .ingest("app", &batch(&rows[..100]), &IngestOptions::default())
        .unwrap();
    store
        .ingest("web", &batch(&rows[100..]), &IngestOptions::default())
        .unwrap();
    let backup = sameas_store::backup(&db, &dir.path().join("backups")).unwrap();
    // The WAL is read while the store is open, before a checkpoint empties it.
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let files = [bytes(&db), bytes(Path::new(&wal)), bytes(&backup.path)];
    assert!(files.iter().all(|f| !f.is_empty()));
    for value in &sensitive {
        for (file, name) in files.iter().zip(["database", "WAL", "backup"]) {
            assert!(
                !contains(file, value.as_bytes()),
                "a phone or national id in the {name}"
            );
        }
    }

    // Yet a lookup by phone finds its customer, masked unless asked for in the clear.
    let phone = rows[0][column("phone")].clone();
    if !phone.is_empty() && !phone.contains('*') {
        let found = store.lookup(LookupBy::Phone, &phone, false).unwrap();
        assert!(
            found
                .iter()
                .any(|v| v.records.iter().any(|(r, _)| r == &rows[0][0]))
        );
        let shown: Vec<&str> = found[0].golden.iter().map(|(_, v)| v.as_str()).collect();
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !shown
                .iter()
                .any(|v| v.contains(&digits[digits.len() - 11..]))
        );
    }
    let by_id = store.lookup(LookupBy::RecordId, &rows[5][0], true).unwrap();
    assert_eq!(by_id.len(), 1);

    // The backup restores, checked, over a damaged database.
    drop(store);
    std::fs::write(&db, b"not a database").unwrap();
    for side in ["-wal", "-shm"] {
        let mut p = db.clone().into_os_string();
        p.push(side);
        let _ = std::fs::remove_file(p);
    }
    sameas_store::restore(&backup.path, &db, &keys).unwrap();
    let mut store = Store::open(&db, &keys).unwrap();
    assert_eq!(store.record_count().unwrap(), 200);
    assert!(store.check().unwrap().is_empty());
}

#[test]
fn a_batch_without_a_column_fails_whole_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &Keys::generate()).unwrap();
    let rows = generated(60, 9);
    store
        .ingest("app", &batch(&rows[..40]), &IngestOptions::default())
        .unwrap();
    let narrow = table(
        &["record_id", "name"],
        rows[40..]
            .iter()
            .map(|r| vec![r[0].clone(), r[2].clone()])
            .collect(),
    );
    let err = store
        .ingest("app", &narrow, &IngestOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("no column"), "{err}");
    let log = store.sync_log(1).unwrap();
    assert_eq!(log[0].status, BatchStatus::Failed);
    assert_eq!(store.record_count().unwrap(), 40);
    assert!(store.check().unwrap().is_empty());
    // A row without an id is left out and named.
    let mut rows = rows[40..].to_vec();
    rows[2][0] = String::new();
    let report = store
        .ingest("app", &batch(&rows), &IngestOptions::default())
        .unwrap();
    assert_eq!(report.status, BatchStatus::Partial);
    assert_eq!(report.rows_added, 19);
    assert_eq!(report.bad_rows[0].row, 3);
    assert!(store.check().unwrap().is_empty());
}

/// A hex key id's bytes, and the associated data the store seals a value of `field` with
/// (key id ‖ 0 ‖ field name).
fn key_id_and_associated_data(key_id: &str, field: &str) -> (Vec<u8>, Vec<u8>) {
    let id: Vec<u8> = (0..key_id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&key_id[i..i + 2], 16).unwrap())
        .collect();
    let mut aad = id.clone();
    aad.push(0);
    aad.extend_from_slice(field.as_bytes());
    (id, aad)
}

/// Opens a sealed value (format byte ‖ key id ‖ nonce ‖ ciphertext) under a raw value key
/// and the associated data of `key_id` and `field`, as the store seals.
fn opens_under(key: &[u8; 32], key_id: &str, field: &str, sealed: &[u8]) -> bool {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Key, Nonce};
    let (_, aad) = key_id_and_associated_data(key_id, field);
    let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key));
    let nonce = Nonce::try_from(&sealed[9..21]).unwrap();
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[21..],
                aad: &aad,
            },
        )
        .is_ok()
}

/// Every sealed value in the database, with its associated-data field.
fn sealed_values(db: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for (table, field) in [
        ("records", "raw_row"),
        ("golden", "golden"),
        ("conflicts", "conflict"),
        ("config", "config"),
        ("resolver_state", "resolver_state"),
        ("state_parts", "state_parts"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT sealed FROM {table}"))
            .unwrap();
        let blobs: Vec<Vec<u8>> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.extend(blobs.into_iter().map(|b| (field, b)));
    }
    out
}

#[test]
fn rotating_the_value_key_reseals_everything_and_refuses_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let old_hex = "11".repeat(32);
    let old = Keys::from_hex(&old_hex, &"22".repeat(32)).unwrap();
    let old_raw = [0x11u8; 32];
    let rows = generated(160, 5);
    let options = IngestOptions::default();
    let mut store = Store::open(&db, &old).unwrap();
    store.ingest("app", &batch(&rows[..80]), &options).unwrap();
    store
        .ingest("web", &batch(&rows[80..150]), &options)
        .unwrap();
    let before = store.lookup(LookupBy::RecordId, &rows[3][0], true).unwrap();
    store.export(&dir.path().join("before")).unwrap();
    drop(store);
    let sealed = sealed_values(&db);
    assert!(sealed.len() > 150);
    // The test's own opening works on the store as written.
    assert!(
        sealed
            .iter()
            .all(|(field, s)| opens_under(&old_raw, &old.key_id(), field, s))
    );

    let key_file = sameas_store::key_file_beside(&db);
    old.write_file(&key_file).unwrap();
    let rotation = sameas_store::rotate_key_file(&db, &old, &key_file).unwrap();
    assert_eq!(rotation.values, sealed.len() as u64);
    assert!(!sameas_store::pending_key_file(&key_file).exists());
    let (new, _) = Keys::locate(&db, None, false).unwrap();
    assert_eq!(new.key_id(), rotation.new_key_id);
    assert_ne!(new.key_id(), old.key_id());

    // The old key is refused; no value opens under it; every value names the new key.
    assert!(matches!(Store::open(&db, &old), Err(Error::Keys(_))));
    let resealed = sealed_values(&db);
    assert_eq!(resealed.len(), sealed.len());
    for (field, s) in &resealed {
        assert!(!opens_under(&old_raw, &old.key_id(), field, s));
        assert!(!opens_under(&old_raw, &new.key_id(), field, s));
        assert_eq!(sameas_store_key_id(s), new.key_id());
    }

    // Lookup, export, check and ingestion work under the new key, with the same answers.
    let mut store = Store::open(&db, &new).unwrap();
    assert_eq!(
        store.lookup(LookupBy::RecordId, &rows[3][0], true).unwrap(),
        before
    );
    store.export(&dir.path().join("after")).unwrap();
    for file in ["entities.csv", "golden.csv"] {
        assert_eq!(
            bytes(&dir.path().join("before").join(file)),
            bytes(&dir.path().join("after").join(file)),
            "{file}"
        );
    }
    let last = store.ingest("app", &batch(&rows[150..]), &options).unwrap();
    assert_eq!(last.rows_added, 10);
    assert!(store.check().unwrap().is_empty());
    drop(store);

    // A crash after the commit and before the key file's rename: the next locate finishes
    // it. A stray new key file the store does not use blocks the next rotation.
    let newer = new.with_new_value_key();
    let pending = sameas_store::pending_key_file(&key_file);
    newer.write_file(&pending).unwrap();
    Store::open(&db, &new).unwrap().rotate_key(&newer).unwrap();
    let (found, _) = Keys::locate(&db, None, false).unwrap();
    assert_eq!(found.key_id(), newer.key_id());
    assert!(!pending.exists());
    new.with_new_value_key().write_file(&pending).unwrap();
    assert!(matches!(
        sameas_store::rotate_key_file(&db, &newer, &key_file),
        Err(Error::Keys(_))
    ));
    assert_eq!(
        Keys::locate(&db, None, false).unwrap().0.key_id(),
        newer.key_id()
    );
}

/// The key id a sealed value names, in hex.
fn sameas_store_key_id(sealed: &[u8]) -> String {
    sealed[1..9].iter().map(|b| format!("{b:02x}")).collect()
}

/// Batches with a change: new rows, rows again with another phone (removed and re-added),
/// more new rows.
fn batches_with_changes(rows: &[Vec<String>]) -> Vec<InputTable> {
    let phone = column("phone");
    let mut changed: Vec<Vec<String>> = rows[10..30].to_vec();
    for (i, row) in changed.iter_mut().enumerate() {
        row[phone] = format!("139{:08}", 5_000_000 + i);
    }
    vec![
        batch(&rows[..70]),
        batch(&rows[70..140]),
        batch(&changed),
        batch(&rows[140..]),
    ]
}

#[test]
fn a_store_reopened_per_batch_holds_what_one_open_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate();
    let rows = generated(200, 7);
    let options = IngestOptions::default();
    let mut open = Store::open(&dir.path().join("open.db"), &keys).unwrap();
    let reopened = dir.path().join("reopened.db");
    for batch in batches_with_changes(&rows) {
        let a = open.ingest("app", &batch, &options).unwrap();
        let b = Store::open(&reopened, &keys)
            .unwrap()
            .ingest("app", &batch, &options)
            .unwrap();
        assert_eq!(
            (a.rows_added, a.rows_updated, a.rows_unchanged),
            (b.rows_added, b.rows_updated, b.rows_unchanged)
        );
    }
    let mut reopened = Store::open(&reopened, &keys).unwrap();
    let id = column("record_id");
    for row in &rows {
        assert_eq!(
            open.entity_of(&row[id]).unwrap(),
            reopened.entity_of(&row[id]).unwrap()
        );
    }
    assert_eq!(
        open.entity_count().unwrap(),
        reopened.entity_count().unwrap()
    );
    assert!(open.check().unwrap().is_empty());
    assert!(reopened.check().unwrap().is_empty());
}

/// A batch rewrites the placements it changed only: what a fresh open reads back is, record
/// for record, what the store that ingested the batches holds in memory.
#[test]
fn a_fresh_open_reads_every_placement_the_ingesting_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate();
    let rows = generated(600, 11);
    let options = IngestOptions::default();
    let path = dir.path().join("customers.db");
    let mut open = Store::open(&path, &keys).unwrap();
    let mut batches = batches_with_changes(&rows[..300]);
    batches.extend(rows[300..].chunks(50).map(batch));
    for batch in &batches {
        open.ingest("app", batch, &options).unwrap();
    }
    let mut fresh = Store::open(&path, &keys).unwrap();
    let held = open.resolver().unwrap().unwrap();
    let read = fresh.resolver().unwrap().unwrap();
    assert_eq!(held.index_count(), read.index_count());
    let mut joins = 0;
    for index in 0..held.index_count() as u32 {
        assert_eq!(
            held.placement(index),
            read.placement(index),
            "record {index}"
        );
        assert_eq!(
            held.record_part(index),
            read.record_part(index),
            "record {index}"
        );
        joins += held.placement(index).unwrap().joins().len();
    }
    assert!(joins > 0, "some records joined others");
    assert_eq!(held.entities(), read.entities());
}

/// A channel that sends every record again with a changed cell, batch after batch: each
/// update leaves a removed record in the state until removed ones outnumber the records
/// held, then the state is compacted and written whole (the resolver's own test checks that
/// compacting keeps every entity). The store stays consistent and a fresh open reads the
/// entities the ingesting store holds.
#[test]
fn records_updated_again_and_again_keep_the_state_in_proportion() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate();
    let rows = generated(200, 5);
    let options = IngestOptions::default();
    let path = dir.path().join("customers.db");
    let mut store = Store::open(&path, &keys).unwrap();
    store.ingest("app", &batch(&rows), &options).unwrap();
    let updated = column("updated_at");
    let state_rows = |path: &Path| -> i64 {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row("SELECT count(*) FROM state", [], |r| r.get(0))
            .unwrap()
    };
    let mut most = 0;
    for day in 1..=5 {
        let mut again = rows.clone();
        for row in &mut again {
            row[updated] = format!("2026-01-0{day}T00:00:00");
        }
        let report = store.ingest("app", &batch(&again), &options).unwrap();
        assert_eq!(report.rows_updated, 200);
        assert!(store.check().unwrap().is_empty(), "day {day}");
        most = most.max(state_rows(&path));
    }
    // Without compacting the state would hold 1,200 rows (200 and five updates of each).
    assert!(most <= 600, "{most} state rows");
    assert_eq!(store.record_count().unwrap(), 200);
    let held = store.resolver().unwrap().unwrap().entities();
    let mut fresh = Store::open(&path, &keys).unwrap();
    assert_eq!(fresh.resolver().unwrap().unwrap().entities(), held);
}

/// Seals as the store does (format 1 ‖ key id ‖ nonce ‖ ciphertext), with a fixed nonce.
fn seal_as_store(key: &[u8; 32], key_id: &str, field: &str, plain: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Key, Nonce};
    let (id, aad) = key_id_and_associated_data(key_id, field);
    let nonce = [7u8; 12];
    let sealed = Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key))
        .encrypt(
            &Nonce::try_from(&nonce[..]).unwrap(),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .unwrap();
    let mut out = vec![1u8];
    out.extend_from_slice(&id);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

#[test]
fn a_store_of_schema_version_1_moves_its_snapshot_to_the_state_table() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let raw = [0x33u8; 32];
    let keys = Keys::from_hex(&"33".repeat(32), &"44".repeat(32)).unwrap();
    let rows = generated(200, 9);
    let options = IngestOptions::default();
    let batches = batches_with_changes(&rows);
    let mut store = Store::open(&db, &keys).unwrap();
    for batch in &batches[..3] {
        store.ingest("app", batch, &options).unwrap();
    }
    let entities_before = store.entity_count().unwrap();
    // The state as version 1 kept it: one sealed, compressed snapshot, no `state` table.
    let snapshot = store.resolver().unwrap().unwrap().snapshot().unwrap();
    drop(store);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(snapshot.as_bytes()).unwrap();
    let sealed = seal_as_store(
        &raw,
        &keys.key_id(),
        "resolver_state",
        &gz.finish().unwrap(),
    );
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let batch: i64 = conn
            .query_row("SELECT max(batch_id) FROM sync_log", [], |r| r.get(0))
            .unwrap();
        conn.execute_batch(&format!(
            "{DOWN_TO_2} DROP TABLE state; DROP TABLE state_parts; \
                 DELETE FROM schema_version WHERE version > 1; \
                 DELETE FROM meta WHERE key IN ('next_sequence', 'state_batch');"
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO resolver_state (id, batch_id, sealed) VALUES (1, ?1, ?2)",
            rusqlite::params![batch, sealed],
        )
        .unwrap();
    }
    let mut store = Store::open(&db, &keys).unwrap();
    assert!(store.check().unwrap().is_empty());
    assert_eq!(store.entity_count().unwrap(), entities_before);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM resolver_state"), 0);
    assert_eq!(
        count("SELECT max(version) FROM schema_version"),
        sameas_store::SCHEMA_VERSION
    );
    // 140 records and the 20 changed ones again, under new indices.
    assert_eq!(count("SELECT count(*) FROM state"), 160);
    // It goes on as a store of version 2, in this process and the next.
    store.ingest("app", &batches[3], &options).unwrap();
    drop(store);
    let mut store = Store::open(&db, &keys).unwrap();
    assert!(store.check().unwrap().is_empty());
    assert_eq!(store.record_count().unwrap(), 200);
}

/// Version 3's binary blind indexes and row digests written back as version 2 kept them: 64
/// hex digits (the first 32 those of the 16 bytes kept; the rest stand for the MAC's tail,
/// which version 3 drops).
const DOWN_TO_2: &str = "\
    CREATE TABLE blind_index_2 (kind TEXT NOT NULL, mac TEXT NOT NULL, record_id TEXT NOT NULL, \
        PRIMARY KEY (kind, mac, record_id)) WITHOUT ROWID; \
    INSERT INTO blind_index_2 SELECT kind, lower(hex(mac)) || 'ab01cd23ef45ab01cd23ef45ab01cd23', \
        record_id FROM (SELECT * FROM blind_index UNION ALL SELECT * FROM blind_recent); \
    DROP TABLE blind_index; \
    DROP TABLE blind_recent; \
    ALTER TABLE blind_index_2 RENAME TO blind_index; \
    CREATE INDEX blind_index_record ON blind_index (record_id); \
    UPDATE records SET digest = lower(hex(digest)) || 'ab01cd23ef45ab01cd23ef45ab01cd23'; \
    DELETE FROM schema_version WHERE version > 2;";

#[test]
fn a_store_of_schema_version_2_keeps_its_blind_indexes_and_digests_as_16_byte_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let keys = Keys::generate();
    let rows = generated(200, 13);
    let options = IngestOptions::default();
    let batches = batches_with_changes(&rows);
    let mut store = Store::open(&db, &keys).unwrap();
    for batch in &batches[..2] {
        store.ingest("app", batch, &options).unwrap();
    }
    let phones: Vec<String> = rows[..140]
        .iter()
        .map(|r| r[column("phone")].clone())
        .filter(|p| !p.is_empty() && !p.contains('*'))
        .take(20)
        .collect();
    assert!(phones.len() >= 10);
    let found = |store: &mut Store| -> Vec<Vec<String>> {
        phones
            .iter()
            .map(|p| {
                let mut ids: Vec<String> = store
                    .lookup(LookupBy::Phone, p, false)
                    .unwrap()
                    .into_iter()
                    .flat_map(|v| v.records.into_iter().map(|(r, _)| r))
                    .collect();
                ids.sort();
                ids
            })
            .collect()
    };
    let before = found(&mut store);
    assert!(before.iter().filter(|ids| !ids.is_empty()).count() >= 10);
    drop(store);
    let shape = |db: &Path| {
        let conn = rusqlite::Connection::open(db).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        // Version 3's blind indexes are in two tables; version 2's in one.
        let blind = if count("SELECT count(*) FROM sqlite_schema WHERE name = 'blind_recent'") > 0 {
            "(SELECT * FROM blind_index UNION ALL SELECT * FROM blind_recent)"
        } else {
            "blind_index"
        };
        (
            count("SELECT max(version) FROM schema_version"),
            count(&format!("SELECT count(*) FROM {blind}")),
            count(&format!(
                "SELECT count(*) FROM {blind} WHERE typeof(mac) = 'blob' AND length(mac) = 16"
            )),
            count(
                "SELECT count(*) FROM records WHERE typeof(digest) = 'blob' AND length(digest) = 16",
            ),
        )
    };
    let (version, indexed, blobs, digests) = shape(&db);
    assert_eq!(version, sameas_store::SCHEMA_VERSION);
    assert!(indexed >= 140);
    assert_eq!((blobs, digests), (indexed, 140));
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(DOWN_TO_2).unwrap();
    }
    let (version, old_indexed, blobs, digests) = shape(&db);
    assert_eq!((version, old_indexed, blobs, digests), (2, indexed, 0, 0));

    // Opened by this build: migrated, and read as before.
    let mut store = Store::open(&db, &keys).unwrap();
    assert_eq!(
        shape(&db),
        (sameas_store::SCHEMA_VERSION, indexed, indexed, 140)
    );
    assert!(store.check().unwrap().is_empty());
    assert_eq!(found(&mut store), before);
    // The digests still say which rows are unchanged, and changed rows drop their old
    // indexes.
    let again = store.ingest("app", &batches[1], &options).unwrap();
    assert_eq!(
        (again.rows_added, again.rows_updated, again.rows_unchanged),
        (0, 0, 70)
    );
    let changed = store.ingest("app", &batches[2], &options).unwrap();
    assert_eq!((changed.rows_added, changed.rows_updated), (0, 20));
    store.ingest("app", &batches[3], &options).unwrap();
    assert!(store.check().unwrap().is_empty());
    // Each changed record keeps one phone index: the new phone's.
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    for row in &rows[10..30] {
        let phones: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM blind_index WHERE kind = 'phone' AND record_id = ?1) \
                 + (SELECT count(*) FROM blind_recent WHERE kind = 'phone' AND record_id = ?1)",
                [&row[0]],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(phones, 1);
    }
    let mut store = Store::open(&db, &keys).unwrap();
    let now = store.lookup(LookupBy::Phone, "13905000000", false).unwrap();
    assert!(
        now.iter()
            .any(|v| v.records.iter().any(|(r, _)| r == &rows[10][0]))
    );
}

#[test]
fn blind_indexes_are_found_before_and_after_they_move_to_the_main_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("customers.db");
    let keys = Keys::generate();
    let rows = generated(300, 17);
    let options = IngestOptions::default();
    let mut store = Store::open(&db, &keys).unwrap();
    let phone = column("phone");
    let (mut both, mut moved, mut checked) = (false, false, 0);
    for (b, chunk) in rows.chunks(10).enumerate() {
        store.ingest("app", &batch(chunk), &options).unwrap();
        let tables = {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
            (
                count("SELECT count(*) FROM blind_index"),
                count("SELECT count(*) FROM blind_recent"),
            )
        };
        both |= tables.0 > 0 && tables.1 > 0;
        moved |= b > 0 && tables.1 == 0;
        // The first batch's phones (long moved) and this batch's (still recent) are found.
        for row in rows[..10].iter().chain(chunk) {
            let value = &row[phone];
            if value.is_empty() || value.contains('*') {
                continue;
            }
            // A phone that does not read as one has no index; the others find the record.
            let indexed: i64 = rusqlite::Connection::open(&db)
                .unwrap()
                .query_row(
                    "SELECT (SELECT count(*) FROM blind_index WHERE kind = 'phone' \
                     AND record_id = ?1) + (SELECT count(*) FROM blind_recent \
                     WHERE kind = 'phone' AND record_id = ?1)",
                    [&row[0]],
                    |r| r.get(0),
                )
                .unwrap();
            if indexed == 0 {
                continue;
            }
            checked += 1;
            let found = store.lookup(LookupBy::Phone, value, false).unwrap();
            assert!(
                found
                    .iter()
                    .any(|v| v.records.iter().any(|(r, _)| r == &row[0])),
                "record {} not found by its phone",
                row[0]
            );
        }
    }
    assert!(checked > 300);
    assert!(both, "some batch left rows in both tables");
    assert!(moved, "some batch moved the recent rows over");
    assert!(store.check().unwrap().is_empty());
}
