//! The initial state: a robust decomposition of the whole history into a line and a
//! weekly shape. The slope is the Theil–Sen slope of the complete weeks' means (the median
//! of their pairwise slopes), the line's height the median of those means less the slope,
//! the season each weekday's median deviation from the line, centred on zero. Medians, so
//! that one odd week (a start-up, an incident) does not become the season or the slope for
//! good; and a perfectly weekly series decomposes exactly, so it is reproduced exactly.

use super::{INITIALISATION_DAYS, SEASON, State};
use crate::stats::{mean, median};

/// With `trend` false the slope is held at zero (the no-trend model).
pub(super) fn initial_state(history: &[f64], trend: bool) -> Option<State> {
    let week_means: Vec<f64> = history
        .chunks_exact(SEASON)
        .map(|week| mean(week).unwrap_or(0.0))
        .collect();
    if week_means.len() < INITIALISATION_DAYS / SEASON {
        return None;
    }
    let slope = if trend {
        theil_sen_slope(&week_means)?
    } else {
        0.0
    };
    // A week's mean is the line's value at its middle day, 7k + 3.
    let heights: Vec<f64> = week_means
        .iter()
        .enumerate()
        .map(|(week, week_mean)| week_mean - slope * (week * SEASON + 3) as f64)
        .collect();
    let height = median(&heights)?;
    let line = |day: usize| height + slope * day as f64;
    let mut season = [0.0; SEASON];
    for (slot, value) in season.iter_mut().enumerate() {
        let deviations: Vec<f64> = history
            .iter()
            .enumerate()
            .skip(slot)
            .step_by(SEASON)
            .map(|(day, cost)| cost - line(day))
            .collect();
        *value = median(&deviations)?;
    }
    let offset = season.iter().sum::<f64>() / SEASON as f64;
    season.iter_mut().for_each(|value| *value -= offset);
    Some(State {
        // The state "before day 0": one step of slope back from day 0's line value, with
        // the season's offset folded into the level.
        level: line(0) + offset - slope,
        trend: slope,
        season,
        days: 0,
    })
}

/// Per day, from weekly means.
fn theil_sen_slope(week_means: &[f64]) -> Option<f64> {
    let mut slopes = Vec::new();
    for (earlier, first) in week_means.iter().enumerate() {
        for (later, second) in week_means.iter().enumerate().skip(earlier + 1) {
            slopes.push((second - first) / ((later - earlier) * SEASON) as f64);
        }
    }
    median(&slopes)
}
