//! Additive Holt–Winters with a weekly season, in error-correction form; with a damped
//! trend (ETS(A,Ad,A)) or without one (ETS(A,N,A)):
//!
//! ```text
//! ŷ[t]  = ℓ + φ·b + s[t mod 7]          e[t] = y[t] − ŷ[t]
//! ℓ'    = ℓ + φ·b + α·e
//! b'    = φ·b + β·e                     (no trend: b = 0)
//! s'[t mod 7] = s[t mod 7] + γ·e
//! ```
//!
//! Why this model: daily cluster cost is a level (what is deployed), perhaps a drift
//! (growth) and a weekly shape (weekday against weekend); all three are additive in money.
//! The trend is damped so a few weeks of growth are not extrapolated linearly over a
//! 30-day horizon, and it is only used when it earns its parameters ([`fit`]): a step
//! (a deployment, a start-up week) must not be read as a slope. The initial state is a
//! robust decomposition of the history ([`initial`]).
//!
//! The h-step error variance is σ²·(1 + Σⱼ₌₁..ₕ₋₁ cⱼ²), cⱼ = α + β·(φ + … + φʲ) + γ·[7 | j],
//! the class-1 state-space result, with σ from the one-step errors after the first two
//! weeks (corrected for the parameters fitted).

mod fit;
mod initial;
#[cfg(test)]
mod tests;

use super::PointForecast;

const SEASON: usize = 7;
/// Fewest days for a decomposition (two complete weeks); the one-step errors of these
/// first days are left out of σ, since the initial state has seen them.
const INITIALISATION_DAYS: usize = 2 * SEASON;

/// Smoothing parameters: level α, trend β, season γ, damping φ (β = 0 and an initial
/// trend of zero: no trend).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Parameters {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
}

/// The state after the last observed day.
#[derive(Debug, Clone, PartialEq)]
struct State {
    level: f64,
    trend: f64,
    season: [f64; SEASON],
    /// Days consumed: the next day's season slot is `days % 7`.
    days: usize,
}

/// A run of the model over the history: its final state and one-step errors.
#[derive(Debug, Clone)]
struct Run {
    state: State,
    errors: Vec<f64>,
}

/// Needs at least [`INITIALISATION_DAYS`] days; fewer gives a flat zero forecast (the
/// caller never asks with fewer).
pub(super) fn forecast(history: &[f64], horizon: usize) -> PointForecast {
    let Some(fitted) = fit::best_model(history) else {
        return PointForecast {
            cost: vec![0.0; horizon],
            error_sd: vec![0.0; horizon],
        };
    };
    let one_step_sd = one_step_error_sd(&fitted);
    project(&fitted.run.state, fitted.parameters, one_step_sd, horizon)
}

/// √(Σe² / (m − p)) over the m one-step errors after the first two weeks, p the fitted
/// smoothing parameters: in-sample errors understate out-of-sample ones, the more so the
/// shorter the history, and dividing by the degrees of freedom left is the usual
/// correction.
fn one_step_error_sd(fitted: &fit::Fitted) -> f64 {
    let errors = &fitted.run.errors;
    let later = errors
        .get(INITIALISATION_DAYS..)
        .filter(|later| !later.is_empty())
        .unwrap_or(errors);
    let squares: f64 = later.iter().map(|error| error * error).sum();
    let degrees_of_freedom = later
        .len()
        .saturating_sub(fitted.smoothing_parameters)
        .max(1);
    (squares / degrees_of_freedom as f64).sqrt()
}

fn run(history: &[f64], initial: &State, parameters: Parameters) -> Run {
    let mut state = initial.clone();
    let errors = history
        .iter()
        .map(|value| step(&mut state, *value, parameters))
        .collect();
    Run { state, errors }
}

/// Consumes one day; returns its one-step error.
fn step(state: &mut State, value: f64, parameters: Parameters) -> f64 {
    let slot = state.days % SEASON;
    let damped_trend = parameters.phi * state.trend;
    let error = value - (state.level + damped_trend + state.season[slot]);
    state.level += damped_trend + parameters.alpha * error;
    state.trend = damped_trend + parameters.beta * error;
    state.season[slot] += parameters.gamma * error;
    state.days += 1;
    error
}

fn project(
    state: &State,
    parameters: Parameters,
    one_step_sd: f64,
    horizon: usize,
) -> PointForecast {
    let mut cost = Vec::with_capacity(horizon);
    let mut error_sd = Vec::with_capacity(horizon);
    // φ + φ² + … + φʰ, and 1 + Σ cⱼ² for j < h.
    let mut damping_sum = 0.0_f64;
    let mut damping_power = 1.0_f64;
    let mut variance_factor = 1.0_f64;
    for ahead in 1..=horizon {
        damping_power *= parameters.phi;
        damping_sum += damping_power;
        let slot = (state.days + ahead - 1) % SEASON;
        cost.push(state.level + damping_sum * state.trend + state.season[slot]);
        error_sd.push(one_step_sd * variance_factor.sqrt());
        let seasonal_hit = if ahead % SEASON == 0 {
            parameters.gamma
        } else {
            0.0
        };
        let c = parameters.alpha + parameters.beta * damping_sum + seasonal_hit;
        variance_factor += c * c;
    }
    PointForecast { cost, error_sd }
}
