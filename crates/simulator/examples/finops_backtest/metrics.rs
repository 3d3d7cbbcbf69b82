//! Forecast error measures, accumulated over every group, origin and day ahead:
//! WAPE (Σ|F − A| / ΣA, the error in money terms, dominated by the big groups), MAPE
//! (the mean of |F − A| / A over days with a cost, every group weighing the same), the
//! error of the horizon's total (what a budget's forecast at the period's end depends on)
//! and the share of actual days inside the prediction interval.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[derive(Debug, Default, Clone)]
pub struct ErrorTally {
    absolute_error: f64,
    actual: f64,
    percentage_errors: f64,
    percentage_count: usize,
    total_errors: f64,
    total_actual: f64,
    covered: usize,
    interval_count: usize,
    pub forecasts: usize,
}

fn f64_of(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

impl ErrorTally {
    /// One forecast of a horizon: `predicted[i]` for `actual[i]`, with its interval when
    /// the forecaster gives one.
    pub fn add(
        &mut self,
        predicted: &[Decimal],
        actual: &[Decimal],
        interval: Option<&[(Decimal, Decimal)]>,
    ) {
        self.forecasts += 1;
        for (predicted, actual) in predicted.iter().zip(actual) {
            let (predicted, actual) = (f64_of(*predicted), f64_of(*actual));
            self.absolute_error += (predicted - actual).abs();
            self.actual += actual.abs();
            if actual > 0.0 {
                self.percentage_errors += (predicted - actual).abs() / actual;
                self.percentage_count += 1;
            }
        }
        let predicted_total: f64 = predicted.iter().copied().map(f64_of).sum();
        let actual_total: f64 = actual.iter().copied().map(f64_of).sum();
        self.total_errors += (predicted_total - actual_total).abs();
        self.total_actual += actual_total.abs();
        for ((lower, upper), actual) in interval.unwrap_or_default().iter().zip(actual) {
            self.interval_count += 1;
            if lower <= actual && actual <= upper {
                self.covered += 1;
            }
        }
    }

    pub fn wape(&self) -> f64 {
        percent(self.absolute_error, self.actual)
    }

    pub fn mape(&self) -> f64 {
        percent(self.percentage_errors, self.percentage_count as f64)
    }

    /// WAPE of the horizon totals.
    pub fn total_wape(&self) -> f64 {
        percent(self.total_errors, self.total_actual)
    }

    /// `None` for forecasters without intervals.
    pub fn coverage(&self) -> Option<f64> {
        (self.interval_count > 0).then(|| percent(self.covered as f64, self.interval_count as f64))
    }
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}
