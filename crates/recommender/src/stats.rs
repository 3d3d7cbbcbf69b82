//! Small statistics over `f64` samples: quantiles (interpolated and weighted).

/// The `q`-quantile with linear interpolation between closest ranks (Prometheus'
/// `quantile_over_time`, PostgreSQL's `percentile_cont`). Sorts `values`; 0 when empty.
pub fn quantile_interpolated(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = q.clamp(0.0, 1.0) * (values.len() - 1) as f64;
    let lower = rank.floor() as usize;
    let upper = rank.ceil() as usize;
    let fraction = rank - lower as f64;
    values[lower] + (values[upper] - values[lower]) * fraction
}

/// The smallest value whose cumulative weight reaches `q` of the total weight.
/// Sorts `samples` by value; 0 when empty or weightless.
pub fn weighted_quantile(samples: &mut [(f64, f64)], q: f64) -> f64 {
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = samples.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let threshold = q.clamp(0.0, 1.0) * total;
    let mut cumulative = 0.0;
    for (value, weight) in samples.iter() {
        cumulative += weight;
        if cumulative >= threshold {
            return *value;
        }
    }
    samples.last().map_or(0.0, |(value, _)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolated_quantiles() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile_interpolated(&mut v, 0.5), 3.0);
        assert_eq!(quantile_interpolated(&mut v, 0.95), 4.8);
        assert_eq!(quantile_interpolated(&mut [], 0.5), 0.0);
    }

    #[test]
    fn weighted_quantiles() {
        let mut v = vec![(10.0, 1.0), (20.0, 3.0)];
        assert_eq!(weighted_quantile(&mut v, 0.2), 10.0);
        assert_eq!(weighted_quantile(&mut v, 0.3), 20.0);
        assert_eq!(weighted_quantile(&mut [], 0.3), 0.0);
    }
}
