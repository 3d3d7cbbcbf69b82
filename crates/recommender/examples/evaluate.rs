//! Replays a usage trace (the columns of `../shared/traces/README.md`, gzip or plain CSV)
//! through kcost's recommender, VPA's target, KRR `simple` and the seed's rule, and prints
//! the metrics M1–M4 as a Markdown table, or JSON with `--json`.
//!
//! `cargo run --release -p kcost-recommender --example evaluate -- <trace.csv[.gz]> [--json]`

// A command-line tool: printing is its output, and a bad argument ends it with a message.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::process::ExitCode;

use kcost_domain::pricing::ResourceRates;
use kcost_recommender::evaluation::{Metrics, ReplayConfig, parse_trace, replay, summarize};
use kcost_recommender::krr::KrrSimple;
use kcost_recommender::seed_rule::SeedRule;
use kcost_recommender::vpa::VpaTarget;
use kcost_recommender::{KcostRecommender, Recommender};

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
    let algorithms: [&dyn Recommender; 4] = [
        &KcostRecommender::default(),
        &VpaTarget,
        &KrrSimple,
        &SeedRule,
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
    if json {
        let object: serde_json::Map<String, serde_json::Value> = results
            .iter()
            .map(|(name, m)| {
                (
                    (*name).to_owned(),
                    serde_json::to_value(m).unwrap_or_default(),
                )
            })
            .collect();
        println!("{}", serde_json::Value::Object(object));
    } else {
        println!(
            "{} series, {} samples; recompute every {} h, first {} intervals excluded\n",
            series.len(),
            series.iter().map(|s| s.points.len()).sum::<usize>(),
            config.recompute_hours,
            config.warmup_intervals
        );
        print_table(&results);
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
