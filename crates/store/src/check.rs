//! `check`: the store's consistency, as SQLite and as an identity store.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use crate::{Error, Store};

impl Store {
    /// Checks the store and returns what is wrong (empty when consistent): SQLite's own
    /// integrity check; every record mapped to exactly one entity that exists; every entity
    /// non-empty, of the size it says, with a golden record; and the resolver's state
    /// holding exactly the stored records, each in the entity the tables say.
    ///
    /// # Errors
    /// Storage and key errors (a state that does not open is an error, not a finding).
    pub fn check(&mut self) -> Result<Vec<String>, Error> {
        let mut problems = Vec::new();
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if integrity != "ok" {
            problems.push(format!("SQLite integrity check: {integrity}"));
            return Ok(problems);
        }
        let count = |sql: &str| -> Result<i64, Error> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))?)
        };
        let checks = [
            (
                "SELECT count(*) FROM records r LEFT JOIN record_entity e USING (record_id) \
                 WHERE e.record_id IS NULL",
                "records without an entity",
            ),
            (
                "SELECT count(*) FROM record_entity e LEFT JOIN records r USING (record_id) \
                 WHERE r.record_id IS NULL",
                "entity rows naming no stored record",
            ),
            (
                "SELECT count(*) FROM record_entity e LEFT JOIN entities n USING (entity_id) \
                 WHERE n.entity_id IS NULL",
                "records mapped to an entity that does not exist",
            ),
            (
                "SELECT count(*) FROM entities n WHERE n.size != \
                 (SELECT count(*) FROM record_entity e WHERE e.entity_id = n.entity_id)",
                "entities whose size is not their records' count",
            ),
            (
                "SELECT count(*) FROM entities WHERE size < 1",
                "entities without records",
            ),
            (
                "SELECT count(*) FROM entities n LEFT JOIN golden g USING (entity_id) \
                 WHERE g.entity_id IS NULL",
                "entities without a golden record",
            ),
            (
                "SELECT count(*) FROM golden g LEFT JOIN entities n USING (entity_id) \
                 WHERE n.entity_id IS NULL",
                "golden records of no entity",
            ),
            (
                "SELECT count(*) FROM blind_index b LEFT JOIN records r USING (record_id) \
                 WHERE r.record_id IS NULL",
                "blind-index rows naming no stored record",
            ),
            (
                "SELECT count(*) FROM blind_recent b LEFT JOIN records r USING (record_id) \
                 WHERE r.record_id IS NULL",
                "recent blind-index rows naming no stored record",
            ),
        ];
        for (sql, what) in checks {
            let n = count(sql)?;
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        let records = count("SELECT count(*) FROM records")?;
        let state_batch: Option<i64> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'state_batch' \
                 UNION ALL SELECT batch_id FROM resolver_state WHERE id = 1",
                [],
                |r| r.get::<_, rusqlite::types::Value>(0),
            )
            .optional()?
            .and_then(|v| match v {
                rusqlite::types::Value::Integer(i) => Some(i),
                rusqlite::types::Value::Text(t) => t.parse().ok(),
                _ => None,
            });
        let placed = count("SELECT count(*) FROM state WHERE entity_id IS NOT NULL")?;
        let resolver_rows = count("SELECT count(*) FROM resolver_state")?;
        if resolver_rows == 0 && placed != records {
            problems.push(format!(
                "the state table places {placed} records; the records table holds {records}"
            ));
        }
        let last_data_batch = count("SELECT coalesce(max(batch_id), 0) FROM records")?;
        if let Some(batch) = state_batch
            && batch < last_data_batch
        {
            problems.push(format!(
                "the resolver state is of batch {batch}, older than the records' batch \
                 {last_data_batch}"
            ));
        }
        self.load_resolver()?;
        let held = self.resolver.as_ref().map_or(0, |r| r.len()) as i64;
        if held != records {
            problems.push(format!(
                "the resolver state holds {held} records; the records table {records}"
            ));
        }
        if let Some(resolver) = self.resolver.as_ref() {
            let mut stmt = self
                .conn
                .prepare("SELECT record_id, entity_id FROM record_entity")?;
            let mapped: HashMap<String, String> = stmt
                .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let wrong = mapped
                .iter()
                .filter(|(record, entity)| {
                    resolver
                        .entity_of(record)
                        .is_none_or(|e| e.as_str() != entity.as_str())
                })
                .count();
            if wrong > 0 {
                problems.push(format!(
                    "{wrong} records whose entity differs between the tables and the \
                     resolver state"
                ));
            }
        }
        Ok(problems)
    }
}
