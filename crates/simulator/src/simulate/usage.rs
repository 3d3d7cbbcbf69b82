//! How busy a simulated workload is at a given time: a diurnal curve (quiet nights, a
//! mid-afternoon peak, quieter weekends) times noise and the occasional spike.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};

use super::rng::SimRng;

/// Hour of the day (UTC) at which traffic peaks.
const PEAK_HOUR: f64 = 14.0;
/// Weekend traffic relative to a weekday at the same hour.
const WEEKEND_FACTOR: f64 = 0.7;

/// Load in (0, 1]: 1 at the weekday peak, about 0.2 in the small hours.
pub fn diurnal(at: DateTime<Utc>) -> f64 {
    let hour = f64::from(at.hour()) + f64::from(at.minute()) / 60.0;
    let phase = (hour - PEAK_HOUR) / 24.0 * std::f64::consts::TAU;
    // cos is 1 at the peak, -1 twelve hours away; map to [0.2, 1].
    let day = 0.6 + 0.4 * phase.cos();
    match at.weekday() {
        Weekday::Sat | Weekday::Sun => day * WEEKEND_FACTOR,
        _ => day,
    }
}

/// How a workload's usage relates to its load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageProfile {
    /// CPU usage at peak load, as a fraction of the request (or of `cpu_baseline_millicores`
    /// when there is no request). Below 1: over-provisioned; above 1: under-provisioned.
    pub cpu_at_peak: f64,
    /// How much of the CPU follows the daily curve (0: flat, 1: fully diurnal).
    pub cpu_diurnal_share: f64,
    /// Memory usage as a fraction of the request; memory barely follows load.
    pub memory_share: f64,
    /// Probability per sample of a spike (a deploy, a batch, a traffic burst).
    pub spike_chance: f64,
}

impl UsageProfile {
    /// CPU usage multiplier for one sample: load, ±15 % noise, spikes of 1.5–3×.
    pub fn cpu_factor(&self, load: f64, rng: &mut SimRng) -> f64 {
        let shaped = (1.0 - self.cpu_diurnal_share) + self.cpu_diurnal_share * load;
        let spike = if rng.chance(self.spike_chance) {
            rng.between(1.5, 3.0)
        } else {
            1.0
        };
        self.cpu_at_peak * shaped * rng.between(0.85, 1.15) * spike
    }

    /// Memory usage multiplier for one sample: mostly flat, ±5 %, a little load.
    pub fn memory_factor(&self, load: f64, rng: &mut SimRng) -> f64 {
        self.memory_share * (0.9 + 0.1 * load) * rng.between(0.95, 1.05)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        // 2026-11-16 is a Monday.
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn peaks_in_the_afternoon_and_is_quiet_at_night_and_on_weekends() {
        let peak = diurnal(at(17, 14));
        let night = diurnal(at(17, 2));
        assert!((peak - 1.0).abs() < 1e-9, "{peak}");
        assert!((night - 0.2).abs() < 1e-9, "{night}");
        assert!(diurnal(at(17, 10)) > night && diurnal(at(17, 10)) < peak);
        assert!(
            (diurnal(at(21, 14)) - WEEKEND_FACTOR).abs() < 1e-9,
            "saturday"
        );
        for hour in 0..24 {
            let load = diurnal(at(18, hour));
            assert!(load > 0.0 && load <= 1.0);
        }
    }

    #[test]
    fn cpu_follows_load_and_spikes_are_rare_but_present() {
        let profile = UsageProfile {
            cpu_at_peak: 0.5,
            cpu_diurnal_share: 0.8,
            memory_share: 0.6,
            spike_chance: 0.02,
        };
        let mut rng = SimRng::new(3);
        let mean = |load: f64, rng: &mut SimRng| {
            (0..2000)
                .map(|_| profile.cpu_factor(load, rng))
                .sum::<f64>()
                / 2000.0
        };
        let busy = mean(1.0, &mut rng);
        let quiet = mean(0.2, &mut rng);
        assert!(busy > 2.5 * quiet, "busy {busy} quiet {quiet}");
        let spikes = (0..5000)
            .filter(|_| profile.cpu_factor(1.0, &mut rng) > 0.5 * 1.15 * 1.01)
            .count();
        assert!((40..200).contains(&spikes), "{spikes} spikes in 5000");
        let memory = profile.memory_factor(0.5, &mut rng);
        assert!((0.5..0.65).contains(&memory), "{memory}");
    }
}
