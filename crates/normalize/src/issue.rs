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

/// The result of normalizing one value: the typed value when it could be read, and the issues.
///
/// An invalid value has `value: None` and an [`IssueKind::Invalid`] issue; a missing one has
/// `value: None` and an [`IssueKind::Missing`] issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalized<T> {
    /// The typed, normalized value.
    pub value: Option<T>,
    /// What was found wrong or repaired.
    pub issues: Vec<Issue>,
}

impl<T> Normalized<T> {
    /// A clean value.
    pub fn ok(value: T) -> Self {
        Normalized {
            value: Some(value),
            issues: Vec::new(),
        }
    }

    /// A value with issues.
    pub fn with_issues(value: T, issues: Vec<Issue>) -> Self {
        Normalized {
            value: Some(value),
            issues,
        }
    }

    /// No value: missing input.
    pub fn missing() -> Self {
        Normalized {
            value: None,
            issues: vec![Issue::new(IssueKind::Missing, "empty")],
        }
    }

    /// No value: the input could not be read.
    pub fn invalid(reason: &'static str) -> Self {
        Normalized {
            value: None,
            issues: vec![Issue::new(IssueKind::Invalid, reason)],
        }
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
