//! Edge cases of kcost'"'"'s algorithm on synthetic series, and its invariants as properties.

use kcost_domain::costs::UsagePoint;
use kcost_domain::quantity::{Bytes, Millicores};
use proptest::prelude::*;

use super::*;
use crate::history::OomEvent;
use crate::test_series::{
    CPU_REQUEST, MEMORY_REQUEST, PER_HOUR, diurnal, flat, growing_memory, series, spiky,
};

fn advise(points: &[UsagePoint]) -> Result<Advice, NoAdvice> {
    advise_with(points, &[], 0)
}

fn advise_with(
    points: &[UsagePoint],
    ooms: &[OomEvent],
    restarts: u32,
) -> Result<Advice, NoAdvice> {
    let now = points.last().map(|p| p.at).unwrap_or_default() + chrono::Duration::minutes(5);
    KcostRecommender::default().advise(&History {
        points,
        ooms,
        restarts,
        now,
    })
}

#[test]
fn flat_usage_is_sized_close_to_it_with_full_confidence() {
    let advice = advise(&flat(24 * 8, 200, 8 << 30)).unwrap();
    assert_eq!(advice.cpu.recommended, 200);
    // 8 GiB + the 4 GiB cushion (more than the 10% margin floor).
    assert_eq!(advice.memory.recommended, 12 << 30);
    assert!(
        advice
            .memory
            .reason
            .contains("the 4096Mi every workload gets")
    );
    assert_eq!(advice.confidence, Decimal::ONE);
    assert_eq!(advice.limits.cpu_limit_millicores, None);
    assert_eq!(advice.limits.memory_limit_bytes, advice.memory.recommended);
    assert!(
        advice
            .cpu
            .reason
            .starts_with("lower CPU request 1000m → 200m")
    );
    assert!(advice.caveats.is_empty());
}

#[test]
fn the_cushion_is_capped_for_small_workloads() {
    // 100 MiB: the cushion is at most 4 × the peak, so 500 MiB in all.
    let advice = advise(&flat(24 * 8, 20, 100 << 20)).unwrap();
    assert_eq!(advice.memory.recommended, 500 << 20);
}

#[test]
fn diurnal_usage_is_covered_up_to_its_daily_high() {
    let advice = advise(&diurnal(24 * 8, 50, 800, 1 << 30)).unwrap();
    assert!(advice.cpu.recommended >= 700, "{:?}", advice.cpu);
    assert!(advice.cpu.recommended <= 800);
    // Memory follows the daily peak (+10% of base), with the margin on top.
    assert!(advice.memory.recommended as f64 >= 1.1 * (1u64 << 30) as f64);
}

#[test]
fn rare_cpu_spikes_are_not_paid_for_but_frequent_ones_are() {
    // 1 sample in 50 bursts to 900 m: covering 2% of samples would idle 800 m all day.
    let rare = advise(&spiky(24 * 8, 100, 900, 50, 1 << 30)).unwrap();
    assert!(rare.cpu.recommended < 200, "{:?}", rare.cpu);
    // 1 sample in 4: above the 80% quantile floor, so covered.
    let frequent = advise(&spiky(24 * 8, 100, 900, 4, 1 << 30)).unwrap();
    assert_eq!(frequent.cpu.recommended, 900);
}

#[test]
fn growing_memory_is_extrapolated_beyond_its_last_peak() {
    let points = growing_memory(24 * 8, 100, 1 << 30, 2 << 30);
    let advice = advise(&points).unwrap();
    let last_peak = (2u64 << 30) as f64;
    assert!(
        advice.memory.recommended as f64 > last_peak * 1.3,
        "{:?}",
        advice.memory
    );
    assert!(advice.memory.reason.contains("Mi/day of growth"));
}

#[test]
fn usage_above_request_gets_an_increase() {
    let points = flat(24 * 8, 1500, 6 << 30);
    let advice = advise(&points).unwrap();
    assert!(advice.cpu.is_increase() && advice.memory.is_increase());
    assert!(advice.cpu.recommended >= 1500);
    assert!(advice.memory.recommended > 6 << 30);
    assert!(advice.cpu.reason.starts_with("raise"));
    assert!(advice.memory.reason.contains("exceeded the request"));
}

#[test]
fn tiny_history_gets_no_advice_and_says_why() {
    assert_eq!(advise(&[]), Err(NoAdvice::NoSamples));
    let err = advise(&flat(6, 100, 1 << 30)).unwrap_err();
    assert_eq!(
        err,
        NoAdvice::TooLittleHistory {
            covered_hours: 6,
            required_hours: 24
        }
    );
    assert!(err.to_string().contains("only 6 h of usage history"));
    // Two days: advice, with reduced confidence and a caveat.
    let advice = advise(&flat(48, 100, 1 << 30)).unwrap();
    assert!(advice.confidence < Decimal::new(5, 1));
    assert!(advice.reason.contains("confidence is reduced"));
}

#[test]
fn memory_pressed_against_its_limit_is_raised_above_the_limit() {
    let limit = 1u64 << 30;
    let mut points = flat(24 * 8, 100, (0.98 * limit as f64) as u64);
    for p in &mut points {
        p.figures.memory_limit = Some(Bytes::new(limit));
    }
    let advice = advise(&points).unwrap();
    assert!(advice.memory.recommended as f64 >= 1.2 * limit as f64);
    assert!(advice.memory.reason.contains("memory limit"));
}

#[test]
fn cpu_throttled_at_its_limit_is_raised_above_the_limit() {
    let mut points = flat(24 * 8, 500, 1 << 30);
    for p in &mut points {
        p.figures.cpu_limit = Some(Millicores::new(500));
    }
    let advice = advise(&points).unwrap();
    assert_eq!(advice.cpu.recommended, 600);
    assert!(advice.cpu.reason.contains("CPU limit"));
}

#[test]
fn frequent_restarts_never_lower_memory_and_halve_confidence() {
    // 512 MiB used: the need (2.5 GiB with the capped cushion) is below the 4 GiB request.
    let points = flat(24 * 8, 100, 512 << 20);
    let advice = advise_with(&points, &[], 5).unwrap();
    assert_eq!(advice.memory.recommended, MEMORY_REQUEST);
    assert_eq!(advice.confidence, Decimal::new(5, 1));
    assert!(advice.reason.contains("restarts"));
    // CPU is still right-sized.
    assert!(advice.cpu.recommended < CPU_REQUEST);
}

#[test]
fn an_oom_kill_backs_off_from_the_limit_it_was_killed_at_until_it_leaves_the_window() {
    // 6 GiB used; killed at a 7 GiB limit: the usage seen is capped, so at least 14 GiB.
    let points = flat(24 * 32, 100, 6 << 30);
    let killed = |hours_ago: usize| OomEvent {
        at: points[points.len() - 1 - hours_ago * PER_HOUR].at,
        memory_request_bytes: 7 << 30,
    };
    let calm = advise(&points).unwrap().memory.recommended;
    assert_eq!(calm, 10 << 30);
    let recent = advise_with(&points, &[killed(1)], 1).unwrap();
    assert_eq!(recent.memory.recommended, 14 << 30);
    assert!(recent.memory.reason.contains("1 OOM kill(s) in the window"));
    // An OOM kill is not a crash: no restart caveat.
    assert!(recent.caveats.is_empty());
    // Out of the 28-day window, the kill no longer counts.
    let old = advise_with(&points, &[killed(29 * 24)], 1).unwrap();
    assert_eq!(old.memory.recommended, calm);
}

#[test]
fn memory_advice_does_not_depend_on_the_request_in_force() {
    // Closed loop: applied advice becomes the request; it must not feed back into the need.
    let points = flat(24 * 8, 100, 3 << 30);
    let advice = advise(&points).unwrap();
    for request in [1u64 << 30, 5 << 30, 64 << 30] {
        let applied = with_memory_request(&points, request);
        let again = advise(&applied).unwrap();
        assert_eq!(again.memory.recommended, advice.memory.recommended);
    }
}

#[test]
fn profiles_order_their_requests() {
    let points = diurnal(24 * 10, 50, 900, 2 << 30);
    let at = |profile| {
        KcostRecommender::for_profile(profile)
            .advise(&History {
                points: &points,
                ooms: &[],
                restarts: 0,
                now: points.last().map(|p| p.at).unwrap_or_default(),
            })
            .unwrap()
            .requests()
    };
    let (c, b, a) = (
        at(RiskProfile::Conservative),
        at(RiskProfile::Balanced),
        at(RiskProfile::Aggressive),
    );
    assert!(c.memory_bytes > b.memory_bytes && b.memory_bytes > a.memory_bytes);
    assert!(c.cpu_millicores >= b.cpu_millicores && b.cpu_millicores >= a.cpu_millicores);
    assert_eq!(
        KcostRecommender::default(),
        KcostRecommender::for_profile(RiskProfile::Balanced)
    );
    assert_eq!("Aggressive".parse(), Ok(RiskProfile::Aggressive));
    assert!("reckless".parse::<RiskProfile>().is_err());
}

/// `points` with the memory request set to `request`, as if advice had been applied.
fn with_memory_request(points: &[UsagePoint], request: u64) -> Vec<UsagePoint> {
    let mut points = points.to_vec();
    for p in &mut points {
        p.figures.memory_request = Bytes::new(request);
    }
    points
}

#[test]
fn the_limit_pressed_is_bumped_once_not_at_every_recompute() {
    // Usage sat at 99% of a 4 GiB limit a week ago; a later 20 GiB limit was never pressed.
    let mut points = flat(24 * 8, 100, 3 << 30);
    let split = points.len() / 2;
    for (i, p) in points.iter_mut().enumerate() {
        let limit: u64 = if i < split { 4 << 30 } else { 20 << 30 };
        if i == 10 {
            p.figures.memory_usage = Bytes::new(limit / 100 * 99);
        }
        p.figures.memory_limit = Some(Bytes::new(limit));
    }
    let advice = advise(&points).unwrap();
    // 4 GiB × 1.2, not 20 GiB × 1.2.
    assert!(advice.memory.recommended as f64 >= 4.8 * (1u64 << 30) as f64);
    assert!(advice.memory.recommended < 10 << 30, "{:?}", advice.memory);
}

#[test]
fn a_daily_surprise_teaches_a_larger_margin() {
    // Memory is 4 GiB, but one day it peaked at 5 GiB.
    let points = series(24 * 8, |i| {
        let day = i / (24 * PER_HOUR);
        (
            100,
            if day == 3 && i % 100 == 0 {
                5 << 30
            } else {
                4 << 30
            },
        )
    });
    let policy = Policy {
        memory: MemoryPolicy {
            cushion_bytes: 0.0,
            max_margin: 0.5,
            ..MemoryPolicy::default()
        },
        ..Policy::default()
    };
    let now = points.last().map(|p| p.at).unwrap_or_default();
    let history = History {
        points: &points,
        ooms: &[],
        restarts: 0,
        now,
    };
    let advice = KcostRecommender::new(policy).advise(&history).unwrap();
    // Peak 5 GiB plus the 1 GiB jump it once made (within the 50% cap).
    assert_eq!(advice.memory.recommended, 6 << 30);
    assert!(advice.memory.reason.contains("learned"));
}

fn arbitrary_series() -> impl Strategy<Value = Vec<UsagePoint>> {
    prop::collection::vec((0u64..4000, 0u64..(8 << 30)), 24 * 2..24 * 4).prop_map(|hourly| {
        // One sample per 5 minutes, usage changing every hour.
        let mut points = Vec::new();
        for (hour, (cpu, memory)) in hourly.iter().enumerate() {
            for step in 0..PER_HOUR {
                points.push(crate::test_series::point(
                    hour * PER_HOUR + step,
                    *cpu,
                    *memory,
                ));
            }
        }
        points
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn recommendations_never_fall_below_the_minimums(points in arbitrary_series()) {
        let advice = advise(&points).unwrap();
        let policy = Policy::default();
        prop_assert!(advice.cpu.recommended >= policy.min_cpu_millicores);
        prop_assert!(advice.memory.recommended >= policy.min_memory_bytes);
        prop_assert!(advice.memory.recommended.is_multiple_of(MIB));
        prop_assert!(advice.confidence >= Decimal::ZERO && advice.confidence <= Decimal::ONE);
    }

    #[test]
    fn more_usage_never_gets_smaller_requests(
        points in arbitrary_series(),
        extra_cpu in 0u64..2000,
        extra_memory in 0u64..(2 << 30),
    ) {
        let before = advise(&points).unwrap();
        let busier: Vec<UsagePoint> = points
            .iter()
            .map(|p| {
                let mut p = *p;
                p.figures.cpu_usage = Millicores::new(p.figures.cpu_usage.get() + extra_cpu);
                p.figures.memory_usage = Bytes::new(p.figures.memory_usage.get() + extra_memory);
                p
            })
            .collect();
        let after = advise(&busier).unwrap();
        prop_assert!(after.cpu.recommended >= before.cpu.recommended);
        prop_assert!(after.memory.recommended >= before.memory.recommended);
    }

    #[test]
    fn a_safer_profile_never_recommends_less(points in arbitrary_series()) {
        let now = points.last().map(|p| p.at).unwrap_or_default();
        let history = History { points: &points, ooms: &[], restarts: 0, now };
        let requests: Vec<Requests> = RiskProfile::ALL
            .iter()
            .map(|p| KcostRecommender::for_profile(*p).recommend(&history).unwrap())
            .collect();
        for pair in requests.windows(2) {
            prop_assert!(pair[0].cpu_millicores >= pair[1].cpu_millicores);
            prop_assert!(pair[0].memory_bytes >= pair[1].memory_bytes);
        }
    }

    #[test]
    fn the_same_history_always_gets_the_same_advice(points in arbitrary_series()) {
        prop_assert_eq!(advise(&points).unwrap(), advise(&points).unwrap());
    }
}
