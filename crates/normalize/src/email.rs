//! E-mail addresses: syntax check, lower case, provider canonicalisation (Gmail dots,
//! plus-tags where the provider supports them) and repair of common domain typos.
//!
//! Canonicalisation follows each provider's documented delivery rules, so two spellings that
//! reach the same mailbox get the same canonical form, and nothing else does: dots are
//! insignificant only at Gmail, and sub-address tags are stripped only at providers that
//! deliver `user+tag` (or Yahoo's `user-tag`) to `user`. Chinese providers (QQ, 163, …) keep
//! `+` and `.` as written.

use serde::{Deserialize, Serialize};

use crate::issue::{Issue, IssueKind, MatchKeys, Normalized};
use crate::text::nfkc;

/// A normalized e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email {
    /// `local@domain`, canonical for the provider (`bobsmith@gmail.com`).
    pub canonical: String,
    /// The canonical local part (`bobsmith`).
    pub local: String,
    /// The canonical domain (`gmail.com`).
    pub domain: String,
}

impl MatchKeys for Email {
    /// The canonical address.
    fn norm(&self) -> String {
        self.canonical.clone()
    }

    /// `canonical`, `local`, `domain`.
    fn keys(&self) -> Vec<(&'static str, String)> {
        vec![
            ("canonical", self.canonical.clone()),
            ("local", self.local.clone()),
            ("domain", self.domain.clone()),
        ]
    }
}

/// How a provider treats the local part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// Delivered as written.
    Plain,
    /// `user+tag` reaches `user`.
    Plus,
    /// `user-tag` reaches `user` (Yahoo's disposable addresses).
    Dash,
    /// Dots are ignored and `user+tag` reaches `user` (Gmail).
    Gmail,
}

/// Common provider domains, sorted for binary search, with their local-part rules.
/// Sources: the providers' help pages on sub-addressing (Gmail, Outlook.com, iCloud+,
/// Proton, Fastmail, Yahoo disposable addresses). Domains that sit one edit away from a
/// provider but are real (`email.com`, `ymail.com`, `mail.com`) are listed so they are never
/// "repaired".
const PROVIDERS: &[(&str, Rules)] = &[
    ("126.com", Rules::Plain),
    ("139.com", Rules::Plain),
    ("163.com", Rules::Plain),
    ("188.com", Rules::Plain),
    ("21cn.com", Rules::Plain),
    ("aliyun.com", Rules::Plain),
    ("aol.com", Rules::Plain),
    ("cloud.com", Rules::Plain),
    ("email.com", Rules::Plain),
    ("fastmail.com", Rules::Plus),
    ("fastmail.fm", Rules::Plus),
    ("foxmail.com", Rules::Plain),
    ("gmail.com", Rules::Gmail),
    ("gmx.com", Rules::Plain),
    ("gmx.net", Rules::Plain),
    ("googlemail.com", Rules::Gmail),
    ("hotmail.com", Rules::Plus),
    ("icloud.com", Rules::Plus),
    ("live.cn", Rules::Plus),
    ("live.com", Rules::Plus),
    ("mac.com", Rules::Plus),
    ("mail.com", Rules::Plain),
    ("me.com", Rules::Plus),
    ("msn.com", Rules::Plus),
    ("outlook.com", Rules::Plus),
    ("pm.me", Rules::Plus),
    ("proton.me", Rules::Plus),
    ("protonmail.com", Rules::Plus),
    ("qq.com", Rules::Plain),
    ("sina.cn", Rules::Plain),
    ("sina.com", Rules::Plain),
    ("sohu.com", Rules::Plain),
    ("tom.com", Rules::Plain),
    ("vip.qq.com", Rules::Plain),
    ("yahoo.com", Rules::Dash),
    ("yandex.ru", Rules::Plus),
    ("yeah.net", Rules::Plain),
    ("ymail.com", Rules::Dash),
];

fn provider(domain: &str) -> Option<Rules> {
    PROVIDERS
        .binary_search_by(|(d, _)| (*d).cmp(domain))
        .ok()
        .map(|i| PROVIDERS[i].1)
}

/// Normalizes one raw e-mail address.
///
/// ```
/// use sameas_normalize::email::normalize_email;
/// use sameas_normalize::IssueKind;
///
/// let bob = normalize_email(" Bob.Smith+shop@Gmail.com ").value.unwrap();
/// assert_eq!(bob.canonical, "bobsmith@gmail.com");
/// assert_eq!(normalize_email("li.na@163.com").value.unwrap().canonical, "li.na@163.com");
///
/// let typo = normalize_email("x@gmial.com");
/// assert!(typo.has(IssueKind::Repaired));
/// assert_eq!(typo.value.unwrap().domain, "gmail.com");
///
/// assert!(normalize_email("not an address").has(IssueKind::Invalid));
/// ```
pub fn normalize_email(raw: &str) -> Normalized<Email> {
    let text = nfkc(raw);
    let mut text = text.trim();
    if text.is_empty() {
        return Normalized::missing();
    }
    if let Some(rest) = text
        .get(..7)
        .filter(|head| head.eq_ignore_ascii_case("mailto:"))
        .and(text.get(7..))
    {
        text = rest.trim_start();
    }
    if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        text = inner.trim();
    }
    let Some((local, domain)) = text.split_once('@') else {
        return Normalized::invalid("no @ in e-mail address");
    };
    if domain.contains('@') {
        return Normalized::invalid("more than one @ in e-mail address");
    }
    if local.is_empty() {
        return Normalized::invalid("empty local part");
    }
    if local.len() > 64 || domain.len() > 253 {
        return Normalized::invalid("e-mail address too long");
    }
    if !valid_local(local) {
        return Normalized::invalid("malformed local part");
    }
    let mut issues = Vec::new();
    let mut domain = lower(domain);
    if domain.ends_with('.') && domain.len() > 1 {
        domain.truncate(domain.trim_end_matches('.').len());
        issues.push(Issue::new(IssueKind::Repaired, "trailing dot removed"));
    }
    if !valid_domain(&domain) {
        return Normalized::invalid("malformed domain");
    }
    let mut rules = provider(&domain);
    if rules.is_none()
        && let Some(fixed) = repair_domain(&domain)
    {
        domain.clear();
        domain.push_str(fixed);
        rules = provider(fixed);
        issues.push(Issue::new(IssueKind::Repaired, "domain typo repaired"));
    }
    if domain == "googlemail.com" {
        domain.clear();
        domain.push_str("gmail.com");
    }
    let local = canonical_local(&lower(local), rules.unwrap_or(Rules::Plain));
    if local.is_empty() {
        return Normalized::invalid("empty local part");
    }
    // Stripping a tag can leave a trailing dot (`a.+x`), which no mailbox has.
    if !valid_local(&local) {
        return Normalized::invalid("malformed local part");
    }
    let mut canonical = String::with_capacity(local.len() + 1 + domain.len());
    canonical.push_str(&local);
    canonical.push('@');
    canonical.push_str(&domain);
    Normalized {
        value: Some(Email {
            canonical,
            local,
            domain,
        }),
        issues: issues.into(),
    }
}

fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        // Lower-casing can leave a non-NFKC sequence; settle it so re-reading is stable.
        nfkc(&s.to_lowercase()).into_owned()
    }
}

fn canonical_local(local: &str, rules: Rules) -> String {
    let tag = match rules {
        Rules::Plain => None,
        Rules::Plus | Rules::Gmail => Some('+'),
        Rules::Dash => Some('-'),
    };
    let base = match tag {
        Some(tag) => local.split(tag).next().unwrap_or(local),
        None => local,
    };
    if rules == Rules::Gmail {
        base.chars().filter(|&c| c != '.').collect()
    } else {
        base.to_string()
    }
}

/// RFC 5322 dot-atom, plus non-ASCII letters (RFC 6531).
fn valid_local(local: &str) -> bool {
    !local.starts_with('.')
        && !local.ends_with('.')
        && !local.as_bytes().windows(2).any(|w| w == b"..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '!' | '#' | '$' | '%' | '&' | '\'' | '*' | '+' | '/' | '=' | '?'
                )
                || matches!(c, '^' | '_' | '`' | '{' | '|' | '}' | '~' | '-' | '.')
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

/// Dot-separated labels of letters, digits and inner hyphens; a top-level label of at least
/// two characters that is not all digits.
fn valid_domain(domain: &str) -> bool {
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    tld.chars().count() >= 2
        && !tld.bytes().all(|b| b.is_ascii_digit())
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
                })
        })
}

/// The provider domain `domain` is a typo of, if exactly one is near enough.
///
/// A typo is one edit (insert, delete, substitute, swap adjacent) in a `.com` / `.net`
/// top-level label with the rest exact (`qq.con`, `gmail.cmo`), or one edit in the rest with
/// the top-level label exact or such a typo. Names are fuzzy-matched only at five or more
/// characters, since short names (`126`, `sina`, `live`) sit one edit from other real
/// domains; two-letter country labels are never fuzzy (`live.ca` is real). The closest
/// rank wins (`gmail.cmo` is Gmail, not `email.com`); a tie within it repairs nothing.
fn repair_domain(domain: &str) -> Option<&'static str> {
    let (name, tld) = domain.rsplit_once('.')?;
    // (rank, domain, ambiguous): rank 0 is an exact name, 1 an exact TLD, 2 neither.
    let mut best: Option<(u8, &'static str, bool)> = None;
    for &(known, _) in PROVIDERS {
        let Some((known_name, known_tld)) = known.rsplit_once('.') else {
            continue;
        };
        let tld_near = matches!(known_tld, "com" | "net") && one_edit(tld, known_tld);
        let rank = if name == known_name {
            if !tld_near {
                continue;
            }
            0
        } else if name.len() >= 5 && known_name.len() >= 5 && one_edit(name, known_name) {
            match (tld == known_tld, tld_near) {
                (true, _) => 1,
                (false, true) => 2,
                (false, false) => continue,
            }
        } else {
            continue;
        };
        best = match best {
            Some((r, d, ambiguous)) if r < rank => Some((r, d, ambiguous)),
            Some((r, d, _)) if r == rank => Some((r, d, true)),
            _ => Some((rank, known, false)),
        };
    }
    match best {
        Some((_, known, false)) => Some(known),
        _ => None,
    }
}

/// Whether `a` and `b` differ by exactly one insertion, deletion, substitution or swap of
/// adjacent characters (bytes: provider domains are ASCII).
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[head..], &b[head..]);
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Less => a == &b[1..],
        std::cmp::Ordering::Greater => &a[1..] == b,
        std::cmp::Ordering::Equal => {
            a[1..] == b[1..] || (a.len() >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..])
        }
    }
}

/// The e-mail field normalizer ([`normalize_email`]).
#[derive(Debug)]
pub(crate) struct EmailNormalizer;

impl crate::field::NormalizeField for EmailNormalizer {
    const KEYS: &'static [&'static str] = &["canonical", "local", "domain"];

    fn compile(_: &crate::NormalizeOptions) -> Result<Self, crate::NormalizeError> {
        Ok(EmailNormalizer)
    }

    fn normalize_field(&self, raw: &str) -> Normalized<crate::record::FieldValue> {
        normalize_email(raw).map(|e| crate::record::FieldValue::Email(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(raw: &str) -> Option<String> {
        normalize_email(raw).value.map(|e| e.canonical)
    }

    #[test]
    fn provider_table_is_sorted_and_valid() {
        assert!(PROVIDERS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PROVIDERS.iter().all(|(d, _)| valid_domain(d)));
    }

    #[test]
    fn gmail_dots_and_tags() {
        assert_eq!(
            canonical("Bob.Smith+shop@Gmail.com").as_deref(),
            Some("bobsmith@gmail.com")
        );
        assert_eq!(
            canonical("bob.smith@googlemail.com").as_deref(),
            Some("bobsmith@gmail.com")
        );
        let e = normalize_email("Bob.Smith+shop@Gmail.com");
        assert!(e.issues.is_empty());
        let e = e.value.unwrap();
        assert_eq!(
            (e.local.as_str(), e.domain.as_str()),
            ("bobsmith", "gmail.com")
        );
    }

    #[test]
    fn other_providers_keep_dots() {
        assert_eq!(canonical("li.na@163.com").as_deref(), Some("li.na@163.com"));
        assert_eq!(
            canonical("bob.smith+x@outlook.com").as_deref(),
            Some("bob.smith@outlook.com")
        );
        assert_eq!(
            canonical("bob+x@icloud.com").as_deref(),
            Some("bob@icloud.com")
        );
        assert_eq!(
            canonical("bob-x@yahoo.com").as_deref(),
            Some("bob@yahoo.com")
        );
        assert_eq!(canonical("bob+x@qq.com").as_deref(), Some("bob+x@qq.com"));
        assert_eq!(canonical("bob+x@163.com").as_deref(), Some("bob+x@163.com"));
        assert_eq!(
            canonical("bob-x@gmail.com").as_deref(),
            Some("bob-x@gmail.com")
        );
        assert_eq!(
            canonical("a.b+c@example.org").as_deref(),
            Some("a.b+c@example.org")
        );
    }

    #[test]
    fn case_width_and_space() {
        assert_eq!(
            canonical("  ＬＩ．ＮＡ＠１６３．ＣＯＭ ").as_deref(),
            Some("li.na@163.com")
        );
        assert_eq!(canonical("mailto:Li@QQ.com").as_deref(), Some("li@qq.com"));
        assert_eq!(canonical("<li@qq.com>").as_deref(), Some("li@qq.com"));
        assert!(normalize_email("").has(IssueKind::Missing));
        assert!(normalize_email(" \t").has(IssueKind::Missing));
    }

    #[test]
    fn domain_typos_are_repaired() {
        for (raw, fixed) in [
            ("x@gmial.com", "x@gmail.com"),
            ("x@qq.con", "x@qq.com"),
            ("x@gmail.cmo", "x@gmail.com"),
            ("x@gmail.comm", "x@gmail.com"),
            ("x@gmail.cm", "x@gmail.com"),
            ("x@163.con", "x@163.com"),
            ("x@hotmial.com", "x@hotmail.com"),
            ("x@gamil.com", "x@gmail.com"),
            ("x@yahooo.com", "x@yahoo.com"),
            ("x@outlok.com", "x@outlook.com"),
            ("x@foxmial.com", "x@foxmail.com"),
            ("x@yeah.nte", "x@yeah.net"),
            ("x@sina.co", "x@sina.com"),
            ("a.b@gmial.con", "ab@gmail.com"),
        ] {
            let out = normalize_email(raw);
            assert!(out.has(IssueKind::Repaired), "{raw}");
            assert_eq!(out.value.unwrap().canonical, fixed, "{raw}");
        }
    }

    #[test]
    fn unknown_domains_are_left_alone() {
        for raw in [
            "x@smith.net",
            "x@email.com",
            "x@ymail.com",
            "x@mail.com",
            "x@love.com",
            "x@162.com",
            "x@company.com.cn",
            "x@sina.cn",
            "x@live.cn",
            "x@live.ca",
            "x@gmail.co.uk",
        ] {
            let out = normalize_email(raw);
            assert!(out.issues.is_empty(), "{raw}");
            assert_eq!(out.value.unwrap().canonical, raw, "{raw}");
        }
    }

    #[test]
    fn malformed_addresses_are_invalid() {
        for raw in [
            "bob",
            "bob@",
            "@gmail.com",
            "a@b@c.com",
            "bob@localhost",
            "bob smith@gmail.com",
            "bob@gmail .com",
            "bob@exa_mple.com",
            "bo(b@gmail.com",
            "bob@.com",
            "bob@gmail..com",
            "bob@-x.com",
            ".bob@x.com",
            "bo..b@x.com",
            "bob@x.1",
            "+tag@gmail.com",
        ] {
            let out = normalize_email(raw);
            assert!(out.has(IssueKind::Invalid), "{raw}");
            assert_eq!(out.value, None, "{raw}");
        }
    }

    #[test]
    fn trailing_dot_is_repaired() {
        let out = normalize_email("li@qq.com.");
        assert!(out.has(IssueKind::Repaired));
        assert_eq!(out.value.unwrap().canonical, "li@qq.com");
    }

    #[test]
    fn one_edit_matches_its_definition() {
        assert!(one_edit("gmial", "gmail"));
        assert!(one_edit("gmai", "gmail"));
        assert!(one_edit("gmaill", "gmail"));
        assert!(one_edit("gmall", "gmail"));
        assert!(!one_edit("gmail", "gmail"));
        assert!(!one_edit("gmial", "gmali"));
        assert!(!one_edit("smith", "sina"));
    }

    fn twice(raw: &str) {
        if let Some(first) = normalize_email(raw).value {
            let again = normalize_email(&first.norm()).value.expect("norm re-reads");
            assert_eq!(again, first, "{raw}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(raw in ".*") {
            let _ = normalize_email(&raw);
        }

        #[test]
        fn idempotent_any(raw in "\\PC*") {
            twice(&raw);
        }

        #[test]
        fn idempotent_email_shaped(
            raw in "[A-Za-z0-9.+_-]{1,12}@[A-Za-z0-9-]{1,10}(\\.[A-Za-z]{2,4}){1,2}",
        ) {
            twice(&raw);
        }

        #[test]
        fn idempotent_near_providers(
            local in "[a-z.+-]{1,8}",
            i in 0usize..38,
            edit in 0usize..12,
        ) {
            let mut domain = PROVIDERS[i % PROVIDERS.len()].0.as_bytes().to_vec();
            let len = domain.len();
            let at = edit % len;
            domain.swap(at, (at + 1) % len);
            let raw = format!("{local}@{}", String::from_utf8_lossy(&domain));
            twice(&raw);
        }
    }
}
