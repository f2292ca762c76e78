use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of a data-quality issue found while normalizing a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueKind {
    /// No value.
    Missing,
    /// The value cannot be read as its kind; it is kept raw and not used for matching.
    Invalid,
    /// The value was read but looks wrong (an age over 120, a phone prefix not yet allocated).
    Suspicious,
    /// The value was repaired (a typo'd e-mail domain); the repaired form is used.
    Repaired,
    /// The value is partly hidden by its source (`138****8000`); the visible part is kept.
    Masked,
}

impl IssueKind {
    /// Every kind, in report order.
    pub const ALL: [IssueKind; 5] = [
        IssueKind::Missing,
        IssueKind::Invalid,
        IssueKind::Suspicious,
        IssueKind::Repaired,
        IssueKind::Masked,
    ];

    /// The kind's place in [`IssueKind::ALL`].
    pub const fn position(self) -> usize {
        match self {
            IssueKind::Missing => 0,
            IssueKind::Invalid => 1,
            IssueKind::Suspicious => 2,
            IssueKind::Repaired => 3,
            IssueKind::Masked => 4,
        }
    }

    /// The kind's name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Missing => "missing",
            IssueKind::Invalid => "invalid",
            IssueKind::Suspicious => "suspicious",
            IssueKind::Repaired => "repaired",
            IssueKind::Masked => "masked",
        }
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A data-quality issue. The reason is a fixed phrase and never quotes the value, so issues
/// can go to logs and reports without leaking personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Issue {
    /// What kind of issue.
    pub kind: IssueKind,
    /// Why, in a few words.
    pub reason: &'static str,
}

/// An issue as read back (from a saved resolver): the reason as owned text.
#[derive(Deserialize)]
struct IssueDocument {
    kind: IssueKind,
    reason: String,
}

impl<'de> Deserialize<'de> for Issue {
    /// Reasons are a small fixed set of phrases; each distinct one read is kept once for
    /// the life of the process, as the `&'static str` the field holds.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Issue, D::Error> {
        let document = IssueDocument::deserialize(deserializer)?;
        static READ: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
            std::sync::Mutex::new(std::collections::BTreeSet::new());
        let mut read = READ
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let reason = match read.get(document.reason.as_str()) {
            Some(&known) => known,
            None => {
                let kept: &'static str = Box::leak(document.reason.into_boxed_str());
                read.insert(kept);
                kept
            }
        };
        Ok(Issue {
            kind: document.kind,
            reason,
        })
    }
}

impl Issue {
    /// An issue of `kind` for `reason`.
    pub const fn new(kind: IssueKind, reason: &'static str) -> Self {
        Issue { kind, reason }
    }
}

/// The issue of every missing value.
const MISSING: [Issue; 1] = [Issue::new(IssueKind::Missing, "empty")];

/// The issues of one normalized value, read as a slice of [`Issue`]s.
///
/// Held for every field of every record, present or missing, for the length of a run: a
/// missing value's one issue is a constant, not an allocation, and a value's list takes 16
/// bytes instead of a vector's 24 (at a million records of ten fields, most of them
/// missing, a vector per field was a tenth of the records' memory).
///
/// ```
/// use sameas_normalize::{Issue, IssueKind, Issues};
///
/// let mut issues = Issues::default();
/// assert!(issues.is_empty());
/// issues.push(Issue::new(IssueKind::Repaired, "domain typo repaired"));
/// assert_eq!(issues.len(), 1);
/// assert_eq!(Issues::missing()[0].kind, IssueKind::Missing);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Issues(IssueList);

#[derive(Clone, PartialEq, Eq, Hash)]
enum IssueList {
    /// The one issue of a missing value.
    Missing,
    /// Any other list (an empty boxed slice allocates nothing).
    Listed(Box<[Issue]>),
}

impl Issues {
    /// The issues of a missing value: one [`IssueKind::Missing`] issue.
    pub const fn missing() -> Self {
        Issues(IssueList::Missing)
    }

    /// Whether these are exactly the issues of a missing value.
    pub fn is_missing(&self) -> bool {
        matches!(self.0, IssueList::Missing)
    }

    /// Appends an issue.
    pub fn push(&mut self, issue: Issue) {
        let mut list = std::mem::take(self).into_vec();
        list.push(issue);
        *self = Issues::from(list);
    }

    /// The issues as a vector.
    pub fn into_vec(self) -> Vec<Issue> {
        match self.0 {
            IssueList::Missing => MISSING.to_vec(),
            IssueList::Listed(list) => list.into_vec(),
        }
    }
}

impl Default for Issues {
    fn default() -> Self {
        Issues(IssueList::Listed(Box::default()))
    }
}

impl std::ops::Deref for Issues {
    type Target = [Issue];

    fn deref(&self) -> &[Issue] {
        match &self.0 {
            IssueList::Missing => &MISSING,
            IssueList::Listed(list) => list,
        }
    }
}

impl From<Vec<Issue>> for Issues {
    fn from(list: Vec<Issue>) -> Self {
        if list[..] == MISSING {
            Issues::missing()
        } else {
            Issues(IssueList::Listed(list.into_boxed_slice()))
        }
    }
}

impl<'a> IntoIterator for &'a Issues {
    type Item = &'a Issue;
    type IntoIter = std::slice::Iter<'a, Issue>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq<Vec<Issue>> for Issues {
    fn eq(&self, other: &Vec<Issue>) -> bool {
        self[..] == other[..]
    }
}

impl fmt::Debug for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Issues {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self[..].serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Issues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Issues, D::Error> {
        Vec::<Issue>::deserialize(deserializer).map(Issues::from)
    }
}

/// The result of normalizing one value: the typed value when it could be read, and the issues.
///
/// An invalid value has `value: None` and an [`IssueKind::Invalid`] issue; a missing one has
/// `value: None` and an [`IssueKind::Missing`] issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalized<T> {
    /// The typed, normalized value.
    pub value: Option<T>,
    /// What was found wrong or repaired.
    pub issues: Issues,
}

impl<T> Normalized<T> {
    /// A clean value.
    pub fn ok(value: T) -> Self {
        Normalized {
            value: Some(value),
            issues: Issues::default(),
        }
    }

    /// A value with issues.
    pub fn with_issues(value: T, issues: Vec<Issue>) -> Self {
        Normalized {
            value: Some(value),
            issues: issues.into(),
        }
    }

    /// No value: missing input.
    pub fn missing() -> Self {
        Normalized {
            value: None,
            issues: Issues::missing(),
        }
    }

    /// No value: the input could not be read.
    pub fn invalid(reason: &'static str) -> Self {
        Normalized {
            value: None,
            issues: vec![Issue::new(IssueKind::Invalid, reason)].into(),
        }
    }

    /// Whether this is a plainly missing value: no value, and the one issue of missing input.
    pub fn is_missing(&self) -> bool {
        self.value.is_none() && self.issues.is_missing()
    }

    /// Whether an issue of `kind` was found.
    pub fn has(&self, kind: IssueKind) -> bool {
        self.issues.iter().any(|i| i.kind == kind)
    }

    /// Maps the value, keeping the issues.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Normalized<U> {
        Normalized {
            value: self.value.map(f),
            issues: self.issues,
        }
    }
}

/// A normalized value that can describe itself as output columns.
pub trait MatchKeys {
    /// The normalized value as written in `<column>.norm`.
    fn norm(&self) -> String;

    /// Derived match keys as `(key, value)`, written as `<column>.<key>`. Every call yields the
    /// same key names in the same order for a given kind, so output columns are stable; an
    /// absent key has an empty value.
    fn keys(&self) -> Vec<(&'static str, String)>;
}

#[cfg(test)]
mod tests {
    use super::{Issue, IssueKind, Issues, Normalized};

    #[test]
    fn each_kind_sits_at_its_position() {
        for (at, kind) in IssueKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.position(), at, "{kind}");
        }
    }

    #[test]
    fn issues_read_and_write_as_the_vector_they_hold() {
        let repaired = Issue::new(IssueKind::Repaired, "domain typo repaired");
        let lists = [
            vec![],
            vec![Issue::new(IssueKind::Missing, "empty")],
            vec![Issue::new(IssueKind::Missing, "other reason")],
            vec![repaired, Issue::new(IssueKind::Suspicious, "age over 120")],
        ];
        for list in lists {
            let issues = Issues::from(list.clone());
            assert_eq!(issues, list);
            assert_eq!(issues.clone().into_vec(), list);
            let written = serde_json::to_string(&issues).unwrap();
            assert_eq!(written, serde_json::to_string(&list).unwrap());
            let read: Issues = serde_json::from_str(&written).unwrap();
            assert_eq!(read, issues);
            let mut pushed = issues.clone();
            pushed.push(repaired);
            let mut longer = list.clone();
            longer.push(repaired);
            assert_eq!(pushed, longer);
        }
    }

    #[test]
    fn a_missing_value_has_one_missing_issue() {
        let missing = Normalized::<u8>::missing();
        assert_eq!(
            missing.issues,
            vec![Issue::new(IssueKind::Missing, "empty")]
        );
        assert!(missing.has(IssueKind::Missing));
        assert_eq!(
            missing.issues,
            Issues::from(missing.issues.clone().into_vec())
        );
        assert_eq!(std::mem::size_of::<Issues>(), 16);
    }
}
