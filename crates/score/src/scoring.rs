//! Scoring customers: every model fitted on the summaries, then per customer RFM, P(alive),
//! expected purchases, CLV and churn risk, and with a calibration split the holdout
//! evaluation.

use std::borrow::Cow;

use foldhash::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ScoreError;
use crate::bg_nbd::BgNbd;
use crate::fit::{Fitted, fit};
use crate::gamma_gamma::GammaGamma;
use crate::mbg_nbd::MbgNbd;
use crate::pareto_nbd::ParetoNbd;
use crate::rfm::quantile_scores;
use crate::summary::{CustomerSummary, SummaryGroups, TimeUnit};
use crate::transactions::CustomerHistory;
use crate::value::{churn_risk, discounted, month_ends};

/// How to score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreConfig {
    /// The time unit of summaries, horizons and model rates.
    pub unit: TimeUnit,
    /// Horizon of `expected_purchases`, in `unit`s (default: one year).
    pub horizon: Option<f64>,
    /// Months of CLV.
    pub clv_months: u32,
    /// Discount rate per month for CLV.
    pub discount_rate: f64,
    /// Share of spend that is margin, for CLV.
    pub margin: f64,
    /// RFM score bins (5 gives 1–5 scores).
    pub rfm_bins: u8,
    /// Whether to fit Pareto/NBD, the slowest model (its likelihood and gradient sum two ₂F₁
    /// series per customer): seconds at a million distinct summaries, ten times the other
    /// models. Without it, the Pareto/NBD columns are empty.
    #[serde(default = "yes")]
    pub pareto_nbd: bool,
}

fn yes() -> bool {
    true
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            unit: TimeUnit::Week,
            horizon: None,
            clv_months: 12,
            discount_rate: 0.01,
            margin: 1.0,
            rfm_bins: 5,
            pareto_nbd: true,
        }
    }
}

impl ScoreConfig {
    /// The horizon in units: the one set, else one year.
    pub fn horizon(&self) -> f64 {
        self.horizon.unwrap_or(365.25 / self.unit.days())
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`ScoreError::InvalidSetting`] naming the setting.
    pub fn validate(&self) -> Result<(), ScoreError> {
        let bad = |setting, reason| Err(ScoreError::InvalidSetting { setting, reason });
        if !(self.horizon() >= 0.0 && self.horizon().is_finite()) {
            return bad("horizon", "must be a finite number of at least 0");
        }
        if !(self.discount_rate > -1.0 && self.discount_rate.is_finite()) {
            return bad("discount_rate", "must be a finite rate above -1");
        }
        if !self.margin.is_finite() {
            return bad("margin", "must be a finite number");
        }
        if self.rfm_bins == 0 {
            return bad("rfm_bins", "must be at least 1");
        }
        Ok(())
    }
}

/// Each model's fit, or why it could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFits {
    /// BG/NBD.
    pub bg_nbd: Result<Fitted<BgNbd>, ScoreError>,
    /// MBG/NBD.
    pub mbg_nbd: Result<Fitted<MbgNbd>, ScoreError>,
    /// Pareto/NBD.
    pub pareto_nbd: Result<Fitted<ParetoNbd>, ScoreError>,
    /// Gamma-Gamma, on customers with repeat purchases.
    pub gamma_gamma: Result<Fitted<GammaGamma>, ScoreError>,
}

impl ModelFits {
    /// Fits every model on the summaries (models run one after the other; each fit's sums
    /// run in parallel in a fixed order).
    pub fn fit(customers: &[CustomerSummary]) -> ModelFits {
        Self::fit_with(customers, true)
    }

    /// Fits every model, Pareto/NBD only when `pareto_nbd` (otherwise its result is
    /// [`ScoreError::NotFitted`], saying it was turned off).
    pub fn fit_with(customers: &[CustomerSummary], pareto_nbd: bool) -> ModelFits {
        let groups = SummaryGroups::new(customers);
        let spend = GammaGamma::groups(customers);
        ModelFits {
            bg_nbd: fit(&groups),
            mbg_nbd: fit(&groups),
            pareto_nbd: if pareto_nbd {
                fit(&groups)
            } else {
                Err(ScoreError::NotFitted {
                    model: "pareto_nbd",
                    reason: "turned off in the settings".into(),
                })
            },
            gamma_gamma: fit(&spend).and_then(|f: Fitted<GammaGamma>| {
                if f.model.q > 1.0 {
                    Ok(f)
                } else {
                    Err(ScoreError::NotFitted {
                        model: "gamma_gamma",
                        reason: format!(
                            "q = {} is not above 1: mean spend is not finite",
                            f.model.q
                        ),
                    })
                }
            }),
        }
    }
}

/// One customer's scores. Model columns are `None` where their model could not be fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerScore {
    /// The summary the scores come from.
    #[serde(flatten)]
    pub summary: CustomerSummary,
    /// Time since the last purchase (`T − recency`), in units.
    pub rfm_recency: f64,
    /// Purchase days (`frequency + 1`).
    pub rfm_frequency: u32,
    /// Mean value of a purchase day, the first included (from a summary: the monetary value).
    pub rfm_monetary: f64,
    /// Recency score, 1 (longest ago) to the bin count.
    pub r_score: u8,
    /// Frequency score.
    pub f_score: u8,
    /// Monetary score.
    pub m_score: u8,
    /// P(alive) under BG/NBD.
    pub p_alive_bg_nbd: Option<f64>,
    /// P(alive) under Pareto/NBD.
    pub p_alive_pareto_nbd: Option<f64>,
    /// Expected purchases over the horizon (BG/NBD).
    pub expected_purchases: Option<f64>,
    /// Expected value of a future purchase (Gamma-Gamma).
    pub expected_spend: Option<f64>,
    /// CLV over the configured months (BG/NBD and Gamma-Gamma), discounted, times margin.
    pub clv: Option<f64>,
    /// Churn risk from the customer's own rhythm (see [`crate::churn_risk`]).
    pub churn_risk: Option<f64>,
}

/// Predicted and actual holdout purchases of one calibration-frequency bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutRow {
    /// The bucket: a frequency (`0` … `6`) or `7+`; `total` for all customers.
    pub frequency: String,
    /// Customers in the bucket.
    pub customers: u64,
    /// Actual purchase days in the holdout period, summed.
    pub actual: f64,
    /// BG/NBD's prediction, summed (`None` without a fit).
    pub predicted_bg_nbd: Option<f64>,
    /// Pareto/NBD's prediction, summed.
    pub predicted_pareto_nbd: Option<f64>,
}

/// The holdout evaluation: a row per frequency bucket, then the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holdout {
    /// Length of the holdout period, in units.
    pub length: f64,
    /// Rows by bucket, then `total`.
    pub rows: Vec<HoldoutRow>,
}

/// Everything scoring gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The model fits.
    pub fits: ModelFits,
    /// Per customer, in input order.
    pub customers: Vec<CustomerScore>,
    /// With a calibration split, the holdout evaluation.
    pub holdout: Option<Holdout>,
}

/// Scores customers from their summaries alone (a ready summary table).
///
/// # Errors
/// [`ScoreError::InvalidSetting`] for a bad configuration, [`ScoreError::BadSummaryRow`]
/// for a summary that is not consistent (the first; rows counted from 1).
pub fn score_summaries(
    customers: &[CustomerSummary],
    config: &ScoreConfig,
) -> Result<Scores, ScoreError> {
    config.validate()?;
    for (i, c) in customers.iter().enumerate() {
        if let Some(reason) = c.problem() {
            return Err(ScoreError::BadSummaryRow {
                row: i as u64 + 1,
                column: "recency".into(),
                reason,
            });
        }
    }
    let monetary: Vec<f64> = customers.iter().map(|c| c.monetary_value).collect();
    Ok(score_with(
        Cow::Borrowed(customers),
        &monetary,
        None,
        config,
    ))
}

/// Scores customers from their order histories, with the holdout evaluation when the
/// histories were split at a calibration end (`holdout_length` units long).
///
/// # Errors
/// [`ScoreError::InvalidSetting`] for a bad configuration.
pub fn score_histories(
    histories: &[CustomerHistory],
    holdout_length: Option<f64>,
    config: &ScoreConfig,
) -> Result<Scores, ScoreError> {
    config.validate()?;
    let customers: Vec<CustomerSummary> = histories.iter().map(|h| h.summary.clone()).collect();
    let monetary: Vec<f64> = histories
        .iter()
        .map(|h| h.spend / f64::from(h.summary.frequency + 1))
        .collect();
    // The summaries are copies made here: moved into the scores, not copied again.
    let mut scores = score_with(Cow::Owned(customers), &monetary, None, config);
    if let Some(length) = holdout_length {
        scores.holdout = Some(holdout(&scores.fits, histories, length));
    }
    Ok(scores)
}

fn score_with(
    summaries: Cow<'_, [CustomerSummary]>,
    rfm_monetary: &[f64],
    holdout: Option<Holdout>,
    config: &ScoreConfig,
) -> Scores {
    let customers: &[CustomerSummary] = &summaries;
    let fits = ModelFits::fit_with(customers, config.pareto_nbd);
    let since_last: Vec<f64> = customers.iter().map(|c| c.t - c.recency).collect();
    let purchases: Vec<f64> = customers.iter().map(|c| f64::from(c.frequency)).collect();
    let bins = config.rfm_bins;
    let r_scores = quantile_scores(&since_last, bins, false);
    let f_scores = quantile_scores(&purchases, bins, true);
    let m_scores = quantile_scores(rfm_monetary, bins, true);
    let horizon = config.horizon();
    let bg = fits.bg_nbd.as_ref().ok().map(|f| f.model);
    let pareto = fits.pareto_nbd.as_ref().ok().map(|f| f.model);
    let gg = fits.gamma_gamma.as_ref().ok().map(|f| f.model);
    // Expected purchases at each month's end (for CLV) and at the horizon.
    let mut horizons: Vec<f64> = month_ends(config.unit, config.clv_months).collect();
    horizons.push(horizon);
    let width = horizons.len();
    // BG/NBD's expected purchases are P(alive) times a factor of (x, T) alone: one pass of
    // the ₂F₁ series per distinct (x, T) (thousands at a million customers), not per
    // customer. The numbers are the same to the bit.
    let (factor_of, factors) = match bg {
        Some(m) => {
            let mut index: HashMap<(u32, u64), u32> = HashMap::default();
            let mut keys: Vec<(u32, f64)> = Vec::new();
            let factor_of: Vec<u32> = customers
                .iter()
                .map(|c| {
                    *index
                        .entry((c.frequency, c.t.to_bits()))
                        .or_insert_with(|| {
                            keys.push((c.frequency, c.t));
                            (keys.len() - 1) as u32
                        })
                })
                .collect();
            let mut factors = vec![0.0; keys.len() * width];
            factors
                .par_chunks_mut(width)
                .zip(&keys)
                .for_each(|(out, &(x, t))| {
                    m.expected_purchases_factors(&horizons, f64::from(x), t, out);
                });
            (factor_of, factors)
        }
        None => (Vec::new(), Vec::new()),
    };
    let score = |expected: &mut Vec<f64>, (i, summary): (usize, CustomerSummary)| {
        let c = &summary;
        let x = f64::from(c.frequency);
        let p_alive = bg.map(|m| m.p_alive(x, c.recency, c.t));
        let (expected_purchases, clv) = match p_alive {
            Some(p) => {
                let at = factor_of[i] as usize * width;
                expected.clear();
                expected.extend(
                    factors[at..at + width]
                        .iter()
                        .zip(&horizons)
                        .map(|(&f, &h)| if h <= 0.0 { 0.0 } else { f * p }),
                );
                let at_horizon = expected.pop();
                let clv = gg.map(|g| {
                    discounted(
                        expected,
                        g.expected_spend(x, c.monetary_value),
                        config.discount_rate,
                        config.margin,
                    )
                });
                (at_horizon, clv)
            }
            None => (None, None),
        };
        let p_alive_pareto_nbd = pareto.map(|m| m.p_alive(x, c.recency, c.t));
        let expected_spend = gg.map(|m| m.expected_spend(x, c.monetary_value));
        let churn_risk = bg.map(|m| churn_risk(&m, c));
        CustomerScore {
            rfm_recency: since_last[i],
            rfm_frequency: summary.frequency + 1,
            rfm_monetary: rfm_monetary[i],
            r_score: r_scores[i],
            f_score: f_scores[i],
            m_score: m_scores[i],
            p_alive_bg_nbd: p_alive,
            p_alive_pareto_nbd,
            expected_purchases,
            expected_spend,
            clv,
            churn_risk,
            summary,
        }
    };
    let scored = match summaries {
        Cow::Owned(summaries) => summaries
            .into_par_iter()
            .enumerate()
            .map_init(Vec::new, score)
            .collect(),
        Cow::Borrowed(summaries) => summaries
            .par_iter()
            .cloned()
            .enumerate()
            .map_init(Vec::new, score)
            .collect(),
    };
    Scores {
        fits,
        customers: scored,
        holdout,
    }
}

/// Predicted against actual holdout purchases per calibration-frequency bucket.
pub fn holdout(fits: &ModelFits, histories: &[CustomerHistory], length: f64) -> Holdout {
    const BUCKETS: usize = 8;
    let bg = fits.bg_nbd.as_ref().ok().map(|f| f.model);
    let pareto = fits.pareto_nbd.as_ref().ok().map(|f| f.model);
    let mut rows: Vec<HoldoutRow> = (0..=BUCKETS)
        .map(|b| HoldoutRow {
            frequency: match b {
                BUCKETS => "total".into(),
                b if b == BUCKETS - 1 => format!("{b}+"),
                b => b.to_string(),
            },
            customers: 0,
            actual: 0.0,
            predicted_bg_nbd: bg.map(|_| 0.0),
            predicted_pareto_nbd: pareto.map(|_| 0.0),
        })
        .collect();
    for h in histories {
        let c = &h.summary;
        let x = f64::from(c.frequency);
        let actual = f64::from(h.holdout_purchases.unwrap_or(0));
        let p_bg = bg.map(|m| m.expected_purchases(length, x, c.recency, c.t));
        let p_pareto = pareto.map(|m| m.expected_purchases(length, x, c.recency, c.t));
        for b in [(c.frequency as usize).min(BUCKETS - 1), BUCKETS] {
            let row = &mut rows[b];
            row.customers += 1;
            row.actual += actual;
            if let (Some(sum), Some(p)) = (row.predicted_bg_nbd.as_mut(), p_bg) {
                *sum += p;
            }
            if let (Some(sum), Some(p)) = (row.predicted_pareto_nbd.as_mut(), p_pareto) {
                *sum += p;
            }
        }
    }
    Holdout { length, rows }
}
