//! The evaluation as a frontier: each algorithm replayed at several settings of its own
//! knobs gives points (OOM-free pod-days, CPU risk, cost-weighted slack), and the issue's
//! goal is checked point by point: every VPA or KRR point safe enough to matter must be
//! dominated by some kcost point — at least as many OOM-free pod-days, CPU risk at most a
//! tolerance higher, and slack lower by at least a required gap.

use std::collections::BTreeMap;

use serde::Serialize;

use super::metrics::Metrics;

/// One algorithm at one setting of its knobs, scored closed loop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// `kcost`, `vpa` or `krr`.
    pub algorithm: String,
    /// The knobs and their values, by name.
    pub params: BTreeMap<String, f64>,
    /// Share of scored pod-days without an OOM, 0–1.
    pub oom_free_pod_days: f64,
    /// Share of scored samples with CPU usage above the CPU request, 0–1.
    pub cpu_risk: f64,
    /// Cost-weighted pooled slack (M1), 0–1.
    pub slack: f64,
}

impl SweepPoint {
    pub fn new(algorithm: &str, params: &[(&str, f64)], metrics: &Metrics) -> Self {
        Self {
            algorithm: algorithm.to_owned(),
            params: params.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            oom_free_pod_days: metrics.oom_free_pod_days_percent / 100.0,
            cpu_risk: metrics.cpu_risk,
            slack: metrics.slack_cost_pooled,
        }
    }

    /// `name=value` pairs, for tables.
    pub fn params_label(&self) -> String {
        let pairs: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join(", ")
    }
}

/// What "dominates" means (the goal, all shares 0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dominance {
    /// Anchor points less safe than this (OOM-free pod-days) need not be dominated.
    pub min_oom_free: f64,
    /// The challenger's CPU risk may exceed the anchor's by at most this.
    pub cpu_risk_tolerance: f64,
    /// The challenger's slack must be lower by at least this.
    pub slack_gap: f64,
}

impl Default for Dominance {
    /// ≥ 95% OOM-free anchors; CPU risk ≤ +0.1 point; slack at least 2 points lower.
    fn default() -> Self {
        Self {
            min_oom_free: 0.95,
            cpu_risk_tolerance: 0.001,
            slack_gap: 0.02,
        }
    }
}

impl Dominance {
    /// `challenger` is at least as safe as `anchor` and wastes enough less.
    pub fn dominates(&self, challenger: &SweepPoint, anchor: &SweepPoint) -> bool {
        challenger.oom_free_pod_days >= anchor.oom_free_pod_days
            && challenger.cpu_risk <= anchor.cpu_risk + self.cpu_risk_tolerance
            && challenger.slack <= anchor.slack - self.slack_gap
    }

    /// Every anchor (a point not of `algorithm`) at or above `min_oom_free`, with the
    /// `algorithm` point that dominates it at the lowest slack, if any.
    pub fn check<'a>(
        &self,
        points: &'a [SweepPoint],
        algorithm: &str,
    ) -> Vec<(&'a SweepPoint, Option<&'a SweepPoint>)> {
        let challengers: Vec<&SweepPoint> =
            points.iter().filter(|p| p.algorithm == algorithm).collect();
        points
            .iter()
            .filter(|p| p.algorithm != algorithm && p.oom_free_pod_days >= self.min_oom_free)
            .map(|anchor| {
                let best = challengers
                    .iter()
                    .filter(|c| self.dominates(c, anchor))
                    .min_by(|a, b| a.slack.total_cmp(&b.slack))
                    .copied();
                (anchor, best)
            })
            .collect()
    }
}

/// The points of `algorithm` no other point of it beats on all three axes at once (more
/// OOM-free pod-days or equal, CPU risk and slack no higher, one strictly better), by slack.
pub fn pareto_front<'a>(points: &'a [SweepPoint], algorithm: &str) -> Vec<&'a SweepPoint> {
    let own: Vec<&SweepPoint> = points.iter().filter(|p| p.algorithm == algorithm).collect();
    let beats = |a: &SweepPoint, b: &SweepPoint| {
        a.oom_free_pod_days >= b.oom_free_pod_days
            && a.cpu_risk <= b.cpu_risk
            && a.slack <= b.slack
            && (a.oom_free_pod_days > b.oom_free_pod_days
                || a.cpu_risk < b.cpu_risk
                || a.slack < b.slack)
    };
    let mut front: Vec<&SweepPoint> = own
        .iter()
        .filter(|p| !own.iter().any(|q| beats(q, p)))
        .copied()
        .collect();
    front.sort_by(|a, b| a.slack.total_cmp(&b.slack));
    front
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(algorithm: &str, oom_free: f64, cpu_risk: f64, slack: f64) -> SweepPoint {
        SweepPoint {
            algorithm: algorithm.to_owned(),
            params: BTreeMap::new(),
            oom_free_pod_days: oom_free,
            cpu_risk,
            slack,
        }
    }

    #[test]
    fn dominance_needs_every_condition_at_once() {
        let d = Dominance::default();
        let anchor = point("vpa", 0.97, 0.03, 0.60);
        // Safer, same CPU risk, 2 points less slack: dominates (boundaries included).
        assert!(d.dominates(&point("kcost", 0.97, 0.03, 0.58), &anchor));
        assert!(d.dominates(&point("kcost", 0.99, 0.031, 0.50), &anchor));
        // Less safe by a hair.
        assert!(!d.dominates(&point("kcost", 0.9699, 0.03, 0.50), &anchor));
        // CPU risk more than 0.1 point higher.
        assert!(!d.dominates(&point("kcost", 0.99, 0.0312, 0.50), &anchor));
        // Slack only 1.9 points lower.
        assert!(!d.dominates(&point("kcost", 0.99, 0.03, 0.581), &anchor));
    }

    #[test]
    fn the_check_covers_safe_anchors_only_and_picks_the_leanest_dominating_point() {
        let points = vec![
            point("vpa", 0.90, 0.03, 0.40),
            point("vpa", 0.96, 0.03, 0.60),
            point("krr", 0.99, 0.01, 0.70),
            point("kcost", 0.97, 0.02, 0.55),
            point("kcost", 0.98, 0.03, 0.50),
            point("kcost", 0.995, 0.02, 0.69),
        ];
        let check = Dominance::default().check(&points, "kcost");
        assert_eq!(check.len(), 2, "the 90% VPA point is below the bar");
        assert_eq!(check[0].1.map(|p| p.slack), Some(0.50));
        // KRR at 1% CPU risk is beaten by no kcost point: the safe one risks 2% of CPU.
        assert_eq!(check[1].0.algorithm, "krr");
        assert!(check[1].1.is_none());
    }

    #[test]
    fn the_pareto_front_drops_points_beaten_on_every_axis() {
        let points = vec![
            point("kcost", 0.97, 0.02, 0.55),
            point("kcost", 0.96, 0.03, 0.56),
            point("kcost", 0.99, 0.02, 0.60),
            point("vpa", 1.0, 0.0, 0.1),
        ];
        let front: Vec<f64> = pareto_front(&points, "kcost")
            .iter()
            .map(|p| p.slack)
            .collect();
        assert_eq!(front, vec![0.55, 0.60]);
    }

    fn arbitrary_points() -> impl proptest::strategy::Strategy<Value = Vec<SweepPoint>> {
        use proptest::prelude::*;
        let algorithm = prop_oneof![Just("kcost"), Just("vpa"), Just("krr")];
        prop::collection::vec((algorithm, 0.9..1.0f64, 0.0..0.1f64, 0.3..0.9f64), 1..40).prop_map(
            |points| {
                points
                    .into_iter()
                    .map(|(a, o, c, s)| point(a, o, c, s))
                    .collect()
            },
        )
    }

    proptest::proptest! {
        #[test]
        fn checks_and_fronts_are_consistent(points in arbitrary_points()) {
            let d = Dominance::default();
            for (anchor, by) in d.check(&points, "kcost") {
                proptest::prop_assert!(anchor.algorithm != "kcost");
                proptest::prop_assert!(anchor.oom_free_pod_days >= d.min_oom_free);
                match by {
                    Some(k) => {
                        proptest::prop_assert!(k.algorithm == "kcost" && d.dominates(k, anchor));
                        // The leanest: no dominating kcost point has less slack.
                        let leaner = points.iter().any(|p| {
                            p.algorithm == "kcost" && d.dominates(p, anchor) && p.slack < k.slack
                        });
                        proptest::prop_assert!(!leaner);
                    }
                    None => {
                        let any = points
                            .iter()
                            .any(|p| p.algorithm == "kcost" && d.dominates(p, anchor));
                        proptest::prop_assert!(!any);
                    }
                }
            }
            let front = pareto_front(&points, "kcost");
            for p in &front {
                let beaten = points.iter().any(|q| {
                    q.algorithm == "kcost"
                        && q.oom_free_pod_days >= p.oom_free_pod_days
                        && q.cpu_risk <= p.cpu_risk
                        && q.slack < p.slack
                });
                proptest::prop_assert!(!beaten);
            }
            proptest::prop_assert!(front.windows(2).all(|w| w[0].slack <= w[1].slack));
        }
    }
}
