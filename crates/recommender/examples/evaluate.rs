//! Replays a usage trace (the columns of `crates/recommender/data/traces/README.md`, gzip or
//! plain CSV) closed loop through kcost's recommender (its three risk profiles; `kcost` is
//! the default, balanced), VPA's target, KRR `simple` and the seed's rule, and prints the
//! metrics M1–M4 as a Markdown table followed by lower bounds on cost-weighted slack
//! (`evaluation::bounds`). With `--sweep` it also replays VPA, KRR and kcost over a grid of
//! their own knobs, checks that every VPA or KRR point at ≥ 95% OOM-free pod-days is
//! dominated by a kcost point (`evaluation::frontier`), and writes the frontier as an SVG
//! (`docs/recommender-frontier.svg`, or `--svg <path>`). With `--json` the last line is one
//! JSON object: `{"algorithms": …, "bounds": …, "sweep": […], "dominance": …}`.
//!
//! `cargo run --release -p kcost-recommender --example evaluate -- <trace.csv[.gz]> [--json] [--sweep] [--svg <path>]`

// A command-line tool: printing is its output, and a bad argument ends it with a message.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use kcost_domain::costs::UsagePoint;
use kcost_domain::pricing::ResourceRates;
use kcost_recommender::evaluation::{
    Bound, BoundConstraints, Dominance, Metrics, ReplayConfig, SweepPoint, TraceSeries,
    clairvoyant_bound, frontier_svg, parse_trace, peak_multiplier_bound, replay, summarize,
};
use kcost_recommender::krr::KrrSimple;
use kcost_recommender::p95_when_underused::P95WhenUnderused;
use kcost_recommender::right_size::{MemoryPolicy, Policy};
use kcost_recommender::vpa::VpaTarget;
use kcost_recommender::{History, KcostRecommender, Recommender, Requests, RiskProfile};

/// kcost under its own column name.
struct Named {
    name: &'static str,
    recommender: KcostRecommender,
}

impl Recommender for Named {
    fn name(&self) -> &'static str {
        self.name
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        self.recommender.recommend(history)
    }
}

/// The grid each algorithm is swept over (the ranges for VPA and KRR).
const VPA_TARGET_PERCENTILES: [f64; 4] = [0.8, 0.85, 0.9, 0.95];
const VPA_SAFETY_MARGINS: [f64; 4] = [0.0, 0.1, 0.2, 0.3];
const KRR_CPU_PERCENTILES: [f64; 3] = [0.9, 0.95, 0.99];
const KRR_MEMORY_BUFFERS: [f64; 4] = [0.0, 0.15, 0.3, 0.5];
/// kcost's CPU knobs: idle millicore-samples worth one sample above the request, and the
/// highest quantile of usage the request may cover (P99 unless said otherwise).
const KCOST_CPU: [(f64, f64); 14] = [
    (300.0, 0.99),
    (600.0, 0.99),
    (1000.0, 0.99),
    (1500.0, 0.99),
    (2000.0, 0.99),
    (3000.0, 0.99),
    (4000.0, 0.99),
    (6000.0, 0.99),
    (8000.0, 0.99),
    (12000.0, 0.99),
    (16000.0, 0.99),
    (32000.0, 0.99),
    (32000.0, 0.995),
    (64000.0, 0.999),
];

/// kcost's memory settings swept, from the most to the least risk: (window days, learning
/// days, weight of older peaks, cushion MiB, cushion cap × peak, margin floor). The fifth
/// is the aggressive profile's, the twelfth the balanced one's, the last the conservative
/// one's.
const KCOST_MEMORY: [(usize, usize, f64, f64, f64, f64); 13] = [
    (2, 14, 0.5, 256.0, 4.0, 0.05),
    (3, 14, 0.3, 256.0, 4.0, 0.05),
    (3, 14, 0.5, 256.0, 4.0, 0.05),
    (3, 14, 0.5, 384.0, 4.0, 0.05),
    (3, 14, 0.5, 512.0, 4.0, 0.05),
    (3, 14, 0.5, 768.0, 4.0, 0.05),
    (3, 28, 0.5, 1024.0, 4.0, 0.05),
    (7, 14, 0.5, 1024.0, 4.0, 0.05),
    (7, 28, 0.6, 1536.0, 4.0, 0.05),
    (14, 14, 0.0, 2048.0, 4.0, 0.1),
    (28, 28, 0.0, 2048.0, 4.0, 0.1),
    (28, 28, 0.0, 4096.0, 4.0, 0.1),
    (28, 28, 0.0, 8192.0, 8.0, 0.2),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let sweep = args.iter().any(|a| a == "--sweep");
    let svg_at = args.iter().position(|a| a == "--svg");
    let svg_path = match svg_at.map(|i| args.get(i + 1)) {
        Some(Some(path)) => PathBuf::from(path),
        Some(None) => {
            eprintln!("--svg needs a path");
            return ExitCode::from(2);
        }
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/recommender-frontier.svg")
        }
    };
    let Some(path) = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && svg_at.is_none_or(|s| *i != s + 1))
        .map(|(_, a)| a)
    else {
        eprintln!("usage: evaluate <trace.csv[.gz]> [--json] [--sweep] [--svg <path>]");
        return ExitCode::from(2);
    };
    let text = match read_trace(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let series = match parse_trace(&text) {
        Ok(series) => series,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let config = ReplayConfig::default();
    let rates = ResourceRates::opencost_defaults();
    let profile = |name, profile| Named {
        name,
        recommender: KcostRecommender::for_profile(profile),
    };
    let (conservative, aggressive) = (
        profile("kcost-conservative", RiskProfile::Conservative),
        profile("kcost-aggressive", RiskProfile::Aggressive),
    );
    let (vpa, krr) = (VpaTarget::default(), KrrSimple::default());
    let algorithms: [&dyn Recommender; 6] = [
        &KcostRecommender::default(),
        &conservative,
        &aggressive,
        &vpa,
        &krr,
        &P95WhenUnderused,
    ];
    let results: Vec<(&str, Metrics)> = algorithms
        .iter()
        .map(|algorithm| {
            (
                algorithm.name(),
                measure(&series, *algorithm, &config, &rates),
            )
        })
        .collect();
    let bounds = Bounds::compute(&series, &config, &rates, &results);
    let frontier = sweep.then(|| Frontier::compute(&series, &config, &rates));
    if let Some(frontier) = &frontier {
        let title = format!(
            "Closed-loop frontier on {} ({} series)",
            std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned()),
            series.len()
        );
        let svg = frontier_svg(&frontier.points, 0.94, &title);
        if let Err(error) = std::fs::write(&svg_path, svg) {
            eprintln!("cannot write {}: {error}", svg_path.display());
            return ExitCode::FAILURE;
        }
    }
    if json {
        let algorithms: serde_json::Map<String, serde_json::Value> = results
            .iter()
            .map(|(name, m)| {
                (
                    (*name).to_owned(),
                    serde_json::to_value(m).unwrap_or_default(),
                )
            })
            .collect();
        let mut object =
            serde_json::json!({ "algorithms": algorithms, "bounds": bounds.to_json() });
        if let (Some(frontier), Some(map)) = (&frontier, object.as_object_mut()) {
            map.insert(
                "sweep".to_owned(),
                serde_json::to_value(&frontier.points).unwrap_or_default(),
            );
            map.insert("dominance".to_owned(), frontier.dominance_json());
        }
        println!("{object}");
    } else {
        println!(
            "{} series, {} samples; closed loop, recompute every {} h, first {} intervals excluded\n",
            series.len(),
            series.iter().map(|s| s.points.len()).sum::<usize>(),
            config.recompute_hours,
            config.warmup_intervals
        );
        print_table(&results);
        bounds.print();
        if let Some(frontier) = &frontier {
            frontier.print();
            println!("\nFrontier written to {}.", svg_path.display());
        }
    }
    ExitCode::SUCCESS
}

/// Replays every series under `algorithm` and scores the pod-days together.
fn measure(
    series: &[TraceSeries],
    algorithm: &dyn Recommender,
    config: &ReplayConfig,
    rates: &ResourceRates,
) -> Metrics {
    let days: Vec<_> = series
        .iter()
        .flat_map(|s| replay(&s.points, algorithm, config))
        .collect();
    summarize(&days, rates)
}

/// Every algorithm over its knobs, and the dominance check.
struct Frontier {
    points: Vec<SweepPoint>,
    dominance: Dominance,
}

impl Frontier {
    fn compute(series: &[TraceSeries], config: &ReplayConfig, rates: &ResourceRates) -> Self {
        let mut points = Vec::new();
        for target_percentile in VPA_TARGET_PERCENTILES {
            for safety_margin in VPA_SAFETY_MARGINS {
                let vpa = VpaTarget {
                    target_percentile,
                    safety_margin,
                };
                let params = [
                    ("target_percentile", target_percentile),
                    ("safety_margin", safety_margin),
                ];
                let metrics = measure(series, &vpa, config, rates);
                points.push(SweepPoint::new("vpa", &params, &metrics));
            }
        }
        for cpu_percentile in KRR_CPU_PERCENTILES {
            for memory_buffer in KRR_MEMORY_BUFFERS {
                let krr = KrrSimple {
                    cpu_percentile,
                    memory_buffer,
                };
                let params = [
                    ("cpu_percentile", cpu_percentile),
                    ("memory_buffer", memory_buffer),
                ];
                let metrics = measure(series, &krr, config, rates);
                points.push(SweepPoint::new("krr", &params, &metrics));
            }
        }
        let base = Policy::default();
        for (window, learning, older, cushion_mib, cushion_cap, min_margin) in KCOST_MEMORY {
            for (price, max_quantile) in KCOST_CPU {
                let mut policy = base;
                policy.cpu.overrun_price = price;
                policy.cpu.max_quantile = max_quantile;
                policy.memory = MemoryPolicy {
                    window_days: window,
                    learning_days: learning,
                    older_peak_weight: older,
                    cushion_bytes: cushion_mib * f64::from(1u32 << 20),
                    cushion_max_ratio: cushion_cap,
                    min_margin,
                    ..base.memory
                };
                let params = [
                    ("cpu_overrun_price", price),
                    ("cpu_max_quantile", max_quantile),
                    ("memory_window_days", window as f64),
                    ("memory_learning_days", learning as f64),
                    ("memory_older_peak_weight", older),
                    ("memory_cushion_mib", cushion_mib),
                    ("memory_cushion_max_ratio", cushion_cap),
                    ("memory_min_margin", min_margin),
                ];
                let metrics = measure(series, &KcostRecommender::new(policy), config, rates);
                points.push(SweepPoint::new("kcost", &params, &metrics));
            }
        }
        Self {
            points,
            dominance: Dominance::default(),
        }
    }

    fn dominance_json(&self) -> serde_json::Value {
        let checks = self.dominance.check(&self.points, "kcost");
        let goal_met = checks.iter().all(|(_, by)| by.is_some());
        let checks: Vec<serde_json::Value> = checks
            .iter()
            .map(|(anchor, by)| serde_json::json!({ "anchor": anchor, "dominated_by": by }))
            .collect();
        serde_json::json!({
            "min_oom_free": self.dominance.min_oom_free,
            "cpu_risk_tolerance": self.dominance.cpu_risk_tolerance,
            "slack_gap": self.dominance.slack_gap,
            "goal_met": goal_met,
            "checks": checks,
        })
    }

    fn print(&self) {
        let pct = |v: f64| format!("{:.2}%", v * 100.0);
        println!(
            "\nSweep (closed loop): OOM-free pod-days, CPU risk, cost-weighted pooled slack\n"
        );
        println!("| algorithm | knobs | OOM-free | CPU risk | slack |");
        println!("|---|---|---:|---:|---:|");
        for p in &self.points {
            println!(
                "| {} | {} | {} | {} | {} |",
                p.algorithm,
                p.params_label(),
                pct(p.oom_free_pod_days),
                pct(p.cpu_risk),
                pct(p.slack)
            );
        }
        let checks = self.dominance.check(&self.points, "kcost");
        println!(
            "\nEvery VPA/KRR point with ≥ {:.0}% OOM-free pod-days against the leanest kcost point at least as safe (OOM-free ≥, CPU risk ≤ +{:.1} point) with slack ≥ {:.0} points lower:\n",
            self.dominance.min_oom_free * 100.0,
            self.dominance.cpu_risk_tolerance * 100.0,
            self.dominance.slack_gap * 100.0
        );
        println!(
            "| anchor | knobs | OOM-free | CPU risk | slack | kcost knobs | OOM-free | CPU risk | slack | slack gap |"
        );
        println!("|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
        for (anchor, by) in &checks {
            let kcost = by.map_or_else(
                || "**none** | | | | ".to_owned(),
                |k| {
                    format!(
                        "{} | {} | {} | {} | {:.1} points",
                        k.params_label(),
                        pct(k.oom_free_pod_days),
                        pct(k.cpu_risk),
                        pct(k.slack),
                        (anchor.slack - k.slack) * 100.0
                    )
                },
            );
            println!(
                "| {} | {} | {} | {} | {} | {kcost} |",
                anchor.algorithm,
                anchor.params_label(),
                pct(anchor.oom_free_pod_days),
                pct(anchor.cpu_risk),
                pct(anchor.slack)
            );
        }
        let met = checks.iter().all(|(_, by)| by.is_some());
        println!(
            "\nGoal {}: {} of {} anchors dominated.",
            if met { "met" } else { "NOT met" },
            checks.iter().filter(|(_, by)| by.is_some()).count(),
            checks.len()
        );
    }
}

fn read_trace(path: &str) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice()).read_to_string(&mut text)?;
        Ok(text)
    } else {
        String::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// A table row: its label and how to show one algorithm's value.
type Row<'a> = (&'a str, &'a dyn Fn(&Metrics) -> String);

fn print_table(results: &[(&str, Metrics)]) {
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    let rows: [Row<'_>; 13] = [
        ("pod-days scored", &|m| m.pod_days.to_string()),
        ("M1 slack, cost-weighted, pooled", &|m| {
            pct(m.slack_cost_pooled)
        }),
        ("M1 slack, cost-weighted, median pod-day", &|m| {
            pct(m.slack_cost_median_pod_day)
        }),
        ("M1 slack, CPU, pooled", &|m| pct(m.slack_cpu_pooled)),
        ("M1 slack, CPU, median pod-day", &|m| {
            pct(m.slack_cpu_median_pod_day)
        }),
        ("M1 slack, memory, pooled", &|m| pct(m.slack_memory_pooled)),
        ("M1 slack, memory, median pod-day", &|m| {
            pct(m.slack_memory_median_pod_day)
        }),
        ("M2 CPU risk (samples over)", &|m| {
            format!("{:.2}%", m.cpu_risk * 100.0)
        }),
        ("M3 OOM events per pod-day", &|m| {
            format!("{:.4}", m.oom_events_per_pod_day)
        }),
        ("M3 OOM-free pod-days", &|m| {
            format!("{:.2}%", m.oom_free_pod_days_percent)
        }),
        ("M4 changes per pod-day, median", &|m| {
            format!("{:.2}", m.changes_per_pod_day_median)
        }),
        ("M4 changes per pod-day, p99", &|m| {
            format!("{:.2}", m.changes_per_pod_day_p99)
        }),
        ("recommended cost / original requests", &|m| {
            pct(m.cost_vs_original_requests)
        }),
    ];
    let header: Vec<&str> = results.iter().map(|(name, _)| *name).collect();
    println!("| metric | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(results.len()));
    for (label, cell) in &rows {
        let cells: Vec<String> = results.iter().map(|(_, m)| cell(m)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
}

/// Base windows (days; 0 = whole history) of the peak-multiplier family that are bounded.
const BASE_WINDOWS: [usize; 5] = [1, 3, 7, 14, 0];

/// How low cost-weighted slack can go under the risk targets: CPU risk no higher
/// than VPA's, at least 99.5% OOM-free pod-days (see `evaluation::bounds`).
struct Bounds {
    constraints: BoundConstraints,
    /// The slack target: 20% below the better of VPA and KRR.
    target: Option<f64>,
    clairvoyant: Bound,
    peak_multiplier: Vec<Bound>,
}

impl Bounds {
    fn compute(
        series: &[TraceSeries],
        config: &ReplayConfig,
        rates: &ResourceRates,
        results: &[(&str, Metrics)],
    ) -> Self {
        let metric = |name: &str| results.iter().find(|(n, _)| *n == name).map(|(_, m)| *m);
        let vpa = metric("vpa");
        let constraints = BoundConstraints {
            max_cpu_risk: vpa.map_or(0.0, |m| m.cpu_risk),
            max_oom_day_share: 0.005,
        };
        let target = [vpa, metric("krr-simple")]
            .into_iter()
            .flatten()
            .map(|m| m.slack_cost_pooled)
            .reduce(f64::min)
            .map(|best| 0.8 * best);
        let points: Vec<&[UsagePoint]> = series.iter().map(|s| s.points.as_slice()).collect();
        Self {
            constraints,
            target,
            clairvoyant: clairvoyant_bound(&points, config, rates, &constraints),
            peak_multiplier: BASE_WINDOWS
                .iter()
                .map(|w| peak_multiplier_bound(&points, config, rates, &constraints, *w))
                .collect(),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "max_cpu_risk": self.constraints.max_cpu_risk,
            "max_oom_day_share": self.constraints.max_oom_day_share,
            "target_slack_cost_pooled": self.target,
            "clairvoyant": self.clairvoyant,
            "peak_multiplier": self.peak_multiplier,
        })
    }

    fn print(&self) {
        let pct = |v: f64| format!("{:.1}%", v * 100.0);
        println!(
            "\nLower bounds on cost-weighted pooled slack with CPU risk ≤ {:.2}% (VPA's) and ≤ {} OOM pod-days of {} (≥ {:.1}% OOM-free):\n",
            self.constraints.max_cpu_risk * 100.0,
            self.clairvoyant.allowed_oom_days,
            self.clairvoyant.pod_days,
            100.0 * (1.0 - self.constraints.max_oom_day_share),
        );
        println!("| algorithms covered | slack at least |");
        println!("|---|---:|");
        println!(
            "| any, even one that knows each day's usage in advance | {} |",
            pct(self.clairvoyant.slack_cost_pooled_at_least)
        );
        for bound in &self.peak_multiplier {
            let window = match bound.base_window_days {
                Some(0) | None => "all earlier days".to_owned(),
                Some(1) => "the last day".to_owned(),
                Some(days) => format!("the last {days} days"),
            };
            println!(
                "| memory = one per-workload factor, tuned in hindsight, × the highest daily peak of {window} | {} |",
                pct(bound.slack_cost_pooled_at_least)
            );
        }
        if let Some(target) = self.target {
            println!(
                "\nThe issue's target (20% below the better of VPA and KRR): ≤ {}.",
                pct(target)
            );
        }
    }
}
