//! Maximum likelihood for every model, on the logarithms of the parameters, from several
//! deterministic starting points raced on a sample of the groups, then refined on all of
//! them. Models with an analytic gradient (all four: BG/NBD, MBG/NBD, Pareto/NBD,
//! Gamma-Gamma) are fitted by L-BFGS with a Moré–Thuente line search (from `argmin`); a
//! model without one would be fitted by Nelder–Mead. Standard
//! errors come from a finite-difference Hessian (of the gradient where there is one), and
//! the result is checked for plausibility.

use std::sync::Mutex;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::neldermead::NelderMead;
use argmin::solver::quasinewton::{BFGS, LBFGS};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ScoreError;
use crate::summary::SummaryGroups;

/// A model whose parameters are fitted by maximum likelihood on grouped summaries.
pub trait Model: Sized + Clone + Send + Sync {
    /// The model's name, as `model.json` writes it.
    const NAME: &'static str;
    /// The parameters' names, in the order of [`Model::parameters`].
    const PARAMETERS: &'static [&'static str];
    /// The model with these parameters (all positive).
    fn from_parameters(values: &[f64]) -> Self;
    /// The parameters.
    fn parameters(&self) -> Vec<f64>;
    /// The log-likelihood of groups `range` (each group counted as many times as it has
    /// customers).
    fn log_likelihood_range(&self, data: &FitData, range: std::ops::Range<usize>) -> f64;
    /// Deterministic starting points for the data.
    fn starts(data: &FitData) -> Vec<Vec<f64>>;
    /// Whether [`Model::log_likelihood_gradient_range`] is implemented: the model is then
    /// fitted by L-BFGS, otherwise by Nelder–Mead.
    const HAS_GRADIENT: bool = false;
    /// The log-likelihood of groups `range`, as [`Model::log_likelihood_range`], with its
    /// partial derivatives in the parameters (in [`Model::PARAMETERS`] order) added to
    /// `gradient`. Only called when [`Model::HAS_GRADIENT`]; the default returns NaN.
    fn log_likelihood_gradient_range(
        &self,
        data: &FitData,
        range: std::ops::Range<usize>,
        gradient: &mut [f64],
    ) -> f64 {
        let _ = (data, range, gradient);
        f64::NAN
    }
}

/// What a model is fitted on: grouped (frequency, recency, T) summaries, or for
/// Gamma-Gamma grouped (frequency, mean spend) pairs, in `recency`'s place.
#[derive(Debug, Clone, Copy)]
pub struct FitData<'a> {
    /// The groups.
    pub groups: &'a SummaryGroups,
}

/// Groups summed per chunk; chunks run in parallel and are added in order, so a sum never
/// depends on the thread count.
const CHUNK: usize = 4096;

/// The log-likelihood of all groups.
pub fn total_log_likelihood<M: Model>(model: &M, data: &FitData) -> f64 {
    let n = data.groups.len();
    if n <= CHUNK {
        return model.log_likelihood_range(data, 0..n);
    }
    let parts: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| model.log_likelihood_range(data, c * CHUNK..((c + 1) * CHUNK).min(n)))
        .collect();
    parts.iter().sum()
}

/// The log-likelihood of all groups and its gradient in the parameters, summed as
/// [`total_log_likelihood`] sums: fixed chunks in parallel, added in order.
pub fn total_log_likelihood_gradient<M: Model>(model: &M, data: &FitData) -> (f64, Vec<f64>) {
    let n = data.groups.len();
    let dimension = M::PARAMETERS.len();
    let chunk = |range: std::ops::Range<usize>| {
        let mut gradient = vec![0.0; dimension];
        let ll = model.log_likelihood_gradient_range(data, range, &mut gradient);
        (ll, gradient)
    };
    if n <= CHUNK {
        return chunk(0..n);
    }
    let parts: Vec<(f64, Vec<f64>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| chunk(c * CHUNK..((c + 1) * CHUNK).min(n)))
        .collect();
    let mut gradient = vec![0.0; dimension];
    let mut ll = 0.0;
    for (part, part_gradient) in &parts {
        ll += part;
        for (sum, g) in gradient.iter_mut().zip(part_gradient) {
            *sum += g;
        }
    }
    (ll, gradient)
}

/// A fitted model and how the fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted<M> {
    /// The model at the maximum.
    pub model: M,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// Standard error of each parameter (in [`Model::PARAMETERS`] order) from the inverse of
    /// the observed information; `None` where the Hessian is not positive definite.
    pub standard_errors: Option<Vec<f64>>,
    /// Customers fitted.
    pub customers: u64,
    /// Distinct groups the likelihood was evaluated on.
    pub groups: u64,
    /// Likelihood evaluations spent (with the gradient, for the models that have one).
    pub evaluations: u64,
}

/// Parameters beyond these bounds mean the likelihood is still rising towards 0 or infinity:
/// the data does not pin the model down.
const LOWEST: f64 = 1e-6;
const HIGHEST: f64 = 1e6;
/// A cost for points where the likelihood is not finite: large, but it keeps the simplex's
/// arithmetic finite.
const NOT_FINITE_COST: f64 = 1e100;
/// The search stays within e^±16 (about 10^±7), just beyond the plausible range, so a
/// run towards 0 or infinity stops at a wall instead of wandering where the likelihood is
/// slow to evaluate.
const SEARCH_BOUND: f64 = 16.0;
/// Groups the starting points race on.
const SAMPLE_GROUPS: usize = 4096;

struct Objective<'a, M> {
    data: FitData<'a>,
    scale: f64,
    evaluations: std::sync::atomic::AtomicU64,
    marker: std::marker::PhantomData<M>,
}

impl<M: Model> CostFunction for Objective<'_, M> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, log_params: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        self.evaluations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if log_params
            .iter()
            .any(|p| !p.is_finite() || p.abs() > SEARCH_BOUND)
        {
            return Ok(NOT_FINITE_COST);
        }
        let params: Vec<f64> = log_params.iter().map(|p| p.exp()).collect();
        let ll = total_log_likelihood(&M::from_parameters(&params), &self.data);
        Ok(if ll.is_finite() {
            -ll / self.scale
        } else {
            NOT_FINITE_COST
        })
    }
}

/// One Nelder–Mead run from `start` (log parameters) with a simplex of side `step`.
fn run<M: Model>(
    data: FitData,
    scale: f64,
    start: &[f64],
    step: f64,
    evaluations: &mut u64,
) -> Option<(Vec<f64>, f64)> {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] += step;
        simplex.push(vertex);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-12).ok()?;
    let objective = Objective::<M> {
        data,
        scale,
        evaluations: std::sync::atomic::AtomicU64::new(0),
        marker: std::marker::PhantomData,
    };
    let result = Executor::new(objective, solver)
        .configure(|state| state.max_iters(4000))
        .run()
        .ok()?;
    if let Some(objective) = &result.problem.problem {
        *evaluations += objective
            .evaluations
            .load(std::sync::atomic::Ordering::Relaxed);
    }
    let state = result.state();
    let best = state.get_best_param()?.clone();
    let cost = state.get_best_cost();
    (cost < NOT_FINITE_COST).then_some((best, cost))
}

/// A point (log parameters), the cost there and its gradient.
type Evaluated = (Vec<f64>, f64, Vec<f64>);

/// The negative mean log-likelihood and its gradient in the log parameters, with the
/// last point's values kept: the line search asks for the cost and then the gradient at
/// the same point, and one pass over the groups gives both.
struct GradientObjective<'a, M> {
    data: FitData<'a>,
    scale: f64,
    evaluations: std::sync::atomic::AtomicU64,
    last: Mutex<Option<Evaluated>>,
    marker: std::marker::PhantomData<M>,
}

impl<M: Model> GradientObjective<'_, M> {
    fn evaluate(&self, log_params: &[f64]) -> (f64, Vec<f64>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, cost, gradient)) = last.as_ref()
            && at.as_slice() == log_params
        {
            return (*cost, gradient.clone());
        }
        self.evaluations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let unusable = (NOT_FINITE_COST, vec![0.0; log_params.len()]);
        let value = if log_params
            .iter()
            .any(|p| !p.is_finite() || p.abs() > SEARCH_BOUND)
        {
            unusable
        } else {
            let params: Vec<f64> = log_params.iter().map(|p| p.exp()).collect();
            let (ll, gradient) =
                total_log_likelihood_gradient(&M::from_parameters(&params), &self.data);
            // d/d ln θ = θ · d/dθ.
            let gradient: Vec<f64> = gradient
                .iter()
                .zip(&params)
                .map(|(g, p)| -g * p / self.scale)
                .collect();
            if ll.is_finite() && gradient.iter().all(|g| g.is_finite()) {
                (-ll / self.scale, gradient)
            } else {
                unusable
            }
        };
        *last = Some((log_params.to_vec(), value.0, value.1.clone()));
        value
    }
}

impl<M: Model> CostFunction for GradientObjective<'_, M> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, log_params: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(log_params).0)
    }
}

impl<M: Model> Gradient for GradientObjective<'_, M> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, log_params: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(log_params).1)
    }
}

impl<'a, M: Model> GradientObjective<'a, M> {
    fn new(data: FitData<'a>, scale: f64) -> Self {
        GradientObjective {
            data,
            scale,
            evaluations: std::sync::atomic::AtomicU64::new(0),
            last: Mutex::new(None),
            marker: std::marker::PhantomData,
        }
    }
}

/// One quasi-Newton run from `start` (log parameters): BFGS from `inverse_hessian` when
/// given, else L-BFGS.
fn run_quasi_newton<M: Model>(
    data: FitData,
    scale: f64,
    start: &[f64],
    inverse_hessian: Option<Vec<Vec<f64>>>,
    evaluations: &mut u64,
) -> Option<(Vec<f64>, f64)> {
    let objective = GradientObjective::<M>::new(data, scale);
    let (problem, best, cost) = match inverse_hessian {
        Some(inverse_hessian) => {
            let solver = BFGS::new(MoreThuenteLineSearch::new())
                .with_tolerance_grad(GRADIENT_TOLERANCE)
                .ok()?
                .with_tolerance_cost(COST_TOLERANCE)
                .ok()?;
            let result = Executor::new(objective, solver)
                .configure(|state| {
                    state
                        .param(start.to_vec())
                        .inv_hessian(inverse_hessian)
                        .max_iters(200)
                })
                .run()
                .ok()?;
            let state = result.state();
            let best = state.get_best_param()?.clone();
            let cost = state.get_best_cost();
            (result.problem, best, cost)
        }
        None => {
            let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
                .with_tolerance_grad(GRADIENT_TOLERANCE)
                .ok()?
                .with_tolerance_cost(COST_TOLERANCE)
                .ok()?;
            let result = Executor::new(objective, solver)
                .configure(|state| state.param(start.to_vec()).max_iters(500))
                .run()
                .ok()?;
            let state = result.state();
            let best = state.get_best_param()?.clone();
            let cost = state.get_best_cost();
            (result.problem, best, cost)
        }
    };
    if let Some(objective) = &problem.problem {
        *evaluations += objective
            .evaluations
            .load(std::sync::atomic::Ordering::Relaxed);
    }
    (cost < NOT_FINITE_COST).then_some((best, cost))
}

/// The inverse of the Hessian of the mean negative log-likelihood in the log parameters at
/// `at`, by differences of the gradient, or `None` where it is not positive definite.
fn inverse_hessian<M: Model>(
    data: FitData,
    at: &[f64],
    evaluations: &mut u64,
) -> Option<Vec<Vec<f64>>> {
    let objective = GradientObjective::<M>::new(data, data.groups.customers());
    let hessian = hessian_from_gradient(at, 1e-5, |p| objective.evaluate(p).1);
    *evaluations += objective
        .evaluations
        .load(std::sync::atomic::Ordering::Relaxed);
    invert(hessian)
}

/// The L-BFGS run stops when the gradient of the mean log-likelihood in the log parameters
/// is this small (parameters then sit within about 10⁻⁵ of the maximum, relatively, far
/// below their standard errors; below about 10⁻⁹ the gradient is rounding noise), or when
/// an iteration changes the mean log-likelihood by less than [`COST_TOLERANCE`].
const GRADIENT_TOLERANCE: f64 = 1e-7;
const COST_TOLERANCE: f64 = 1e-13;

/// Fits `M` by maximum likelihood on `groups`.
///
/// # Errors
/// [`ScoreError::NoCustomers`] for empty data; [`ScoreError::NotFitted`] when no start gives a
/// finite likelihood, or the best fit has a parameter beyond 10⁻⁶ … 10⁶ or a non-finite
/// value.
pub fn fit<M: Model>(groups: &SummaryGroups) -> Result<Fitted<M>, ScoreError> {
    if groups.is_empty() {
        return Err(ScoreError::NoCustomers { model: M::NAME });
    }
    let data = FitData { groups };
    let scale = groups.customers();
    let mut evaluations = 0u64;
    // The starting points race on an even sample of the groups when there are many; the
    // winner is then refined on all of them, which takes far fewer evaluations than a
    // race on everything.
    let sample = (groups.len() > SAMPLE_GROUPS)
        .then(|| groups.every_nth(groups.len().div_ceil(SAMPLE_GROUPS)));
    let race = FitData {
        groups: sample.as_ref().unwrap_or(groups),
    };
    let race_scale = race.groups.customers();
    let mut best: Option<(Vec<f64>, f64)> = None;
    for start in M::starts(&data) {
        let log_start: Vec<f64> = start.iter().map(|p| p.ln()).collect();
        let result = if M::HAS_GRADIENT {
            run_quasi_newton::<M>(race, race_scale, &log_start, None, &mut evaluations)
        } else {
            run::<M>(race, race_scale, &log_start, 0.5, &mut evaluations)
        };
        if let Some((point, cost)) = result {
            // Strictly better only, so ties keep the earlier start: deterministic.
            if best.as_ref().is_none_or(|(_, c)| cost < *c) {
                best = Some((point, cost));
            }
        }
    }
    let Some((mut point, _)) = best else {
        return Err(ScoreError::NotFitted {
            model: M::NAME,
            reason: "the likelihood is not finite at any starting point".into(),
        });
    };
    if M::HAS_GRADIENT {
        // BFGS on all groups from the curvature at the sample's maximum: the first step is
        // then nearly Newton's, and a few evaluations on all groups suffice.
        let curvature = sample
            .is_some()
            .then(|| inverse_hessian::<M>(race, &point, &mut evaluations))
            .flatten();
        let refined = curvature
            .and_then(|h| run_quasi_newton::<M>(data, scale, &point, Some(h), &mut evaluations))
            .or_else(|| run_quasi_newton::<M>(data, scale, &point, None, &mut evaluations));
        if let Some((p, _)) = refined {
            point = p;
        }
    } else {
        // Restart from the best point with a fresh, smaller simplex: Nelder–Mead can stall
        // on a flattened simplex, and the restart costs little once close.
        let mut cost = f64::INFINITY;
        for step in [0.1, 0.02] {
            if let Some((p, c)) = run::<M>(data, scale, &point, step, &mut evaluations)
                && c <= cost
            {
                point = p;
                cost = c;
            }
        }
    }
    let params: Vec<f64> = point.iter().map(|p| p.exp()).collect();
    for (name, value) in M::PARAMETERS.iter().zip(&params) {
        if !value.is_finite() || *value > HIGHEST || *value < LOWEST {
            return Err(ScoreError::NotFitted {
                model: M::NAME,
                reason: format!(
                    "the likelihood keeps rising as `{name}` runs to {value:e}; the data does \
                     not identify the model"
                ),
            });
        }
    }
    let model = M::from_parameters(&params);
    let (log_likelihood, standard_errors) = if M::HAS_GRADIENT {
        let ll_gradient = |p: &[f64]| total_log_likelihood_gradient(&M::from_parameters(p), &data);
        let (log_likelihood, at) = ll_gradient(&params);
        let standard_errors = standard_errors_from_gradient(&params, &at, |p| ll_gradient(p).1);
        (log_likelihood, standard_errors)
    } else {
        let log_likelihood = total_log_likelihood(&model, &data);
        let standard_errors = standard_errors(&params, |p| {
            total_log_likelihood(&M::from_parameters(p), &data)
        });
        (log_likelihood, standard_errors)
    };
    if !log_likelihood.is_finite() {
        return Err(ScoreError::NotFitted {
            model: M::NAME,
            reason: "the log-likelihood at the best point is not finite".into(),
        });
    }
    Ok(Fitted {
        model,
        log_likelihood,
        standard_errors,
        customers: scale as u64,
        groups: groups.len() as u64,
        evaluations,
    })
}

/// The Hessian at `at` by forward differences of `gradient` (steps `relative` × each
/// value, at least 10⁻⁸), symmetrised; `at_gradient` is the gradient at `at`.
#[allow(clippy::needless_range_loop)]
fn hessian_from_gradient_at(
    at: &[f64],
    at_gradient: &[f64],
    relative: f64,
    gradient: impl Fn(&[f64]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let n = at.len();
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let h = relative * at[j].abs().max(1e-3);
            let mut step = at.to_vec();
            step[j] += h;
            let g = gradient(&step);
            (0..n).map(|i| (g[i] - at_gradient[i]) / h).collect()
        })
        .collect();
    let mut hessian = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            hessian[i][j] = (columns[j][i] + columns[i][j]) / 2.0;
        }
    }
    hessian
}

/// [`hessian_from_gradient_at`], the gradient at `at` computed too.
fn hessian_from_gradient(
    at: &[f64],
    relative: f64,
    gradient: impl Fn(&[f64]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let at_gradient = gradient(at);
    hessian_from_gradient_at(at, &at_gradient, relative, gradient)
}

/// Standard errors from the inverse of the negative Hessian of the log-likelihood at `at`,
/// the Hessian by forward differences of its gradient `gradient` (`at_gradient` at `at`
/// itself), or `None` where it is not positive definite.
pub fn standard_errors_from_gradient(
    at: &[f64],
    at_gradient: &[f64],
    gradient: impl Fn(&[f64]) -> Vec<f64>,
) -> Option<Vec<f64>> {
    let negative = |g: Vec<f64>| g.into_iter().map(|v| -v).collect::<Vec<f64>>();
    let info = hessian_from_gradient_at(at, &negative(at_gradient.to_vec()), 1e-5, |p| {
        negative(gradient(p))
    });
    let inverse = invert(info)?;
    (0..at.len())
        .map(|i| {
            let v = inverse[i][i];
            (v.is_finite() && v > 0.0).then(|| v.sqrt())
        })
        .collect()
}

/// Standard errors from the inverse of the negative Hessian of `ll` at `at` (central
/// differences, relative steps), or `None` where it is not positive definite.
#[allow(clippy::needless_range_loop)]
pub fn standard_errors(at: &[f64], ll: impl Fn(&[f64]) -> f64) -> Option<Vec<f64>> {
    let n = at.len();
    let h: Vec<f64> = at.iter().map(|v| 1e-4 * v.abs().max(1e-8)).collect();
    let eval = |di: (usize, f64), dj: (usize, f64)| {
        let mut p = at.to_vec();
        p[di.0] += di.1;
        p[dj.0] += dj.1;
        ll(&p)
    };
    let mut info = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let second = if i == j {
                let centre = ll(at);
                (eval((i, h[i]), (i, 0.0)) - 2.0 * centre + eval((i, -h[i]), (i, 0.0)))
                    / (h[i] * h[i])
            } else {
                (eval((i, h[i]), (j, h[j]))
                    - eval((i, h[i]), (j, -h[j]))
                    - eval((i, -h[i]), (j, h[j]))
                    + eval((i, -h[i]), (j, -h[j])))
                    / (4.0 * h[i] * h[j])
            };
            info[i][j] = -second;
            info[j][i] = -second;
        }
    }
    let inverse = invert(info)?;
    (0..n)
        .map(|i| {
            let v = inverse[i][i];
            (v.is_finite() && v > 0.0).then(|| v.sqrt())
        })
        .collect()
}

/// The inverse of a small symmetric positive definite matrix by Cholesky, or `None`.
// Matrix code reads as the textbook's with indices.
#[allow(clippy::needless_range_loop)]
fn invert(a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    // Columns of the inverse: solve L Lᵀ x = eₖ.
    let mut inverse = vec![vec![0.0; n]; n];
    for k in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let e = if i == k { 1.0 } else { 0.0 };
            y[i] = (e - (0..i).map(|j| l[i][j] * y[j]).sum::<f64>()) / l[i][i];
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            x[i] = (y[i] - (i + 1..n).map(|j| l[j][i] * x[j]).sum::<f64>()) / l[i][i];
        }
        for i in 0..n {
            inverse[i][k] = x[i];
        }
    }
    Some(inverse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_known_matrix() {
        let inverse = invert(vec![vec![4.0, 2.0], vec![2.0, 3.0]]).unwrap();
        // det 8: inverse [[3, −2], [−2, 4]] / 8
        assert!((inverse[0][0] - 0.375).abs() < 1e-15);
        assert!((inverse[0][1] + 0.25).abs() < 1e-15);
        assert!((inverse[1][1] - 0.5).abs() < 1e-15);
        assert!(invert(vec![vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
    }

    #[test]
    fn standard_errors_of_a_normal_mean() {
        // ll(μ) = −Σ (xᵢ − μ)² / 2 for 100 points of variance 1: SE = 1 / √100.
        let se = standard_errors(&[2.0], |p| -50.0 * (p[0] - 2.0).powi(2)).unwrap();
        assert!((se[0] - 0.1).abs() < 1e-6, "{se:?}");
    }
}
