//! Per-customer value from transactions, for resolved customers: RFM values and scores,
//! the buy-till-you-die models BG/NBD, MBG/NBD and Pareto/NBD with Gamma-Gamma spend,
//! probability alive, expected purchases, CLV, holdout evaluation and churn risk.
//!
//! Every time is in one stated [`TimeUnit`]. Models are fitted by maximum likelihood on
//! customers grouped by identical (frequency, recency, T), in log space, from several
//! deterministic starting points; a fit that runs a parameter off to 0 or infinity is an
//! error, never a silently absurd model.
//!
//! ```
//! use sameas_score::{BgNbd, CustomerSummary, SummaryGroups, fit};
//!
//! // Published CDNOW parameters (weeks): a customer with 2 repeat purchases, the last at
//! // week 30.43 of 38.86.
//! let model = BgNbd { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
//! assert!((model.p_alive(2.0, 30.43, 38.86) - 0.7266).abs() < 1e-3);
//! assert!((model.expected_purchases(39.0, 2.0, 30.43, 38.86) - 1.2259).abs() < 1e-3);
//!
//! // Fitting: when every customer bought steadily to the end, nothing tells how customers
//! // drop out, and the fit says so instead of returning a model with a parameter near
//! // infinity.
//! let steady: Vec<CustomerSummary> = (0..300u32)
//!     .map(|i| CustomerSummary {
//!         id: i.to_string(),
//!         frequency: 1 + i % 5,
//!         recency: 39.0,
//!         t: 40.0,
//!         monetary_value: 0.0,
//!     })
//!     .collect();
//! let err = fit::<BgNbd>(&SummaryGroups::new(&steady)).unwrap_err();
//! assert!(err.to_string().contains("cannot be fitted"));
//! ```
#![deny(missing_docs)]

mod bg_nbd;
mod error;
mod fit;
mod gamma_gamma;
mod mbg_nbd;
mod pareto_nbd;
mod rfm;
mod scoring;
mod special;
mod summary;
mod transactions;
mod value;

pub use bg_nbd::BgNbd;
pub use error::ScoreError;
pub use fit::{
    FitData, Fitted, Model, fit, standard_errors, standard_errors_from_gradient,
    total_log_likelihood, total_log_likelihood_gradient,
};
pub use gamma_gamma::GammaGamma;
pub use mbg_nbd::MbgNbd;
pub use pareto_nbd::ParetoNbd;
pub use rfm::quantile_scores;
pub use scoring::{
    CustomerScore, Holdout, HoldoutRow, ModelFits, ScoreConfig, Scores, holdout, score_histories,
    score_summaries,
};
pub use summary::{CustomerSummary, SummaryGroups, TimeUnit};
pub use transactions::{
    BadOrder, BadOrderReason, CustomerHistory, Order, OrderColumns, Orders, Period,
    customer_date_order, parse_date, read_order, read_orders, summarise, summarise_in_order,
};
pub use value::{churn_risk, clv, clv_bg_nbd};
