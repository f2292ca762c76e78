//! Nicknames and spelling variants mapped to their formal roots (`bob` → `robert`, `mhd` →
//! `muhammad`).
//! The table is `data/nicknames.csv`, written for sameas.

use std::sync::LazyLock;

use foldhash::{HashMap, HashSet};

static NICKNAMES_CSV: &str = include_str!("../../data/nicknames.csv");

struct Table {
    roots_of: HashMap<&'static str, Vec<&'static str>>,
    roots: HashSet<&'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut roots_of: HashMap<&'static str, Vec<&'static str>> = HashMap::default();
    let mut roots: HashSet<&'static str> = HashSet::default();
    for line in NICKNAMES_CSV.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("nickname,") {
            continue;
        }
        let Some((nick, list)) = line.split_once(',') else {
            continue;
        };
        let entry = roots_of.entry(nick).or_default();
        for root in list.split(';').filter(|r| !r.is_empty()) {
            if !entry.contains(&root) {
                entry.push(root);
            }
            roots.insert(root);
        }
    }
    Table { roots_of, roots }
});

/// The formal roots of a given-name token: its roots when it is a nickname or spelling
/// variant, itself when it is a formal name, nothing otherwise. A diminutive's `-ie` and
/// `-y` endings are one spelling: `peggie` has the roots of `peggy`.
pub(super) fn roots(token: &str) -> &'static [&'static str] {
    let table = &*TABLE;
    if let Some(list) = table.roots_of.get(token) {
        return list;
    }
    if let Some(root) = table.roots.get(token) {
        return std::slice::from_ref(root);
    }
    let other_ending = if let Some(stem) = token.strip_suffix("ie") {
        format!("{stem}y")
    } else if let Some(stem) = token.strip_suffix('y') {
        format!("{stem}ie")
    } else {
        return &[];
    };
    table
        .roots_of
        .get(other_ending.as_str())
        .map_or(&[], Vec::as_slice)
}

/// Whether `token` is a known given name (a nickname or a formal root).
pub(super) fn is_known_given(token: &str) -> bool {
    !roots(token).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_large_and_well_formed() {
        let pairs: usize = TABLE.roots_of.values().map(Vec::len).sum();
        assert!(pairs >= 300, "{pairs} pairs");
        for (nick, list) in &TABLE.roots_of {
            assert!(nick.bytes().all(|b| b.is_ascii_lowercase()), "{nick}");
            assert!(!list.is_empty());
        }
    }

    #[test]
    fn nicknames_reach_roots() {
        assert_eq!(roots("bob"), ["robert"]);
        assert_eq!(roots("robert"), ["robert"]);
        assert!(roots("liam").contains(&"william"));
        assert!(roots("al").len() > 1);
        assert!(roots("smith").is_empty());
        // A diminutive's -ie and -y endings are one spelling.
        assert_eq!(roots("peggie"), ["margaret"]);
        assert_eq!(roots("sallie"), roots("sally"));
        assert_eq!(roots("maggy"), roots("maggie"));
        assert!(!roots("maggy").is_empty());
        assert!(roots("smithie").is_empty());
        // Latin spellings of one Arabic name meet at one root.
        for spelling in ["mohamed", "muhammed", "mhd", "muhammad"] {
            assert_eq!(roots(spelling), ["muhammad"], "{spelling}");
        }
    }
}
