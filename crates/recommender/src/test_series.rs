//! Synthetic usage series for the tests: flat, diurnal, spiky, growing memory, usage above
//! request and tiny histories, sampled every 5 minutes from a fixed start.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_domain::costs::UsagePoint;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;

pub const STEP_SECONDS: u32 = 300;
pub const CPU_REQUEST: u64 = 1000;
pub const MEMORY_REQUEST: u64 = 4 << 30;

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

pub fn hours_after_start(hours: i64) -> DateTime<Utc> {
    start() + Duration::hours(hours)
}

pub fn point(index: usize, cpu: u64, memory: u64) -> UsagePoint {
    UsagePoint {
        at: start() + Duration::seconds(index as i64 * i64::from(STEP_SECONDS)),
        seconds: STEP_SECONDS,
        figures: ResourceFigures {
            cpu_usage: Millicores::new(cpu),
            memory_usage: Bytes::new(memory),
            cpu_request: Millicores::new(CPU_REQUEST),
            memory_request: Bytes::new(MEMORY_REQUEST),
            cpu_limit: None,
            memory_limit: None,
        },
    }
}

/// Samples per hour at the 5-minute step.
pub const PER_HOUR: usize = 12;

/// `hours` of usage from `f(sample index)`.
pub fn series(hours: usize, f: impl Fn(usize) -> (u64, u64)) -> Vec<UsagePoint> {
    (0..hours * PER_HOUR)
        .map(|i| {
            let (cpu, memory) = f(i);
            point(i, cpu, memory)
        })
        .collect()
}

pub fn flat(hours: usize, cpu: u64, memory: u64) -> Vec<UsagePoint> {
    series(hours, |_| (cpu, memory))
}

/// Busy by day, quiet by night: CPU between `low` and `high`, memory following a little.
pub fn diurnal(hours: usize, low: u64, high: u64, memory: u64) -> Vec<UsagePoint> {
    series(hours, |i| {
        let hour_of_day = (i / PER_HOUR) % 24;
        let phase = (hour_of_day as f64 - 6.0) / 24.0 * std::f64::consts::TAU;
        let level = (phase.sin() + 1.0) / 2.0;
        let cpu = low + ((high - low) as f64 * level) as u64;
        (cpu, memory + (memory as f64 * 0.1 * level) as u64)
    })
}

/// Mostly `base`, with a burst to `spike` one sample in `every`.
pub fn spiky(hours: usize, base: u64, spike: u64, every: usize, memory: u64) -> Vec<UsagePoint> {
    series(hours, |i| {
        (if i % every == 0 { spike } else { base }, memory)
    })
}

/// Memory growing linearly from `from` to `to` over the series (a leak or a warming cache).
pub fn growing_memory(hours: usize, cpu: u64, from: u64, to: u64) -> Vec<UsagePoint> {
    let n = (hours * PER_HOUR).max(1) as f64;
    series(hours, |i| {
        (cpu, from + ((to - from) as f64 * i as f64 / n) as u64)
    })
}
