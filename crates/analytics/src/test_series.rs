//! Deterministic synthetic series for the tests: a small seeded generator (SplitMix64)
//! for normal noise, and a weekly cost shape with a working-hours bump and quieter weekends.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};

/// A seeded pseudo-random source; the same seed always gives the same series.
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A Monday at midnight UTC.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn hour(index: usize) -> DateTime<Utc> {
    monday() + Duration::hours(index as i64)
}

pub fn day(index: usize) -> DateTime<Utc> {
    monday() + Duration::days(index as i64)
}

fn is_weekend(at: DateTime<Utc>) -> bool {
    matches!(at.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Expected hourly cost: `base`, plus up to 60 % more in working hours on weekdays and
/// 40 % less all weekend.
pub fn seasonal_hourly_cost(at: DateTime<Utc>, base: f64) -> f64 {
    let hour = f64::from(at.hour());
    let daytime = (std::f64::consts::PI * (hour - 6.0) / 14.0).sin().max(0.0);
    if is_weekend(at) {
        base * 0.6
    } else {
        base * (1.0 + 0.6 * daytime)
    }
}

/// Expected daily cost: `base` on weekdays, 35 % less at weekends.
pub fn seasonal_daily_cost(at: DateTime<Utc>, base: f64) -> f64 {
    if is_weekend(at) { base * 0.65 } else { base }
}
