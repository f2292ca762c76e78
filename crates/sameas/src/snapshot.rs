//! A resolver saved whole: its configuration, the frozen term frequencies and the identity
//! state, as one JSON document, so that a restored resolver adds and removes records
//! exactly as the original would (the Python bindings pickle through it).

use serde::{Deserialize, Serialize};

use sameas_core::{Channel, RecordId};
use sameas_match::{Dataset, TermFrequencies};
use sameas_merge::cluster::{Join, JoinOutcome, Refusal};
use sameas_merge::graph::IdentityGraph;
use sameas_normalize::record::NormalizedRecord;

use crate::resolver::State;
use crate::{Error, Resolver, ResolverConfig};

/// The document's `format` value.
const FORMAT: &str = "sameas-resolver-snapshot";
/// The document's version; a build reads its own version only.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'static str,
    version: u32,
    /// The configuration document (as [`ResolverConfig::to_json`] writes it), frozen term
    /// frequencies included.
    config: String,
    state: Option<StateRef<'a>>,
}

#[derive(Serialize)]
struct StateRef<'a> {
    ids: &'a [RecordId],
    sources: &'a [u8],
    records: &'a [NormalizedRecord],
    channels: &'a [Channel],
    bad: &'a [bool],
    graph: &'a IdentityGraph,
    joins: &'a [Vec<Join>],
}

#[derive(Deserialize)]
struct Snapshot {
    format: String,
    version: u32,
    config: String,
    /// Where snapshots before the configuration carried its frozen term frequencies kept
    /// them.
    #[serde(default)]
    frequencies: Option<TermFrequencies>,
    state: Option<StateOwned>,
}

#[derive(Deserialize)]
struct StateOwned {
    ids: Vec<RecordId>,
    sources: Vec<u8>,
    records: Vec<NormalizedRecord>,
    channels: Vec<Channel>,
    bad: Vec<bool>,
    graph: IdentityGraph,
    joins: Vec<Vec<Join>>,
}

impl Resolver {
    /// The whole resolver as one JSON document: the configuration, the term frequencies
    /// frozen by the last `fit` or `resolve`, and the identity state (normalized records,
    /// the identity graph with its entity ids and event log, the join log). The blocking
    /// index for adds is not saved: it is rebuilt from the records at the first add.
    ///
    /// # Errors
    /// [`Error::Config`] before any configuration exists.
    pub fn snapshot(&self) -> Result<String, Error> {
        let config = self.to_json()?;
        let state = self.state().map(|s| StateRef {
            ids: &s.data.ids,
            sources: &s.data.sources,
            records: &s.data.records,
            channels: &s.channels,
            bad: &s.bad,
            graph: &s.graph,
            joins: &s.joins,
        });
        Ok(serde_json::to_string(&SnapshotRef {
            format: FORMAT,
            version: VERSION,
            config,
            state,
        })?)
    }

    /// A resolver from a [`Resolver::snapshot`] document.
    ///
    /// # Errors
    /// [`Error::Config`] for a document that does not parse, another format or version, or
    /// parts that do not fit together.
    pub fn from_snapshot(json: &str) -> Result<Resolver, Error> {
        let snapshot: Snapshot = serde_json::from_str(json)?;
        if snapshot.format != FORMAT || snapshot.version != VERSION {
            return Err(Error::Config(format!(
                "not a resolver snapshot of version {VERSION} (format `{}`, version {})",
                snapshot.format, snapshot.version
            )));
        }
        let mut config = ResolverConfig::from_json(&snapshot.config)?;
        if config.term_frequencies.is_none() && config.matching.model.is_some() {
            config.term_frequencies = snapshot.frequencies;
            config.validate()?;
        }
        let state = match snapshot.state {
            None => None,
            Some(s) => {
                let n = s.ids.len();
                // Every live record of the graph is the record at its index.
                let live = (0..n as u32)
                    .filter_map(|i| s.graph.record_id(i).map(|id| (i, id)))
                    .try_fold(0usize, |live, (i, id)| {
                        (*id == s.ids[i as usize]).then_some(live + 1)
                    });
                if [s.channels.len(), s.bad.len(), s.joins.len()] != [n; 3]
                    || live != Some(s.graph.len())
                    || s.graph.index_count() != n
                    || !s.graph.is_consistent()
                {
                    return Err(Error::Config(
                        "snapshot: the state's parts do not fit together".into(),
                    ));
                }
                if !indices_in_range(&s.graph, &s.joins, n) {
                    return Err(Error::Config(
                        "snapshot: an entity or a join names a record the state does not hold"
                            .into(),
                    ));
                }
                let data =
                    Dataset::with_sources(config.schema.clone(), s.ids, s.sources, s.records)?;
                Some(State::held(data, s.channels, s.bad, s.graph, s.joins))
            }
        };
        Resolver::with_state(config, state)
    }
}

/// Whether every entity's members are live records placed in that entity, every live
/// record is in one, and every logged join (and its evidence) names records the state holds.
fn indices_in_range(graph: &IdentityGraph, joins: &[Vec<Join>], n: usize) -> bool {
    let mut placed = 0usize;
    for (entity, members) in graph.entities() {
        for &m in members {
            if m as usize >= n || graph.entity_at(m) != Some(entity) {
                return false;
            }
        }
        placed += members.len();
    }
    let in_range = |i: u32| (i as usize) < n;
    placed == graph.len()
        && joins.iter().flatten().all(|join| {
            let evidence = match join.outcome {
                JoinOutcome::Refused(Refusal::CannotLink { a, b })
                | JoinOutcome::Refused(Refusal::Ambiguous { a, b })
                | JoinOutcome::Refused(Refusal::Exclusive { a, b, .. }) => [a, b],
                _ => [join.a, join.b],
            };
            [join.a, join.b].into_iter().chain(evidence).all(in_range)
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use sameas_normalize::table::{Table, read_csv};

    use crate::{Control, InputTable, Resolver};

    /// Two snapshots hold the same state (maps in the graph serialise in hash order).
    fn same_state(a: &Resolver, b: &Resolver) -> bool {
        let value = |r: &Resolver| -> serde_json::Value {
            serde_json::from_str(&r.snapshot().unwrap()).unwrap()
        };
        value(a) == value(b)
    }

    fn sample() -> Table {
        let csv = include_str!("../../../examples/data/customers.csv");
        read_csv(csv.as_bytes(), None).unwrap()
    }

    /// Rows `rows` of `table` as an input table of their own.
    pub(crate) fn part(table: &Table, rows: std::ops::Range<usize>) -> InputTable {
        InputTable::new(
            Table {
                headers: table.headers.clone(),
                rows: table.rows[rows].to_vec(),
                encoding: table.encoding,
                header_line: table.header_line,
                renamed_headers: table.renamed_headers.clone(),
                sheet: table.sheet.clone(),
            },
            sameas_core::Channel::Unknown,
        )
    }

    #[test]
    fn a_restored_resolver_adds_and_removes_as_the_original() {
        let table = sample();
        let n = table.rows.len();
        let mut original = Resolver::new();
        original
            .resolve(&part(&table, 0..n - 6), None, &Control::none())
            .unwrap();
        let saved = original.snapshot().unwrap();
        let mut restored = Resolver::from_snapshot(&saved).unwrap();
        assert!(same_state(&restored, &original));
        assert_eq!(restored.entities(), original.entities());

        let more = part(&table, n - 6..n);
        let added = original.add(&more, &Control::none()).unwrap();
        assert!(!added.is_empty());
        assert_eq!(restored.add(&more, &Control::none()).unwrap(), added);
        // A record that joined others, so its removal re-clusters a component.
        let (_, joined) = original
            .entities()
            .into_iter()
            .find(|(_, records)| records.len() > 2)
            .unwrap();
        let removed = original.remove(joined[0].as_str()).unwrap();
        assert_eq!(restored.remove(joined[0].as_str()).unwrap(), removed);
        assert_eq!(restored.entities(), original.entities());
        for (entity, _) in original.entities() {
            assert_eq!(
                restored.explain_entity(entity.as_str()).unwrap(),
                original.explain_entity(entity.as_str()).unwrap()
            );
        }
        assert!(same_state(&restored, &original));
    }

    #[test]
    fn a_fitted_resolver_without_records_keeps_its_frequencies() {
        let table = sample();
        let mut original = Resolver::new();
        original
            .fit(&part(&table, 0..table.rows.len()), &Control::none())
            .unwrap();
        let mut restored = Resolver::from_snapshot(&original.snapshot().unwrap()).unwrap();
        let all = part(&table, 0..table.rows.len());
        assert_eq!(
            restored.add(&all, &Control::none()).unwrap(),
            original.add(&all, &Control::none()).unwrap()
        );
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(matches!(
            Resolver::from_snapshot("{}"),
            Err(crate::Error::Config(_))
        ));
        let mut resolver = Resolver::new();
        let table = sample();
        resolver
            .resolve(&part(&table, 0..table.rows.len()), None, &Control::none())
            .unwrap();
        let saved = resolver.snapshot().unwrap().replace(
            "\"format\":\"sameas-resolver-snapshot\",\"version\":1",
            "\"format\":\"sameas-resolver-snapshot\",\"version\":2",
        );
        assert!(matches!(
            Resolver::from_snapshot(&saved),
            Err(crate::Error::Config(_))
        ));
        assert!(Resolver::new().snapshot().is_err());
    }
}
