//! Human reasons: what the numbers came from, in words a developer can check against their
//! own dashboards.

use super::Policy;
use super::cpu::CpuEstimate;
use super::memory::MemoryEstimate;
use crate::advice::ResourceAdvice;
use crate::history::History;

/// Everything a reason may mention.
pub(super) struct Facts<'a> {
    pub history: &'a History<'a>,
    pub covered_hours: u64,
    pub cpu: &'a CpuEstimate,
    pub memory: &'a MemoryEstimate,
    pub cpu_throttled: bool,
    pub memory_at_limit: bool,
    pub restarts_often: bool,
    pub policy: &'a Policy,
}

fn mib(bytes: f64) -> u64 {
    (bytes / (1u64 << 20) as f64).ceil() as u64
}

fn direction(current: u64, recommended: u64) -> &'static str {
    match recommended.cmp(&current) {
        std::cmp::Ordering::Greater => "raise",
        std::cmp::Ordering::Less => "lower",
        std::cmp::Ordering::Equal => "keep",
    }
}

pub(super) fn cpu(facts: &Facts<'_>, current: u64, recommended: u64) -> String {
    let mut text = format!(
        "{} CPU request {}m → {}m: covers {:.1}% of usage over the last {} days (recent days weigh more), the point past which covering rarer bursts costs more idle CPU than it saves throttling",
        direction(current, recommended),
        current,
        recommended,
        facts.cpu.covered_share * 100.0,
        facts.policy.cpu.window_hours / 24,
    );
    if recommended > current {
        text.push_str("; usage exceeds the request, so the pod runs on borrowed CPU and is throttled first under contention");
    }
    if facts.cpu_throttled {
        text.push_str(&format!(
            "; usage presses against the CPU limit ({:.1}% of samples at ≥90%), so true demand is higher than measured: raised to the limit × {}",
            facts.cpu.at_limit_fraction * 100.0,
            facts.policy.limit_bump
        ));
    }
    if recommended == facts.policy.min_cpu_millicores && current > recommended {
        text.push_str(&format!(" (floor {}m)", facts.policy.min_cpu_millicores));
    }
    text
}

pub(super) fn memory(facts: &Facts<'_>, current: u64, recommended: u64) -> String {
    let m = facts.memory;
    let mut text = format!(
        "{} memory request {}Mi → {}Mi: highest daily peak {}Mi over the last {} days, plus a {:.0}% margin",
        direction(current, recommended),
        mib(current as f64),
        mib(recommended as f64),
        mib(m.peak),
        facts.policy.memory.window_days,
        m.margin * 100.0,
    );
    let cushion = facts
        .policy
        .memory
        .cushion_bytes
        .min(facts.policy.memory.cushion_max_ratio * m.peak);
    if m.margin * m.peak <= cushion && cushion > facts.policy.memory.min_margin * m.peak {
        text.push_str(&format!(" (the {}Mi every workload gets)", mib(cushion)));
    } else if m.margin > facts.policy.memory.min_margin {
        text.push_str(" learned from how far its daily peaks have jumped before");
    }
    if m.trend_per_day > 0.0 {
        text.push_str(&format!(" and {}Mi/day of growth", mib(m.trend_per_day)));
    }
    if m.recent_ooms > 0 {
        text.push_str(&format!(
            "; {} OOM kill(s) in the window: the usage seen is capped by the limit, so at least {}Mi ({}× the limit it was killed at)",
            m.recent_ooms,
            mib(m.after_kill),
            facts.policy.memory.oom_growth
        ));
    }
    if recommended > current {
        text.push_str("; usage has exceeded the request: the pod risks eviction or OOM kills");
    }
    if facts.memory_at_limit {
        text.push_str(&format!(
            "; usage reached {:.0}% of the memory limit, so it is capped by the limit rather than by need: raised to the limit × {}",
            m.peak_of_limit.unwrap_or(0.0) * 100.0,
            facts.policy.limit_bump
        ));
    }
    if facts.restarts_often {
        text.push_str("; not lowered because the pod restarts often");
    }
    text
}

pub(super) fn caveats(facts: &Facts<'_>) -> Vec<String> {
    let mut caveats = Vec::new();
    if facts.covered_hours < facts.policy.full_confidence_hours {
        caveats.push(format!(
            "only {:.1} days of history: confidence is reduced",
            facts.covered_hours as f64 / 24.0
        ));
    }
    if facts.restarts_often {
        caveats.push(format!(
            "{} restarts in the window: usage is cut short by them, so confidence is halved",
            facts.history.restarts
        ));
    }
    caveats
}

pub(super) fn overall(cpu: &ResourceAdvice, memory: &ResourceAdvice, caveats: &[String]) -> String {
    let mut parts = vec![cpu.reason.as_str(), memory.reason.as_str()];
    parts.extend(caveats.iter().map(String::as_str));
    format!("{}.", parts.join(". "))
}
