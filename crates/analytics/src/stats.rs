//! The few descriptive statistics the forecasts and the anomaly detector share: mean,
//! median, the median absolute deviation and the root mean square.

/// The factor that turns a median absolute deviation into an estimate of the standard
/// deviation when the values are normal (1 / Φ⁻¹(3/4)).
pub(crate) const MAD_TO_SIGMA: f64 = 1.4826;

pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// The median; the mean of the middle two for an even count. Not-a-number sorts last.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted.get(middle).copied()
    } else {
        Some((sorted.get(middle - 1)? + sorted.get(middle)?) / 2.0)
    }
}

/// The median of the absolute deviations from `center`.
pub(crate) fn median_absolute_deviation(values: &[f64], center: f64) -> Option<f64> {
    let deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    median(&deviations)
}

/// √(Σ e² / n).
pub(crate) fn root_mean_square(errors: &[f64]) -> Option<f64> {
    if errors.is_empty() {
        None
    } else {
        Some((errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn mad_ignores_one_outlier() {
        assert_eq!(
            median_absolute_deviation(&[10.0, 11.0, 9.0, 10.0, 1000.0], 10.0),
            Some(1.0)
        );
    }

    #[test]
    fn mean_and_rms() {
        assert_eq!(mean(&[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(root_mean_square(&[3.0, -3.0]), Some(3.0));
        assert_eq!(root_mean_square(&[]), None);
    }
}
