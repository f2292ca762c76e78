//! The resolver's state in two tables: `state_parts`, the record parts a batch added (ids,
//! normalized values, edges) compressed together and sealed, written once; and `state`, one
//! row per record index with its placement (entity and join log), rewritten when a batch
//! re-clusters the record. A batch writes the rows of the records it
//! added and of those whose placement it changed: its cost follows the batch, not the store.

use rayon::prelude::*;
use rusqlite::{Transaction, params};
use sameas::{Placement, RecordPart, Resolver};

use crate::Error;
use crate::keys::Crypto;

/// The associated-data name of a sealed record part.
pub(crate) const PART_FIELD: &str = "state_parts";

/// Compact binary form of a value (CBOR).
fn encode<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("CBOR writes to memory");
    out
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Error> {
    ciborium::from_reader(bytes).map_err(|_| Error::Decrypt(what.to_string()))
}

/// Record parts, encoded, compressed together and sealed.
fn seal_parts(crypto: &Crypto, parts: &[RecordPart]) -> Vec<u8> {
    use std::io::Write;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Encoded whole first: the compressor takes one large write, not one per CBOR item.
    deflate
        .write_all(&encode(parts))
        .expect("deflate writes to memory");
    crypto.seal(
        PART_FIELD,
        &deflate.finish().expect("deflate writes to memory"),
    )
}

/// Record parts from their sealed form.
pub(crate) fn open_parts(crypto: &Crypto, sealed: &[u8]) -> Result<Vec<RecordPart>, Error> {
    let packed = crypto.open(PART_FIELD, sealed)?;
    let inflate = std::io::BufReader::new(flate2::read::DeflateDecoder::new(packed.as_slice()));
    ciborium::from_reader(inflate).map_err(|_| Error::Decrypt(PART_FIELD.into()))
}

/// A placement from its columns.
pub(crate) fn placement(entity: Option<String>, joins: Option<&[u8]>) -> Result<Placement, Error> {
    let joins = match joins {
        Some(bytes) => decode(bytes, "state joins")?,
        None => Vec::new(),
    };
    Ok(Placement::new(entity.map(sameas::EntityId::from), joins))
}

/// The placement's columns: entity id and encoded joins (`None` when there are none).
fn placement_columns(placement: &Placement) -> (Option<&str>, Option<Vec<u8>>) {
    let joins = (!placement.joins().is_empty()).then(|| encode(placement.joins()));
    (placement.entity().map(|e| e.as_str()), joins)
}

/// Parts per `state_parts` row at most.
const CHUNK: usize = 4096;

/// Writes the parts and placements of the record indices from `from` on (records the batch
/// added).
pub(crate) fn write_new(
    tx: &Transaction<'_>,
    crypto: &Crypto,
    resolver: &Resolver,
    from: usize,
    batch: i64,
) -> Result<(), Error> {
    let mut insert =
        tx.prepare_cached("INSERT INTO state (idx, entity_id, joins) VALUES (?1, ?2, ?3)")?;
    let mut chunk = tx.prepare_cached(
        "INSERT INTO state_parts (first_idx, count, batch_id, sealed) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let end = resolver.index_count();
    // Each chunk's parts encoded, compressed and sealed on every core; rows written in order.
    let chunks: Vec<(usize, usize)> = (from..end)
        .step_by(CHUNK)
        .map(|first| (first, (first + CHUNK).min(end)))
        .collect();
    let sealed: Vec<Vec<u8>> = chunks
        .par_iter()
        .map(|&(first, last)| {
            let parts = (first..last)
                .map(|index| {
                    resolver
                        .record_part(index as u32)
                        .ok_or_else(|| Error::Input(format!("the state has no record {index}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(seal_parts(crypto, &parts))
        })
        .collect::<Result<_, Error>>()?;
    for (&(first, last), sealed) in chunks.iter().zip(sealed) {
        for index in first..last {
            let index = index as u32;
            let Some(placement) = resolver.placement(index) else {
                return Err(Error::Input(format!("the state has no record {index}")));
            };
            let (entity, joins) = placement_columns(&placement);
            insert.execute(params![index, entity, joins])?;
        }
        chunk.execute(params![first as i64, (last - first) as i64, batch, sealed])?;
    }
    Ok(())
}

/// Writes the whole state anew (every part and placement, and the scalars), replacing what
/// the tables held: after a compaction renumbered the records, or a snapshot moved to them.
pub(crate) fn write_whole(
    tx: &Transaction<'_>,
    crypto: &Crypto,
    resolver: &Resolver,
    batch: i64,
) -> Result<(), Error> {
    tx.execute_batch("DELETE FROM state; DELETE FROM state_parts;")?;
    write_new(tx, crypto, resolver, 0, batch)?;
    write_meta(tx, resolver, batch)
}

/// Rewrites the placements of `changed` indices below `below` (those from `below` on were
/// written whole by [`write_new`]).
pub(crate) fn write_changed(
    tx: &Transaction<'_>,
    resolver: &Resolver,
    changed: &[u32],
    below: usize,
) -> Result<(), Error> {
    let mut update =
        tx.prepare_cached("UPDATE state SET entity_id = ?2, joins = ?3 WHERE idx = ?1")?;
    for &index in changed.iter().filter(|&&i| (i as usize) < below) {
        if let Some(placement) = resolver.placement(index) {
            let (entity, joins) = placement_columns(&placement);
            update.execute(params![index, entity, joins])?;
        }
    }
    Ok(())
}

/// The state's scalars: the next entity sequence and the batch the state is of.
pub(crate) fn write_meta(
    tx: &Transaction<'_>,
    resolver: &Resolver,
    batch: i64,
) -> Result<(), Error> {
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_sequence', ?1), \
         ('state_batch', ?2)",
        params![resolver.next_sequence().to_string(), batch.to_string()],
    )?;
    Ok(())
}
