use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How an ambiguous all-digit date like `01/02/1990` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `MM/DD/YYYY` (the default).
    #[default]
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
}

/// Options shared by the normalizers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NormalizeOptions {
    /// Region for phones written without a country code, as an ISO 3166 code (`CN`, `US`).
    pub default_region: String,
    /// How ambiguous numeric dates are read.
    pub date_order: DateOrder,
    /// The day ages are measured against; `None` means today.
    pub reference_date: Option<Date>,
    /// Values longer than this many bytes are flagged invalid and not parsed.
    pub max_value_len: usize,
    /// The file's names in Han characters are Chinese names: one that no listed Chinese
    /// family name leads (`微信用户`, a shop's default for a customer without a profile, or a
    /// nickname like `追梦人`) reads as no name. Inferred where most Han names begin with a
    /// Chinese family name; off for Japanese names, whose family names mostly are not on
    /// the list.
    pub chinese_names: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            default_region: "CN".to_string(),
            date_order: DateOrder::MonthFirst,
            reference_date: None,
            max_value_len: 1024,
            chinese_names: false,
        }
    }
}

impl NormalizeOptions {
    /// The reference date: the configured one, or today.
    pub fn reference_date(&self) -> Date {
        self.reference_date
            .unwrap_or_else(|| jiff::Zoned::now().date())
    }
}
