//! Additive Holt–Winters with a damped trend and a weekly season, in error-correction
//! form (ETS(A,Ad,A)):
//!
//! ```text
//! ŷ[t]  = ℓ + φ·b + s[t mod 7]          e[t] = y[t] − ŷ[t]
//! ℓ'    = ℓ + φ·b + α·e
//! b'    = φ·b + β·e
//! s'[t mod 7] = s[t mod 7] + γ·e
//! ```
//!
//! Why this model: daily cluster cost is a level (what is deployed), a slow drift (growth)
//! and a weekly shape (weekday against weekend); all three are additive in money. The
//! trend is damped so a few weeks of growth are not extrapolated linearly over a 30-day
//! horizon. The initial state comes from the first two weeks (level and trend from their
//! means, season from their detrended values), so a perfectly weekly series is reproduced
//! exactly. α, β, γ, φ are fitted by a grid search that minimises the one-step squared
//! error: a few hundred combinations, cheap at a few months of days, deterministic, and
//! without an optimiser's convergence questions.
//!
//! The h-step error variance is σ²·(1 + Σⱼ₌₁..ₕ₋₁ cⱼ²), cⱼ = α + β·(φ + … + φʲ) + γ·[7 | j],
//! the class-1 state-space result, with σ the RMS of the one-step errors after the two
//! initialisation weeks.

use super::PointForecast;
use crate::stats::{mean, root_mean_square};

const SEASON: usize = 7;
/// Days the initial state is estimated from.
const INITIALISATION_DAYS: usize = 2 * SEASON;

const ALPHAS: [f64; 7] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS: [f64; 4] = [0.0, 0.01, 0.05, 0.1];
const GAMMAS: [f64; 5] = [0.0, 0.05, 0.1, 0.2, 0.3];
const PHIS: [f64; 3] = [0.8, 0.9, 0.98];

/// Smoothing parameters: level α, trend β, season γ, damping φ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parameters {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
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
    let Some(initial) = initial_state(history) else {
        return PointForecast {
            cost: vec![0.0; horizon],
            error_sd: vec![0.0; horizon],
        };
    };
    let (parameters, run) = fit(history, &initial);
    let one_step_sd = root_mean_square(
        run.errors
            .get(INITIALISATION_DAYS..)
            .filter(|later| !later.is_empty())
            .unwrap_or(&run.errors),
    )
    .unwrap_or(0.0);
    project(&run.state, parameters, one_step_sd, horizon)
}

/// Level and trend from the first two weeks' means, the season from both weeks'
/// deviations from that line, centred on zero.
fn initial_state(history: &[f64]) -> Option<State> {
    let first_week = mean(history.get(..SEASON)?)?;
    let second_week = mean(history.get(SEASON..INITIALISATION_DAYS)?)?;
    let trend = (second_week - first_week) / SEASON as f64;
    // The first week's mean is the line's value at its middle day, 3.
    let line = |day: usize| first_week + trend * (day as f64 - 3.0);
    let mut season = [0.0; SEASON];
    for (slot, value) in season.iter_mut().enumerate() {
        let first = history.get(slot)? - line(slot);
        let second = history.get(slot + SEASON)? - line(slot + SEASON);
        *value = (first + second) / 2.0;
    }
    let offset = season.iter().sum::<f64>() / SEASON as f64;
    season.iter_mut().for_each(|value| *value -= offset);
    Some(State {
        // The state "before day 0": one step of trend back from day 0's line value.
        level: line(0) - trend,
        trend,
        season,
        days: 0,
    })
}

/// The grid's parameters with the least one-step squared error (the first on ties),
/// subject to the usual stability bounds β ≤ α, γ ≤ 1 − α.
fn fit(history: &[f64], initial: &State) -> (Parameters, Run) {
    let mut best: Option<(f64, Parameters)> = None;
    for &alpha in &ALPHAS {
        for &beta in BETAS.iter().filter(|beta| **beta <= alpha) {
            for &gamma in GAMMAS.iter().filter(|gamma| **gamma <= 1.0 - alpha) {
                for &phi in &PHIS {
                    let parameters = Parameters {
                        alpha,
                        beta,
                        gamma,
                        phi,
                    };
                    let sse = squared_error(history, initial, parameters);
                    if best.is_none_or(|(least, _)| sse < least) {
                        best = Some((sse, parameters));
                    }
                }
            }
        }
    }
    let parameters = best.map_or(
        Parameters {
            alpha: ALPHAS[0],
            beta: 0.0,
            gamma: 0.0,
            phi: PHIS[0],
        },
        |(_, parameters)| parameters,
    );
    (parameters, run(history, initial, parameters))
}

fn squared_error(history: &[f64], initial: &State, parameters: Parameters) -> f64 {
    let mut state = initial.clone();
    history
        .iter()
        .map(|value| {
            let error = step(&mut state, *value, parameters);
            error * error
        })
        .sum()
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
    // φ + φ² + … + φʰ, and Σ cⱼ² for j < h.
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

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK_SHAPE: [f64; 7] = [10.0, 11.0, 12.0, 11.0, 10.0, 4.0, 3.0];

    fn weekly(weeks: usize) -> Vec<f64> {
        (0..weeks * SEASON)
            .map(|day| WEEK_SHAPE[day % SEASON])
            .collect()
    }

    #[test]
    fn a_weekly_series_has_no_one_step_error() {
        let history = weekly(4);
        let initial = initial_state(&history).unwrap();
        assert!(initial.trend.abs() < 1e-12);
        let parameters = Parameters {
            alpha: 0.5,
            beta: 0.1,
            gamma: 0.2,
            phi: 0.9,
        };
        let run = run(&history, &initial, parameters);
        assert!(run.errors.iter().all(|error| error.abs() < 1e-9));
    }

    #[test]
    fn a_weekly_series_is_reproduced_with_zero_spread() {
        let point = forecast(&weekly(5), 14);
        for (ahead, cost) in point.cost.iter().enumerate() {
            assert!((cost - WEEK_SHAPE[ahead % SEASON]).abs() < 1e-9);
        }
        assert!(point.error_sd.iter().all(|sd| *sd < 1e-9));
    }

    #[test]
    fn a_straight_line_keeps_rising_but_slower_than_linearly() {
        let history: Vec<f64> = (0..35).map(|day| 100.0 + 2.0 * day as f64).collect();
        let point = forecast(&history, 30);
        assert!(point.cost[0] > 168.0 && point.cost[0] < 172.0);
        assert!(point.cost.windows(2).all(|pair| pair[1] >= pair[0] - 1e-9));
        assert!(point.cost[29] < 100.0 + 2.0 * 64.0 + 1e-6);
    }

    #[test]
    fn the_error_grows_with_the_horizon() {
        let history: Vec<f64> = (0..42)
            .map(|day| WEEK_SHAPE[day % SEASON] + if day % 3 == 0 { 1.0 } else { -0.5 })
            .collect();
        let point = forecast(&history, 30);
        assert!(point.error_sd[0] > 0.0);
        assert!(point.error_sd.windows(2).all(|pair| pair[1] >= pair[0]));
    }
}
