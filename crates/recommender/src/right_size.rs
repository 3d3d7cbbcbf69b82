//! kcost's right-sizing algorithm: per workload (replicas pooled) a CPU request from a
//! recency-weighted high quantile of usage, a memory request from daily peaks with a margin
//! learned from the workload's own history of surprises, and the guards that make advice
//! safe to apply: thin history gets no advice, usage above request or pressed against a
//! limit gets an increase, frequent restarts never get less memory. See docs/recommender.md.

pub mod cpu;
pub mod memory;
pub mod oom_free_target;
pub mod profile;
mod reason;

use std::collections::BTreeSet;

use kcost_domain::recommendation::Resource;
use rust_decimal::Decimal;

use crate::advice::{Advice, LimitsPolicy, NoAdvice, ResourceAdvice};
use crate::history::{History, Recommender, Requests};
pub use cpu::CpuPolicy;
pub use memory::MemoryPolicy;
pub use oom_free_target::{MalformedTarget, OomFreeLevel, OomFreeTarget, UnreachableTarget};
pub use profile::{RiskProfile, UnknownProfile};

const MIB: u64 = 1 << 20;

/// Every knob of the algorithm; the defaults are the evaluated ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub cpu: CpuPolicy,
    pub memory: MemoryPolicy,
    /// Floors of any recommendation.
    pub min_cpu_millicores: u64,
    pub min_memory_bytes: u64,
    /// Less history than this (distinct hours with samples) gets no advice.
    pub min_history_hours: u64,
    /// Confidence grows linearly with history up to this many hours.
    pub full_confidence_hours: u64,
    /// This many restarts (or OOM kills) in the history mean "restarts often".
    pub frequent_restarts: u32,
    /// CPU usage at or above this fraction of its limit means the limit binds (throttling).
    pub near_limit: f64,
    /// Memory usage at or above this fraction of its limit means the limit binds: the
    /// usage seen is capped by the limit (a kill is near or happened), not by need.
    pub memory_near_limit: f64,
    /// Factor applied to a binding limit.
    pub limit_bump: f64,
}

impl Default for Policy {
    /// The balanced profile.
    fn default() -> Self {
        Self::balanced()
    }
}

impl Policy {
    /// The policy of a risk profile.
    pub fn for_profile(profile: RiskProfile) -> Self {
        profile.policy()
    }

    fn balanced() -> Self {
        Self {
            cpu: CpuPolicy::default(),
            memory: MemoryPolicy::default(),
            min_cpu_millicores: 10,
            min_memory_bytes: 64 * MIB,
            min_history_hours: 24,
            full_confidence_hours: 7 * 24,
            frequent_restarts: 3,
            near_limit: 0.9,
            memory_near_limit: 0.97,
            limit_bump: 1.2,
        }
    }
}

/// kcost's recommender.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KcostRecommender {
    pub policy: Policy,
}

impl KcostRecommender {
    pub fn new(policy: Policy) -> Self {
        Self { policy }
    }

    pub fn for_profile(profile: RiskProfile) -> Self {
        Self::new(Policy::for_profile(profile))
    }

    /// Advice for the pod or workload whose samples `history` holds.
    pub fn advise(&self, history: &History<'_>) -> Result<Advice, NoAdvice> {
        let policy = &self.policy;
        let current = history.current_requests().ok_or(NoAdvice::NoSamples)?;
        let covered_hours = covered_hours(history);
        if covered_hours < policy.min_history_hours {
            return Err(NoAdvice::TooLittleHistory {
                covered_hours,
                required_hours: policy.min_history_hours,
            });
        }
        // OOM kills are answered by the memory estimate's back-off; other restarts (crashes,
        // probes) cut usage short, so the usage seen understates the need.
        let other_restarts = history
            .restarts
            .saturating_sub(u32::try_from(history.ooms.len()).unwrap_or(u32::MAX));
        let restarts_often = other_restarts >= policy.frequent_restarts;
        let cpu_estimate = cpu::estimate(history, &policy.cpu);
        let memory_estimate = memory::estimate(history, &policy.memory);
        let latest = history.points.last().map(|p| p.figures).unwrap_or_default();

        let mut cpu = cpu_estimate.value.max(policy.min_cpu_millicores as f64);
        let cpu_limit = latest.cpu_limit.map(|l| l.get()).filter(|l| *l > 0);
        let cpu_throttled = cpu_limit.is_some() && cpu_estimate.at_limit_fraction >= 0.01;
        if let (true, Some(limit)) = (cpu_throttled, cpu_limit) {
            cpu = cpu.max(limit as f64 * policy.limit_bump);
        }
        let cpu = cpu.ceil() as u64;

        let mut memory = memory_estimate.value.max(policy.min_memory_bytes as f64);
        let memory_at_limit = memory_estimate
            .peak_of_limit
            .is_some_and(|p| p >= policy.memory_near_limit);
        if let (true, Some(limit)) = (memory_at_limit, memory_estimate.pressed_limit) {
            memory = memory.max(limit * policy.limit_bump);
        }
        if restarts_often {
            memory = memory.max(current.memory_bytes as f64);
        }
        // Whole MiB, as the kubectl command writes it, so the money matches the command.
        let memory = (memory.ceil() as u64).div_ceil(MIB) * MIB;

        let facts = reason::Facts {
            history,
            covered_hours,
            cpu: &cpu_estimate,
            memory: &memory_estimate,
            cpu_throttled,
            memory_at_limit,
            restarts_often,
            policy,
        };
        let cpu_advice = ResourceAdvice {
            resource: Resource::Cpu,
            current: current.cpu_millicores,
            recommended: cpu,
            reason: reason::cpu(&facts, current.cpu_millicores, cpu),
        };
        let memory_advice = ResourceAdvice {
            resource: Resource::Memory,
            current: current.memory_bytes,
            recommended: memory,
            reason: reason::memory(&facts, current.memory_bytes, memory),
        };
        let caveats = reason::caveats(&facts);
        Ok(Advice {
            reason: reason::overall(&cpu_advice, &memory_advice, &caveats),
            caveats,
            cpu: cpu_advice,
            memory: memory_advice,
            limits: LimitsPolicy {
                cpu_limit_millicores: None,
                memory_limit_bytes: memory,
            },
            confidence: confidence(policy, covered_hours, restarts_often),
        })
    }
}

impl Recommender for KcostRecommender {
    fn name(&self) -> &'static str {
        "kcost"
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        self.advise(history).ok().map(|advice| advice.requests())
    }
}

/// Distinct clock hours with at least one sample: gaps do not count, and replicas of a
/// workload sampled in the same hour count once.
fn covered_hours(history: &History<'_>) -> u64 {
    let hours: BTreeSet<i64> = history
        .points
        .iter()
        .map(|p| p.at.timestamp().div_euclid(3600))
        .collect();
    hours.len() as u64
}

/// History length over the full-confidence length, halved when the workload restarts often
/// (its usage is cut short by the restarts, so it understates the need); two decimals.
fn confidence(policy: &Policy, covered_hours: u64, restarts_often: bool) -> Decimal {
    let full = Decimal::from(policy.full_confidence_hours.max(1));
    let mut value = (Decimal::from(covered_hours) / full).min(Decimal::ONE);
    if restarts_often {
        value /= Decimal::TWO;
    }
    value.round_dp(2)
}

#[cfg(test)]
mod tests;
