//! Provable lower bounds on the cost-weighted pooled slack (M1 in `metrics.rs`) that an
//! algorithm can reach on a set of series while keeping CPU risk ≤ `max_cpu_risk` and the
//! share of OOM pod-days ≤ `max_oom_day_share`, both pooled over all series as `summarize`
//! measures them. The pod-days are those `replay` scores: intervals k ≥ max(1, warm-up) with
//! at least one sample (the replay falls back to the current requests, so every algorithm
//! is scored on exactly these); requests are constant within a pod-day.
//!
//! Why valid. Over the N scored samples let T = Σ w·R·Δt (requested cost) and U = Σ w·u·Δt
//! (usage cost), with w the per-millicore-second and per-byte-second rates. The slack is
//! Σ w·max(R − u, 0)·Δt = T − Σ w·min(u, R)·Δt ≥ T − U, so slack / T ≥ 1 − U/T ≥ 1 − U/T_min
//! for any T_min ≤ T (clamped at 0). CPU risk involves only the CPU requests and OOM days
//! only the memory ones, so T_min = Tc_min + Tm_min:
//! - Tc_min: one real Rc_d ≥ 0 per pod-day d, at most B = ⌊max_cpu_risk·N⌋ samples with
//!   u_c > Rc_d. For every λ ≥ 0, L(λ) = Σ_d min_R [wc·R·D_d + λ·over_d(R)] − λ·B is ≤
//!   Σ_d wc·Rc_d·D_d for every feasible choice (weak duality: the added λ·(Σ over − B) is
//!   ≤ 0); D_d = Σ Δt of the day, over_d(R) = #samples with u_c > R. The inner minimum is
//!   reached at R = 0 or at a usage value of the day (over_d is constant in between). L is
//!   evaluated at its maximiser (a breakpoint of the per-day lower convex hulls); validity
//!   does not depend on that choice.
//! - Tm_min, clairvoyant: one Rm_d per pod-day, at most A = ⌊max_oom_day_share·pod_days⌋ days
//!   with peak_d > Rm_d. Exact: Rm_d = peak_d, except the A days with the largest
//!   wm·peak_d·D_d, which take Rm_d = 0.
//! - Tm_min, peak multiplier: Rm_d = c_v·base_d, base_d the highest memory usage in the
//!   intervals k−W..k−1 before day d = interval k (all earlier intervals when W = 0; empty
//!   intervals contribute nothing, base_d = 0 when all are empty), one real c_v ≥ 0 per
//!   series chosen in hindsight. Day d is an OOM day iff peak_d > c_v·base_d, i.e. iff
//!   n_d = peak_d / base_d > c_v (n_d = +∞ when base_d = 0 < peak_d, 0 when peak_d = 0).
//!   With j OOM days in series v the cheapest c_v is the (j+1)-th largest n_d (0 if j ≥ its
//!   day count), costing wm·c_v·Σ_d base_d·D_d; the j_v (Σ j_v ≤ A) come from an exact DP.
//!
//! Scope. The clairvoyant bound holds for every algorithm, even one that sees the future.
//! The peak-multiplier bound holds only for algorithms whose memory request is one
//! per-series constant × the highest daily peak of the last W intervals (CPU free within the
//! risk cap), even with the constant tuned in hindsight: it is NOT a bound on all causal
//! algorithms. Requests are real numbers (integers only narrow the clairvoyant choice; a
//! family member rounded to whole bytes differs by < 1 byte per pod-day). The caps B and A
//! are rounded with a 1e-9 tolerance upwards, which can only lower the bounds.

use chrono::Duration;
use kcost_domain::costs::UsagePoint;
use kcost_domain::pricing::ResourceRates;
use serde::Serialize;

use super::metrics::Weights;
use super::replay::ReplayConfig;

/// The risk caps an algorithm must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundConstraints {
    /// Largest share of scored samples with CPU usage above the CPU request (e.g. 0.0343).
    pub max_cpu_risk: f64,
    /// Largest share of scored pod-days with an OOM (e.g. 0.005 for 99.5% OOM-free).
    pub max_oom_day_share: f64,
}

/// A lower bound and its pieces; costs are in the currency of the rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    /// Every covered algorithm meeting the caps has a cost-weighted pooled slack ≥ this.
    pub slack_cost_pooled_at_least: f64,
    pub pod_days: usize,
    pub samples: u64,
    /// B: scored samples allowed above the CPU request.
    pub allowed_cpu_over_samples: u64,
    /// A: pod-days allowed an OOM.
    pub allowed_oom_days: usize,
    /// U: cost of the usage itself over the scored samples.
    pub usage_cost: f64,
    /// Tc_min: the CPU requests cost at least this.
    pub cpu_request_cost_at_least: f64,
    /// Tm_min: the memory requests cost at least this (+∞ when infeasible).
    pub memory_request_cost_at_least: f64,
    /// W in intervals (days at 24 h; 0 = whole history); `None` for the clairvoyant bound.
    pub base_window_days: Option<usize>,
    /// False when no member of the family meets the OOM cap: the bound is vacuous, reported 1.
    pub feasible: bool,
}

/// Bound for every algorithm, even clairvoyant: one CPU and one memory request per pod-day.
pub fn clairvoyant_bound(
    series: &[&[UsagePoint]],
    config: &ReplayConfig,
    rates: &ResourceRates,
    c: &BoundConstraints,
) -> Bound {
    bound(series, config, rates, c, None)
}

/// Bound for memory requests "per-series constant × highest daily peak of the last
/// `base_window_days` intervals" (0 = all earlier intervals), the constant tuned in hindsight.
pub fn peak_multiplier_bound(
    series: &[&[UsagePoint]],
    config: &ReplayConfig,
    rates: &ResourceRates,
    c: &BoundConstraints,
    base_window_days: usize,
) -> Bound {
    bound(series, config, rates, c, Some(base_window_days))
}

/// One scored pod-day: CPU usages sorted ascending, memory peak and base, Σ Δt.
struct Day {
    series: usize,
    seconds: f64,
    cpu: Vec<u64>,
    memory_peak: u64,
    memory_base: u64,
}

fn bound(
    series: &[&[UsagePoint]],
    config: &ReplayConfig,
    rates: &ResourceRates,
    c: &BoundConstraints,
    window: Option<usize>,
) -> Bound {
    let Weights {
        cpu: wc,
        memory: wm,
    } = Weights::from(rates);
    let (days, samples, usage_cost) = scored_days(series, config, window.unwrap_or(0), wc, wm);
    let allowed_over = allowed(c.max_cpu_risk, samples);
    let allowed_oom_days = allowed(c.max_oom_day_share, days.len() as u64) as usize;
    let cpu = cpu_request_cost_at_least(&days, wc, allowed_over);
    let memory = match window {
        None => {
            let mut terms: Vec<f64> = days
                .iter()
                .map(|d| wm * d.memory_peak as f64 * d.seconds)
                .collect();
            terms.sort_by(|a, b| b.total_cmp(a));
            terms.iter().skip(allowed_oom_days).sum()
        }
        Some(_) => family_memory_cost(&days, wm, allowed_oom_days),
    };
    let total = cpu + memory;
    let slack = match total {
        t if t.is_infinite() => 1.0,
        t if t > 0.0 => (1.0 - usage_cost / t).clamp(0.0, 1.0),
        _ => 0.0,
    };
    Bound {
        slack_cost_pooled_at_least: slack,
        pod_days: days.len(),
        samples,
        allowed_cpu_over_samples: allowed_over,
        allowed_oom_days,
        usage_cost,
        cpu_request_cost_at_least: cpu,
        memory_request_cost_at_least: memory,
        base_window_days: window,
        feasible: total.is_finite(),
    }
}

/// ⌊share·count⌋, with a tolerance that only ever allows more.
fn allowed(share: f64, count: u64) -> u64 {
    (share.max(0.0) * count as f64 + 1e-9).floor() as u64
}

/// The pod-days `replay` scores (interval k = [first + k·I, first + (k+1)·I)), the number of
/// their samples and the usage cost U.
fn scored_days(
    series: &[&[UsagePoint]],
    config: &ReplayConfig,
    window: usize,
    wc: f64,
    wm: f64,
) -> (Vec<Day>, u64, f64) {
    let (mut days, mut samples, mut usage_cost) = (Vec::new(), 0, 0.0);
    let window = if window == 0 { usize::MAX } else { window };
    let interval = Duration::hours(config.recompute_hours);
    for (v, points) in series.iter().enumerate() {
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            continue;
        };
        if config.recompute_hours <= 0 {
            break;
        }
        // Memory peak of each interval so far (None when it has no samples).
        let mut peaks: Vec<Option<u64>> = Vec::new();
        let mut k: i32 = 0;
        loop {
            let start = first.at + interval * k;
            if k > 0 && start > last.at {
                break;
            }
            let from = points.partition_point(|p| p.at < start);
            let slice = &points[from..points.partition_point(|p| p.at < start + interval)];
            let peak = slice.iter().map(|p| p.figures.memory_usage.get()).max();
            if k >= 1 && i64::from(k) >= config.warmup_intervals && !slice.is_empty() {
                let lo = peaks.len().saturating_sub(window);
                let mut cpu: Vec<u64> = slice.iter().map(|p| p.figures.cpu_usage.get()).collect();
                cpu.sort_unstable();
                for p in slice {
                    let (u_c, u_m) = (p.figures.cpu_usage.get(), p.figures.memory_usage.get());
                    usage_cost += (wc * u_c as f64 + wm * u_m as f64) * f64::from(p.seconds);
                }
                samples += slice.len() as u64;
                days.push(Day {
                    series: v,
                    seconds: slice.iter().map(|p| f64::from(p.seconds)).sum(),
                    cpu,
                    memory_peak: peak.unwrap_or(0),
                    memory_base: peaks[lo..].iter().flatten().copied().max().unwrap_or(0),
                });
            }
            peaks.push(peak);
            k += 1;
        }
    }
    (days, samples, usage_cost)
}

/// Tc_min as L(λ*) (see the module header), clamped at 0.
fn cpu_request_cost_at_least(days: &[Day], wc: f64, allowed_over: u64) -> f64 {
    // Per day, the candidate (cost, samples over) for R = 0 and each distinct usage value.
    let options: Vec<Vec<(f64, u64)>> = days
        .iter()
        .map(|d| {
            let n = d.cpu.len();
            let mut options = vec![(0.0, d.cpu.iter().filter(|&&u| u > 0).count() as u64)];
            for (i, &u) in d.cpu.iter().enumerate() {
                // R = u (last of its value): the n − 1 − i samples after it are over.
                if u > 0 && d.cpu.get(i + 1) != Some(&u) {
                    options.push((wc * u as f64 * d.seconds, (n - 1 - i) as u64));
                }
            }
            options
        })
        .collect();
    // λ*: buy hull edges (fewer samples over, at a rate per sample) cheapest first until the
    // samples over fit in the cap; λ* is the last rate paid.
    let rate = |a: (f64, u64), b: (f64, u64)| (b.0 - a.0) / (a.1 - b.1) as f64;
    let mut edges: Vec<(f64, u64)> = Vec::new();
    let mut over: u64 = 0;
    for day in &options {
        over += day[0].1;
        let mut hull: Vec<(f64, u64)> = Vec::new();
        for &p in day {
            while let [.., a, b] = hull[..] {
                if rate(a, b) < rate(b, p) {
                    break;
                }
                hull.pop();
            }
            hull.push(p);
        }
        edges.extend(hull.windows(2).map(|e| (rate(e[0], e[1]), e[0].1 - e[1].1)));
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut lambda = 0.0;
    for (price, fewer) in edges {
        if over <= allowed_over {
            break;
        }
        over -= fewer;
        lambda = price;
    }
    let inner: f64 = options
        .iter()
        .map(|day| {
            day.iter()
                .map(|&(cost, over)| cost + lambda * over as f64)
                .fold(f64::INFINITY, f64::min)
        })
        .sum();
    (inner - lambda * allowed_over as f64).max(0.0)
}

/// Tm_min of the peak-multiplier family: per series the cost of allowing j OOM days, then
/// an exact DP over series for the cheapest split of the A allowed OOM days.
fn family_memory_cost(days: &[Day], wm: f64, allowed_oom_days: usize) -> f64 {
    // best[b]: cheapest memory cost of the series so far with at most b OOM days.
    let mut best = vec![0.0; allowed_oom_days + 1];
    for days in days.chunk_by(|a, b| a.series == b.series) {
        let mut needed: Vec<f64> = days
            .iter()
            .map(|d| match (d.memory_peak, d.memory_base) {
                (0, _) => 0.0,
                (_, 0) => f64::INFINITY,
                (peak, base) => peak as f64 / base as f64,
            })
            .collect();
        needed.sort_by(|a, b| b.total_cmp(a));
        let base_cost: f64 = days
            .iter()
            .map(|d| wm * d.memory_base as f64 * d.seconds)
            .sum();
        let cost = |j: usize| match needed.get(j) {
            None => 0.0,
            Some(m) if m.is_infinite() => f64::INFINITY,
            Some(m) => m * base_cost,
        };
        best = (0..=allowed_oom_days)
            .map(|b| {
                (0..=b)
                    .map(|j| best[b - j] + cost(j))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
    }
    best.last().copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::{Metrics, replay, summarize};
    use crate::history::{History, Recommender, Requests};
    use crate::test_series::{diurnal, flat, growing_memory, series, spiky};

    fn caps(max_cpu_risk: f64, max_oom_day_share: f64) -> BoundConstraints {
        BoundConstraints {
            max_cpu_risk,
            max_oom_day_share,
        }
    }

    /// CPU `.0`; memory `.1` if set, else `.2` × the highest usage of the last `.3` days
    /// (0 = all), rounded up.
    struct Rule(u64, Option<u64>, f64, i64);

    impl Recommender for Rule {
        fn name(&self) -> &'static str {
            "rule"
        }
        fn recommend(&self, h: &History<'_>) -> Option<Requests> {
            let since = (self.3 > 0).then(|| h.now - Duration::hours(24 * self.3));
            let recent = h.points.iter().filter(|p| since.is_none_or(|s| p.at >= s));
            let base = recent
                .map(|p| p.figures.memory_usage.get())
                .max()
                .unwrap_or(0);
            let memory_bytes = self.1.unwrap_or((self.2 * base as f64).ceil() as u64);
            Some(Requests {
                cpu_millicores: self.0,
                memory_bytes,
            })
        }
    }

    /// Pooled metrics of one rule per series, after asserting they meet the caps.
    fn measure(data: &[Vec<UsagePoint>], rules: &[Rule]) -> Metrics {
        let config = ReplayConfig::default();
        let days: Vec<_> = data
            .iter()
            .zip(rules)
            .flat_map(|(s, r)| replay(s, r, &config))
            .collect();
        let m = summarize(&days, &ResourceRates::opencost_defaults());
        assert!(m.cpu_risk <= 0.0343 && m.oom_free_pod_days_percent >= 99.5);
        m
    }

    /// (clairvoyant, peak multiplier with `window`).
    fn bounds(data: &[Vec<UsagePoint>], c: BoundConstraints, window: usize) -> (Bound, Bound) {
        let refs: Vec<&[UsagePoint]> = data.iter().map(Vec::as_slice).collect();
        let (config, rates) = (ReplayConfig::default(), ResourceRates::opencost_defaults());
        let family = peak_multiplier_bound(&refs, &config, &rates, &c, window);
        (clairvoyant_bound(&refs, &config, &rates, &c), family)
    }

    /// Diurnal (CPU 100–900, memory 1–1.1 GiB) and spiky (CPU 100, 2000 one sample in 50).
    fn synthetic() -> Vec<Vec<UsagePoint>> {
        vec![
            diurnal(24 * 14, 100, 900, 1 << 30),
            spiky(24 * 14, 100, 2000, 50, 1 << 30),
        ]
    }

    #[test]
    fn flat_usage_with_no_risk_allowed_bounds_at_zero() {
        let data = [flat(24 * 10, 100, 1 << 30)];
        for window in [0, 2] {
            let (clairvoyant, family) = bounds(&data, caps(0.0, 0.0), window);
            assert_eq!((clairvoyant.pod_days, family.allowed_oom_days), (3, 0));
            assert!(clairvoyant.slack_cost_pooled_at_least.abs() < 1e-9);
            assert!(family.slack_cost_pooled_at_least.abs() < 1e-9 && family.feasible);
        }
    }

    #[test]
    fn clairvoyant_bound_is_below_fixed_requests_meeting_the_caps() {
        let mut data = synthetic();
        data.push(series(24 * 14, |i| {
            (300, (1 << 30) + (i as u64 % 288) * 1000)
        }));
        let peak = |s: &Vec<UsagePoint>| s.iter().map(|p| p.figures.memory_usage.get()).max();
        // Spiky CPU at its base runs 2% of its samples over; memory at each series' peak.
        let rules: Vec<Rule> = [900, 100, 300]
            .into_iter()
            .zip(&data)
            .map(|(cpu, s)| Rule(cpu, peak(s), 0.0, 0))
            .collect();
        let m = measure(&data, &rules);
        assert!(m.cpu_risk > 0.0);
        let (clairvoyant, _) = bounds(&data, caps(0.0343, 0.005), 0);
        assert!(clairvoyant.slack_cost_pooled_at_least > 0.05);
        assert!(clairvoyant.slack_cost_pooled_at_least <= m.slack_cost_pooled);
    }

    #[test]
    fn peak_multiplier_bound_is_below_its_family_and_above_clairvoyant() {
        let mut data = synthetic();
        data.push(growing_memory(24 * 14, 300, 1 << 30, 2 << 30));
        for (c, window) in [(1.1, 0), (1.25, 3), (2.0, 1), (1.1, 7)] {
            let rule = |cpu| Rule(cpu, None, c, window as i64);
            let m = measure(&data, &[rule(900), rule(2000), rule(300)]);
            let (clairvoyant, family) = bounds(&data, caps(0.0343, 0.005), window);
            assert!(family.slack_cost_pooled_at_least <= m.slack_cost_pooled);
            // Growing memory needs a multiplier above 1 that every later day pays for.
            assert!(family.slack_cost_pooled_at_least > clairvoyant.slack_cost_pooled_at_least);
        }
    }

    #[test]
    fn a_late_memory_jump_can_be_sacrificed_when_one_oom_day_is_allowed() {
        let data = [series(24 * 30, |i| {
            (100, if i / 288 == 27 { 2 << 30 } else { 1 << 30 })
        })];
        let (_, strict) = bounds(&data, caps(0.0, 0.0), 0);
        let (_, lenient) = bounds(&data, caps(0.0, 0.05), 0);
        let allowed = (strict.allowed_oom_days, lenient.allowed_oom_days);
        assert_eq!((strict.pod_days, allowed), (23, (0, 1)));
        // Sacrificing day 27 lets the multiplier drop from 2 to 1.
        assert!(strict.slack_cost_pooled_at_least > lenient.slack_cost_pooled_at_least + 0.01);
    }

    #[test]
    fn no_samples_bound_nothing() {
        let (none, empty): (&[&[UsagePoint]], &[&[UsagePoint]]) = (&[], &[&[], &[]]);
        let (config, rates) = (ReplayConfig::default(), ResourceRates::opencost_defaults());
        for series in [none, empty] {
            let c = caps(0.0343, 0.005);
            let clairvoyant = clairvoyant_bound(series, &config, &rates, &c);
            let family = peak_multiplier_bound(series, &config, &rates, &c, 0);
            for bound in [clairvoyant, family] {
                assert_eq!((bound.slack_cost_pooled_at_least, bound.pod_days), (0.0, 0));
            }
        }
    }
}
