//! Reading the store back: exporting the files a `resolve` run writes, and looking a
//! customer up by record id, phone, e-mail or national id.

use std::path::Path;

use rusqlite::{OptionalExtension, params};
use sameas::{Control, RecordId, Resolution};
use sameas_core::{Channel, FieldKind};
use sameas_normalize::infer::record_from_row;
use sameas_normalize::privacy::mask;
use sameas_normalize::record::RecordNormalizer;
use serde::Serialize;

use crate::ingest::GOLDEN_FIELD;
use crate::{Error, Store};

/// What a lookup is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupBy {
    /// A record id, as the input gave it.
    RecordId,
    /// A phone, written any way the input could have written it.
    Phone,
    /// An e-mail address.
    Email,
    /// A national id.
    NationalId,
}

/// A customer's unified view: the entity, its records, and its golden record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerView {
    /// The entity id.
    pub entity_id: String,
    /// Its records: `(record id, channel)`, by record id.
    pub records: Vec<(String, String)>,
    /// The golden record: `(column, value)` as `golden.csv` has them; personal values
    /// masked unless asked for in the clear.
    pub golden: Vec<(String, String)>,
}

impl Store {
    /// The held records as a resolution (entities in the order records were first stored,
    /// ids as the input gave them), for [`sameas::write_resolution`].
    ///
    /// # Errors
    /// [`Error::Input`] for an empty store; as opening the state.
    pub fn resolution(&mut self) -> Result<(Resolution, sameas::ResolverConfig), Error> {
        self.load_resolver()?;
        let Some(resolver) = self.resolver.as_ref() else {
            return Err(Error::Input("the store holds no records yet".into()));
        };
        let mut stmt = self
            .conn
            .prepare("SELECT record_id FROM records ORDER BY seq")?;
        let order: Vec<RecordId> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|id| id.map(RecordId::from))
            .collect::<Result<_, _>>()?;
        let resolution = resolver.held_resolution(None, Some(&order), &Control::none())?;
        Ok((resolution, resolver.config().expect("fitted").clone()))
    }

    /// Writes the files a `resolve` run writes into `dir`.
    ///
    /// # Errors
    /// As [`Store::resolution`] and [`sameas::write_resolution`].
    pub fn export(&mut self, dir: &Path) -> Result<(), Error> {
        let (resolution, config) = self.resolution()?;
        sameas::write_resolution(dir, &resolution, &config, &resolution.report)?;
        Ok(())
    }

    /// The customers a value leads to (one for a record id; perhaps several for a phone
    /// shared by a household), by entity id. `clear` shows personal values unmasked.
    ///
    /// # Errors
    /// [`Error::Input`] for a store without that kind of field; storage and key errors.
    pub fn lookup(
        &mut self,
        by: LookupBy,
        value: &str,
        clear: bool,
    ) -> Result<Vec<CustomerView>, Error> {
        self.load_resolver()?;
        let Some(resolver) = self.resolver.as_ref() else {
            return Ok(Vec::new());
        };
        let schema = resolver.config().expect("fitted").schema.clone();
        let records: Vec<String> = match by {
            LookupBy::RecordId => vec![value.to_string()],
            _ => {
                let (kind, domain) = match by {
                    LookupBy::Phone => (FieldKind::Phone, "phone"),
                    LookupBy::Email => (FieldKind::Email, "email"),
                    _ => (FieldKind::NationalId, "national_id"),
                };
                let config = resolver.config().expect("fitted");
                let normalizer =
                    RecordNormalizer::new(config.schema.clone(), config.normalize.clone())
                        .map_err(sameas::Error::from)?;
                let width = schema
                    .fields
                    .iter()
                    .flat_map(|f| f.columns.iter().map(|c| c.index + 1))
                    .max()
                    .unwrap_or(0);
                let mut macs = Vec::new();
                for (at, field) in schema.fields.iter().enumerate() {
                    let (true, Some(column)) = (field.kind == kind, field.columns.first()) else {
                        continue;
                    };
                    let mut row = vec![String::new(); width];
                    row[column.index] = value.to_string();
                    let record = record_from_row(&schema, &row, 1, &Channel::Unknown);
                    let normalized = normalizer.normalize(&record);
                    if let Some(v) = normalized.field(at).value.as_ref() {
                        macs.push(self.crypto.blind_mac(domain, &v.norm()));
                    }
                }
                if !schema.fields.iter().any(|f| f.kind == kind) {
                    return Err(Error::Input(format!(
                        "this store's records have no {domain} field to look up by"
                    )));
                }
                let mut stmt = self.conn.prepare_cached(
                    "SELECT record_id FROM blind_index WHERE kind = ?1 AND mac = ?2 \
                     UNION ALL SELECT record_id FROM blind_recent WHERE kind = ?1 AND mac = ?2",
                )?;
                let mut ids = Vec::new();
                for mac in macs {
                    for id in stmt.query_map(params![domain, mac], |r| r.get::<_, String>(0))? {
                        ids.push(id?);
                    }
                }
                ids
            }
        };
        let mut entities: Vec<String> = Vec::new();
        for record in &records {
            if let Some(entity) = self.entity_of(record)? {
                entities.push(entity);
            }
        }
        entities.sort();
        entities.dedup();
        let header: Vec<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'golden_header'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|h| serde_json::from_str(&h).ok())
            .unwrap_or_default();
        let kind_of = |column: &str| {
            let name = column.split('.').next().unwrap_or(column);
            schema
                .fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.kind)
        };
        let mut out = Vec::new();
        for entity in entities {
            let sealed: Vec<u8> = self.conn.query_row(
                "SELECT sealed FROM golden WHERE entity_id = ?1",
                params![entity],
                |r| r.get(0),
            )?;
            let row: Vec<String> =
                serde_json::from_str(&self.crypto.open_string(GOLDEN_FIELD, &sealed)?)
                    .map_err(|_| Error::Decrypt(GOLDEN_FIELD.into()))?;
            let golden = header
                .iter()
                .zip(row)
                .map(|(column, value)| {
                    let shown = match kind_of(column) {
                        Some(kind)
                            if !clear && !value.is_empty() && !column.ends_with(".source") =>
                        {
                            value
                                .split('|')
                                .map(|v| mask(kind, v))
                                .collect::<Vec<_>>()
                                .join("|")
                        }
                        _ => value,
                    };
                    (column.clone(), shown)
                })
                .collect();
            let mut stmt = self.conn.prepare_cached(
                "SELECT r.record_id, r.channel FROM record_entity e \
                 JOIN records r ON r.record_id = e.record_id \
                 WHERE e.entity_id = ?1 ORDER BY r.record_id",
            )?;
            let records = stmt
                .query_map(params![entity], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            out.push(CustomerView {
                entity_id: entity,
                records,
                golden,
            });
        }
        Ok(out)
    }
}
