//! Edge cases of kcost'"'"'s algorithm on synthetic series, and its invariants as properties.

use kcost_domain::costs::UsagePoint;
use kcost_domain::quantity::{Bytes, Millicores};
use proptest::prelude::*;

use super::*;
use crate::history::OomEvent;
use crate::test_series::{
    CPU_REQUEST, MEMORY_REQUEST, PER_HOUR, diurnal, flat, growing_memory, series, spiky,
};

const MIB_F: f64 = MIB as f64;

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
    let advice = advise(&flat(24 * 8, 200, 1 << 30)).unwrap();
    assert_eq!(advice.cpu.recommended, 200);
    // 1 GiB + 10% margin, plus 40% of the gap from there to the 4 GiB request.
    let memory = advice.memory.recommended as f64 / (1u64 << 30) as f64;
    assert!((2.26..2.261).contains(&memory), "{memory}");
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
    let mut points = flat(24 * 8, 100, (0.97 * limit as f64) as u64);
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
    let points = flat(24 * 8, 100, 1 << 30);
    let advice = advise_with(&points, &[], 5).unwrap();
    assert_eq!(advice.memory.recommended, MEMORY_REQUEST);
    assert_eq!(advice.confidence, Decimal::new(5, 1));
    assert!(advice.reason.contains("restarts"));
    // CPU is still right-sized.
    assert!(advice.cpu.recommended < CPU_REQUEST);
}

#[test]
fn an_oom_kill_widens_the_memory_margin() {
    let points = flat(24 * 8, 100, 1 << 30);
    let calm = advise(&points).unwrap().memory.recommended;
    let ooms = [OomEvent {
        at: points[points.len() - 10].at,
        memory_request_bytes: 1 << 30,
    }];
    let after_oom = advise_with(&points, &ooms, 1).unwrap().memory.recommended;
    // 10% of the peak more margin, of which the gap retention gives back 40%.
    let policy = MemoryPolicy::default();
    let widened = policy.margin_per_oom * (1.0 - policy.gap_retention) * (1u64 << 30) as f64;
    assert!(after_oom as f64 >= calm as f64 + widened - MIB_F);
    assert!(after_oom > calm);
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
fn part_of_the_gap_to_the_current_request_is_kept_and_closed_step_by_step() {
    let points = flat(24 * 8, 100, 1 << 30);
    let learned = 1.1 * (1u64 << 30) as f64;
    let mut request = MEMORY_REQUEST;
    let mut steps = Vec::new();
    for _ in 0..4 {
        let advice = advise(&with_memory_request(&points, request)).unwrap();
        let expected = learned + 0.4 * (request as f64 - learned);
        let recommended = advice.memory.recommended as f64;
        assert!(
            (expected..expected + MIB_F).contains(&recommended),
            "{recommended} vs {expected}"
        );
        assert!(advice.memory.reason.contains("of the remaining gap"));
        steps.push(advice.memory.recommended);
        request = advice.memory.recommended;
    }
    // Each apply-and-ask closes 60% of what is left, never going below the learned need.
    assert!(steps.windows(2).all(|w| w[1] < w[0]), "{steps:?}");
    assert!(steps.iter().all(|s| *s as f64 >= learned));
}

#[test]
fn no_gap_is_kept_when_the_learned_need_reaches_the_request() {
    let points = with_memory_request(&flat(24 * 8, 100, 1 << 30), 1 << 30);
    let advice = advise(&points).unwrap();
    // The need (1.1 GiB) is above the 1 GiB request: an increase, with nothing retained.
    assert_eq!(advice.memory.recommended, 1127 * MIB);
    assert!(!advice.memory.reason.contains("remaining gap"));
}

#[test]
fn a_daily_surprise_teaches_a_larger_margin() {
    // Memory is 1 GiB, but one day it peaked at 1.8 GiB.
    let points = series(24 * 8, |i| {
        let day = i / (24 * PER_HOUR);
        (
            100,
            if day == 3 && i % 100 == 0 {
                1843 << 20
            } else {
                1 << 30
            },
        )
    });
    let advice = advise(&points).unwrap();
    // Peak 1.8 GiB plus the 0.8 GiB jump it once made (within the 50% cap: 0.9 GiB).
    assert!(advice.memory.recommended as f64 >= (1843.0 + 800.0) * MIB_F);
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
    fn the_same_history_always_gets_the_same_advice(points in arbitrary_series()) {
        prop_assert_eq!(advise(&points).unwrap(), advise(&points).unwrap());
    }
}
