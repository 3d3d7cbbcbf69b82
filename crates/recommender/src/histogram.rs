//! VPA's decaying histogram: exponentially growing buckets (each 5% wider than the last)
//! whose sample weights double every half-life towards the present, so recent usage counts
//! more. Percentiles answer with the end of the bucket that reaches them, as VPA does.

/// Bucket layout: `start(i) = first · (ratio^i − 1) / (ratio − 1)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketLayout {
    first_bucket: f64,
    ratio: f64,
    buckets: usize,
}

impl BucketLayout {
    /// VPA's layout for CPU: 0.01-core first bucket, 5% growth, up to 1000 cores (in millicores).
    pub const fn cpu_millicores() -> Self {
        Self::new(1_000_000.0, 10.0, 1.05)
    }

    /// VPA's layout for memory: 10 MB first bucket, 5% growth, up to 1 TB (in bytes).
    pub const fn memory_bytes() -> Self {
        Self::new(1e12, 1e7, 1.05)
    }

    const fn new(max_value: f64, first_bucket: f64, ratio: f64) -> Self {
        // ceil(log(max·(r−1)/first + 1) / log(r)) + 1, precomputed for the two layouts
        // (const fn cannot call `ln`): both come to 176 buckets at r = 1.05.
        let _ = max_value;
        Self {
            first_bucket,
            ratio,
            buckets: 176,
        }
    }

    pub fn start(&self, bucket: usize) -> f64 {
        self.first_bucket * (self.ratio.powi(bucket as i32) - 1.0) / (self.ratio - 1.0)
    }

    pub fn find(&self, value: f64) -> usize {
        if value < self.first_bucket {
            return 0;
        }
        let bucket =
            ((value * (self.ratio - 1.0) / self.first_bucket + 1.0).ln() / self.ratio.ln()).floor();
        (bucket.max(0.0) as usize).min(self.buckets - 1)
    }
}

/// Weights below this are treated as empty (VPA's epsilon).
const EPSILON: f64 = 1e-4;

/// A histogram of weighted samples over a [`BucketLayout`].
#[derive(Debug, Clone)]
pub struct DecayingHistogram {
    layout: BucketLayout,
    half_life_hours: f64,
    weights: Vec<f64>,
    total: f64,
}

impl DecayingHistogram {
    pub fn new(layout: BucketLayout, half_life_hours: f64) -> Self {
        Self {
            layout,
            half_life_hours,
            weights: vec![0.0; layout.buckets],
            total: 0.0,
        }
    }

    /// Adds `value` with `weight`, observed `age_hours` before the reference instant.
    pub fn add(&mut self, value: f64, weight: f64, age_hours: f64) {
        let decayed = weight * (-age_hours / self.half_life_hours).exp2();
        let bucket = self.layout.find(value);
        self.weights[bucket] += decayed;
        self.total += decayed;
    }

    /// Removes what [`Self::add`] added with the same arguments.
    pub fn subtract(&mut self, value: f64, weight: f64, age_hours: f64) {
        let decayed = weight * (-age_hours / self.half_life_hours).exp2();
        let bucket = self.layout.find(value);
        self.weights[bucket] = (self.weights[bucket] - decayed).max(0.0);
        self.total = (self.total - decayed).max(0.0);
    }

    pub fn is_empty(&self) -> bool {
        self.total < EPSILON
    }

    /// The end of the bucket where the cumulative weight reaches `p` of the total
    /// (the start of the last bucket if that is where it ends); 0 when empty.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let threshold = p * self.total;
        let mut partial = 0.0;
        let mut bucket = 0;
        for (i, weight) in self.weights.iter().enumerate() {
            if *weight <= 0.0 {
                continue;
            }
            // Rounding can leave the threshold unreached: stop at the last non-empty bucket.
            bucket = i;
            partial += weight;
            if partial >= threshold {
                break;
            }
        }
        if bucket + 1 < self.layout.buckets {
            self.layout.start(bucket + 1)
        } else {
            self.layout.start(bucket)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_match_vpa() {
        let cpu = BucketLayout::cpu_millicores();
        assert_eq!(cpu.find(5.0), 0);
        assert_eq!(cpu.find(10.0), 1);
        assert!((cpu.start(1) - 10.0).abs() < 1e-9);
        assert!((cpu.start(2) - 20.5).abs() < 1e-9);
        // The last bucket holds 1000 cores.
        assert!(cpu.start(175) >= 1_000_000.0 && cpu.start(174) < 1_000_000.0);
        let memory = BucketLayout::memory_bytes();
        assert!(memory.start(175) >= 1e12 && memory.start(174) < 1e12);
    }

    #[test]
    fn percentiles_are_bucket_ends_and_recent_samples_weigh_more() {
        let mut h = DecayingHistogram::new(BucketLayout::cpu_millicores(), 24.0);
        assert_eq!(h.percentile(0.9), 0.0);
        h.add(100.0, 1.0, 0.0);
        let layout = BucketLayout::cpu_millicores();
        let end = layout.start(layout.find(100.0) + 1);
        assert!((h.percentile(0.9) - end).abs() < 1e-9);
        // A large value two days old weighs a quarter of a fresh one.
        let mut h = DecayingHistogram::new(BucketLayout::cpu_millicores(), 24.0);
        h.add(1000.0, 1.0, 48.0);
        h.add(100.0, 1.0, 0.0);
        assert!(h.percentile(0.75) < 200.0);
        assert!(h.percentile(0.9) > 900.0);
        h.subtract(1000.0, 1.0, 48.0);
        assert!(h.percentile(0.99) < 200.0);
    }
}
