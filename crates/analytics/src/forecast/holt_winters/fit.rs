//! Choosing the model and its smoothing parameters.
//!
//! For each of the two models (no trend; damped trend), a grid search over α, γ (and β, φ)
//! finds the parameters with the least one-step squared error, subject to the usual
//! stability bounds β ≤ α, γ ≤ 1 − α: a few hundred combinations, cheap at a few months of
//! days, deterministic, and without an optimiser's convergence questions. Between the two,
//! the corrected Akaike criterion (AICc) decides: the trend's extra parameters must buy
//! enough fit, which a short or step-shaped history seldom gives, so flat costs are not
//! extrapolated into a decline or a rise.

use super::initial::initial_state;
use super::{Parameters, Run, SEASON, State, run, step};

const ALPHAS: [f64; 7] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const TREND_BETAS: [f64; 4] = [0.0, 0.01, 0.05, 0.1];
const GAMMAS: [f64; 5] = [0.0, 0.05, 0.1, 0.2, 0.3];
const PHIS: [f64; 3] = [0.8, 0.9, 0.98];

/// Parameters counted by AICc: the smoothing parameters and the initial states (level,
/// six free seasonal values; and for the trend, β, φ and the initial slope).
const NO_TREND_PARAMETERS: usize = 2 + 1 + (SEASON - 1);
const TREND_PARAMETERS: usize = NO_TREND_PARAMETERS + 3;

/// A chosen model run over the history.
#[derive(Debug, Clone)]
pub(super) struct Fitted {
    pub parameters: Parameters,
    pub run: Run,
    /// Smoothing parameters fitted: α, γ, and β, φ with the trend.
    pub smoothing_parameters: usize,
}

/// The better of the two models by AICc, run over the history; `None` with under two weeks.
pub(super) fn best_model(history: &[f64]) -> Option<Fitted> {
    let flat_start = initial_state(history, false)?;
    let sloped_start = initial_state(history, true)?;
    let no_trend = least_squares(history, &flat_start, &[0.0], &[1.0]);
    let trend = least_squares(history, &sloped_start, &TREND_BETAS, &PHIS);
    let (parameters, initial, smoothing_parameters) = match (no_trend, trend) {
        (Some(flat), Some(sloped))
            if aicc(history.len(), sloped.0, TREND_PARAMETERS)
                < aicc(history.len(), flat.0, NO_TREND_PARAMETERS) =>
        {
            (sloped.1, sloped_start, 4)
        }
        (Some(flat), _) => (flat.1, flat_start, 2),
        (None, Some(sloped)) => (sloped.1, sloped_start, 4),
        (None, None) => return None,
    };
    Some(Fitted {
        parameters,
        run: run(history, &initial, parameters),
        smoothing_parameters,
    })
}

/// (least squared error, its parameters) over the grid; the first on ties.
fn least_squares(
    history: &[f64],
    initial: &State,
    betas: &[f64],
    phis: &[f64],
) -> Option<(f64, Parameters)> {
    let mut best: Option<(f64, Parameters)> = None;
    for &alpha in &ALPHAS {
        for &beta in betas.iter().filter(|beta| **beta <= alpha) {
            for &gamma in GAMMAS.iter().filter(|gamma| **gamma <= 1.0 - alpha) {
                for &phi in phis {
                    let parameters = Parameters {
                        alpha,
                        beta,
                        gamma,
                        phi,
                    };
                    let sse = squared_error(history, initial, parameters);
                    if sse.is_finite() && best.is_none_or(|(least, _)| sse < least) {
                        best = Some((sse, parameters));
                    }
                }
            }
        }
    }
    best
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

/// n·ln(SSE/n) + 2k + 2k(k+1)/(n−k−1). A perfect fit (SSE 0) is floored so the logarithm
/// stays finite; too few days for the correction count as infinitely bad.
fn aicc(days: usize, squared_error: f64, parameters: usize) -> f64 {
    let n = days as f64;
    let k = parameters as f64;
    if n - k - 1.0 <= 0.0 {
        return f64::INFINITY;
    }
    let mean_square = (squared_error / n).max(f64::MIN_POSITIVE);
    n * mean_square.ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_series_after_a_start_up_week_is_not_given_a_slope() {
        let mut history = vec![30.0, 26.0, 22.0, 20.0, 20.0, 20.0, 20.0];
        history.extend((0..20).map(|day| 20.0 + if day % 3 == 0 { 0.1 } else { -0.05 }));
        let fitted = best_model(&history).unwrap();
        assert_eq!(fitted.parameters.beta, 0.0);
        assert_eq!(fitted.run.state.trend, 0.0);
        assert_eq!(fitted.smoothing_parameters, 2);
    }

    #[test]
    fn steady_growth_keeps_its_slope() {
        let history: Vec<f64> = (0..42)
            .map(|day| 100.0 + 1.5 * day as f64 + if day % 2 == 0 { 0.3 } else { -0.3 })
            .collect();
        let fitted = best_model(&history).unwrap();
        let slope = fitted.run.state.trend;
        assert!((slope - 1.5).abs() < 0.2, "{slope}");
        assert_eq!(fitted.smoothing_parameters, 4);
    }

    #[test]
    fn the_criterion_charges_for_parameters() {
        assert!(aicc(40, 10.0, 9) < aicc(40, 10.0, 12));
        assert!(aicc(40, 0.0, 9).is_finite());
        assert_eq!(aicc(10, 1.0, 12), f64::INFINITY);
    }
}
