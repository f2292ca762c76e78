//! The distributed steps, run as an engine would run them over parts of the rows, give one
//! machine's entities and golden records.

use std::collections::{BTreeMap, HashMap};

use sameas::distributed::{Partitioned, components, entity_id};
use sameas::table::Table;
use sameas::{Channel, Control, InputTable, Resolver};

use crate::generated;

/// The rows at `positions` as a table of their own.
fn rows(input: &InputTable, positions: &[usize]) -> InputTable {
    let rows = positions
        .iter()
        .map(|&p| input.table.rows[p].cells.clone())
        .collect();
    InputTable::new(
        Table::from_rows(input.table.headers.clone(), rows, 1),
        Channel::Unknown,
    )
}

/// Splits `items` into `parts` groups by a stride, so that every group mixes the input.
fn spread<T: Clone>(items: &[T], parts: usize) -> Vec<Vec<T>> {
    let mut out = vec![Vec::new(); parts];
    for (i, item) in items.iter().enumerate() {
        out[(i * 7 + i / 3) % parts].push(item.clone());
    }
    out
}

#[test]
fn parts_resolve_as_one_machine() {
    let (input, _) = generated(3_000, 41);
    let mut one = Resolver::new();
    let resolution = one
        .resolve(&input, None, &Control::none())
        .expect("resolves");
    let mut fitted = Resolver::new();
    fitted.fit(&input, &Control::none()).expect("fits");
    let work = Partitioned::from_json(&fitted.to_json().expect("config")).expect("compiles");
    let n = input.table.rows.len();
    let all: Vec<usize> = (0..n).collect();

    // 1. Keys per record, read in four parts, counted over the whole data.
    let mut keys: HashMap<usize, Vec<String>> = HashMap::new();
    let mut ids: Vec<String> = vec![String::new(); n];
    for part_rows in spread(&all, 4) {
        let part = work.read(rows(&input, &part_rows)).expect("reads");
        for (r, k) in work.blocking_keys(&part).into_iter().enumerate() {
            ids[part_rows[r]] = part.record_id(r).to_string();
            keys.insert(part_rows[r], k);
        }
    }
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for k in keys.values().flatten() {
        *sizes.entry(k.as_str()).or_default() += 1;
    }
    let cap = |key: &str| work.caps()[key.split(':').next().unwrap().parse::<usize>().unwrap()];
    let uncapped: HashMap<usize, Vec<String>> = keys
        .iter()
        .map(|(&r, k)| {
            let kept = k.iter().filter(|k| sizes[k.as_str()] <= cap(k)).cloned();
            (r, kept.collect())
        })
        .collect();

    // 2. Blocks of two or more spread over three groups.
    let mut blocks: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (&r, k) in &uncapped {
        for key in k {
            if sizes[key.as_str()] >= 2 {
                blocks.entry(key.as_str()).or_default().push(r);
            }
        }
    }
    let blocks: Vec<(&str, Vec<usize>)> = blocks.into_iter().collect();
    let mut edges = Vec::new();
    for group in spread(&blocks, 3) {
        // A record once per group, with its blocks there.
        let mut of_record: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (block, members) in &group {
            for &r in members {
                of_record.entry(r).or_default().push(block.to_string());
            }
        }
        let (positions, of_row): (Vec<usize>, Vec<Vec<String>>) = of_record.into_iter().unzip();
        let part = work.read(rows(&input, &positions)).expect("reads");
        edges.extend(work.score_blocks(&part, &of_row).expect("scores"));
    }
    // A pair whose shared blocks lie in several groups comes back from each, equal.
    edges.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    let scored = edges.len();
    edges.dedup_by(|x, y| {
        let same = x.a == y.a && x.b == y.b;
        assert!(!same || x == y, "a pair scored in two groups differs");
        same
    });
    assert!(
        edges.len() < scored,
        "some pair shares blocks in two groups"
    );

    // 3. Components on one machine.
    let roots = components(edges.iter().map(|e| (e.a.as_str(), e.b.as_str())));
    let at: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();

    // 4. Clusters of whole components, two groups of components.
    let mut by_component: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (id, root) in &roots {
        by_component
            .entry(root.as_str())
            .or_default()
            .push(at[id.as_str()]);
    }
    let by_component: Vec<(&str, Vec<usize>)> = by_component.into_iter().collect();
    let mut first: Vec<String> = ids.clone();
    for group in spread(&by_component, 2) {
        let (mut positions, mut of_row, mut row_keys) = (Vec::new(), Vec::new(), Vec::new());
        for (component, members) in &group {
            for &r in members {
                positions.push(r);
                of_row.push(component.to_string());
                row_keys.push(uncapped[&r].clone());
            }
        }
        let part = work.read(rows(&input, &positions)).expect("reads");
        let got = work.cluster(&part, &row_keys, &of_row).expect("clusters");
        for (r, f) in got.into_iter().enumerate() {
            first[positions[r]] = f.to_string();
        }
    }

    // 5. Entities numbered by their smallest record id.
    let mut firsts: Vec<&str> = first.iter().map(String::as_str).collect();
    firsts.sort_unstable();
    firsts.dedup();
    let number: HashMap<&str, String> = firsts
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, entity_id(i as u64 + 1).to_string()))
        .collect();
    let entity: Vec<String> = first.iter().map(|f| number[f.as_str()].clone()).collect();
    let expected: HashMap<String, String> = resolution
        .entities
        .iter()
        .map(|(r, e)| (r.to_string(), e.to_string()))
        .collect();
    let moved = (0..n).filter(|&i| expected[&ids[i]] != entity[i]).count();
    assert_eq!(moved, 0, "records in another entity");

    // 6. Golden records of whole entities, in two parts.
    let mut golden = Vec::new();
    let mut by_entity: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entity.iter().enumerate() {
        by_entity.entry(e.as_str()).or_default().push(i);
    }
    let by_entity: Vec<(&str, Vec<usize>)> = by_entity.into_iter().collect();
    let mut conflicts = 0;
    for group in spread(&by_entity, 2) {
        let (mut positions, mut of_row) = (Vec::new(), Vec::new());
        for (e, members) in &group {
            for &r in members {
                positions.push(r);
                of_row.push(e.to_string());
            }
        }
        let part = work.read(rows(&input, &positions)).expect("reads");
        for (row, c) in work.golden(&part, &of_row).expect("golden") {
            conflicts += c.len();
            golden.push(row);
        }
    }
    golden.sort();
    let mut expected: Vec<Vec<String>> = resolution
        .golden
        .iter()
        .map(|g| resolution.golden_row(g))
        .collect();
    expected.sort();
    assert_eq!(work.golden_header(), resolution.golden_header);
    assert_eq!(golden, expected);
    assert_eq!(conflicts, resolution.conflicts.len());
}

#[test]
fn a_row_without_an_id_is_named() {
    let (input, _) = generated(50, 3);
    let mut fitted = Resolver::new();
    fitted.fit(&input, &Control::none()).expect("fits");
    let work = Partitioned::from_json(&fitted.to_json().expect("config")).expect("compiles");
    let mut part = rows(&input, &[0, 1, 2]);
    part.table.rows[1].cells[0] = " ".into();
    let err = work.read(part).expect_err("refused").to_string();
    assert!(err.contains("row 2") && err.contains("record_id"), "{err}");
}

#[test]
fn term_counts_of_parts_add_up_to_the_whole_datas_tables() {
    let (input, _) = generated(2_000, 43);
    let mut whole = Resolver::new();
    whole.fit(&input, &Control::none()).expect("fits");
    let whole = whole.config().expect("config").clone();
    // A configuration fitted on a third of the records, its tables then counted over all.
    let third: Vec<usize> = (0..input.table.rows.len()).step_by(3).collect();
    let mut sampled = Resolver::new();
    sampled
        .fit(&rows(&input, &third), &Control::none())
        .expect("fits");
    // The whole data's configuration holding the third's tables: only the tables differ.
    let mut start = whole.clone();
    start.term_frequencies = sampled.config().expect("config").term_frequencies.clone();
    assert_ne!(start.term_frequencies, whole.term_frequencies);
    let work = Partitioned::new(start).expect("compiles");
    let all: Vec<usize> = (0..input.table.rows.len()).collect();
    let mut with_value: BTreeMap<u32, u32> = BTreeMap::new();
    let mut terms: BTreeMap<(u32, u64), u32> = BTreeMap::new();
    for part_rows in spread(&all, 3) {
        let part = work.read(rows(&input, &part_rows)).expect("reads");
        for (table, digest, n) in work.term_counts(&part).expect("counts") {
            match digest {
                None => *with_value.entry(table).or_default() += n,
                Some(d) => *terms.entry((table, d)).or_default() += n,
            }
        }
    }
    let mut histogram: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for (&(table, _), &n) in &terms {
        *histogram.entry((table, n)).or_default() += 1;
    }
    let with_value: Vec<(u32, u32)> = with_value.into_iter().collect();
    let histogram: Vec<(u32, u32, u64)> =
        histogram.into_iter().map(|((t, n), k)| (t, n, k)).collect();
    let repeated: Vec<(u32, u64, u32)> = terms
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|((t, d), n)| (t, d, n))
        .collect();
    let config = work
        .with_term_totals(&with_value, &histogram, &repeated)
        .expect("builds");
    assert!(whole.term_frequencies.is_some());
    assert_eq!(config.term_frequencies, whole.term_frequencies);
}
