//! Replays a usage trace (the columns of `crates/recommender/data/traces/README.md`, gzip or plain CSV)
//! through kcost's recommender (and `kcost-7d`, the same algorithm at about KRR's OOM
//! risk), VPA's target, KRR `simple` and the seed's rule, and prints the metrics M1–M4 as a
//! Markdown table followed by lower bounds on cost-weighted slack under the risk
//! targets (`evaluation::bounds`); or both as JSON, `{"algorithms": …, "bounds": …}`, with
//! `--json`.
//!
//! `cargo run --release -p kcost-recommender --example evaluate -- <trace.csv[.gz]> [--json]`

// A command-line tool: printing is its output, and a bad argument ends it with a message.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::process::ExitCode;

use kcost_domain::costs::UsagePoint;
use kcost_domain::pricing::ResourceRates;
use kcost_recommender::evaluation::{
    Bound, BoundConstraints, Metrics, ReplayConfig, TraceSeries, clairvoyant_bound, parse_trace,
    peak_multiplier_bound, replay, summarize,
};
use kcost_recommender::krr::KrrSimple;
use kcost_recommender::p95_when_underused::P95WhenUnderused;
use kcost_recommender::right_size::{MemoryPolicy, Policy};
use kcost_recommender::vpa::VpaTarget;
use kcost_recommender::{History, KcostRecommender, Recommender, Requests};

/// kcost with another memory policy, under its own column name: the same algorithm at a
/// higher risk appetite, to compare with an anchor at (about) that anchor's OOM risk.
struct Variant {
    name: &'static str,
    recommender: KcostRecommender,
}

impl Variant {
    fn new(name: &'static str, memory: MemoryPolicy) -> Self {
        let policy = Policy {
            memory,
            ..Policy::default()
        };
        Self {
            name,
            recommender: KcostRecommender::new(policy),
        }
    }
}

impl Recommender for Variant {
    fn name(&self) -> &'static str {
        self.name
    }

    fn recommend(&self, history: &History<'_>) -> Option<Requests> {
        self.recommender.recommend(history)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: evaluate <trace.csv[.gz]> [--json]");
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
    // At about KRR's OOM risk: no gap kept, a 20% margin floor, daily peaks of one week.
    let kcost_7d = Variant::new(
        "kcost-7d",
        MemoryPolicy {
            window_days: 7,
            min_margin: 0.2,
            gap_retention: 0.0,
            ..MemoryPolicy::default()
        },
    );
    let algorithms: [&dyn Recommender; 5] = [
        &KcostRecommender::default(),
        &kcost_7d,
        &VpaTarget::default(),
        &KrrSimple::default(),
        &P95WhenUnderused,
    ];
    let results: Vec<(&str, Metrics)> = algorithms
        .iter()
        .map(|algorithm| {
            let days: Vec<_> = series
                .iter()
                .flat_map(|s| replay(&s.points, *algorithm, &config))
                .collect();
            (algorithm.name(), summarize(&days, &rates))
        })
        .collect();
    let bounds = Bounds::compute(&series, &config, &rates, &results);
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
        let object = serde_json::json!({ "algorithms": algorithms, "bounds": bounds.to_json() });
        println!("{object}");
    } else {
        println!(
            "{} series, {} samples; recompute every {} h, first {} intervals excluded\n",
            series.len(),
            series.iter().map(|s| s.points.len()).sum::<usize>(),
            config.recompute_hours,
            config.warmup_intervals
        );
        print_table(&results);
        bounds.print();
    }
    ExitCode::SUCCESS
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
