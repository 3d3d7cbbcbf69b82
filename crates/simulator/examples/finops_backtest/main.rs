//! Backtests kcost's FinOps analytics (`kcost-analytics`) on the simulator's data, offline:
//! no server, no database. Simulates a few clusters for twelve weeks (a snapshot every ten
//! minutes), prices every snapshot with the domain cost engine as ingest does, and
//! aggregates the cost per namespace and per cluster by hour and by day. Then:
//! - forecasts: a rolling-origin backtest of `forecast_daily` at 7 and 30 days against the
//!   naive baselines (last value, last week), with WAPE, MAPE, the error of the horizon's
//!   total and the prediction intervals' coverage;
//! - anomalies: the false-alarm rate on the steady simulation and the detection rate of
//!   injected spikes and drops, hourly and daily.
//!
//! Prints Markdown (the tables in docs/benchmarks.md).
//!
//! `cargo run --release -p kcost-simulator --example finops_backtest`

// A command-line tool: printing is its output.
#![allow(clippy::print_stdout)]

mod anomaly_backtest;
mod costs;
mod forecast_backtest;
mod metrics;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use kcost_analytics::anomaly::Granularity;
use kcost_analytics::forecast::INTERVAL_LEVEL;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use anomaly_backtest::{detection, false_alarms};
use costs::HourlyCosts;
use forecast_backtest::{KCOST, LAST_VALUE, LAST_WEEK, backtest};

const CLUSTERS: usize = 3;
const DEFAULT_SEED: u64 = 1;
const DEFAULT_WEEKS: u32 = 12;
const STEP_SECONDS: u32 = 600;
const HORIZONS: [usize; 2] = [7, 30];
/// The growth applied to the usage-driven series for the trend test.
const WEEKLY_GROWTH: f64 = 0.03;
const INJECTED_FACTORS: [f64; 6] = [3.0, 2.0, 1.5, 1.3, 0.5, 0.0];

/// A Monday at midnight UTC.
fn start() -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2026, 9, 7, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("no such start time"))
}

/// `--seed N` and `--weeks N`, both optional.
fn arguments() -> anyhow::Result<(u64, u32)> {
    let (mut seed, mut weeks) = (DEFAULT_SEED, DEFAULT_WEEKS);
    let mut arguments = std::env::args().skip(1);
    while let Some(flag) = arguments.next() {
        let value = arguments
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seed" => seed = value.parse()?,
            "--weeks" if value.parse::<u32>()? >= 4 => weeks = value.parse()?,
            _ => anyhow::bail!("usage: finops_backtest [--seed N] [--weeks N (at least 4)]"),
        }
    }
    Ok((seed, weeks))
}

fn main() -> anyhow::Result<()> {
    let (seed, weeks) = arguments()?;
    let started = Instant::now();
    let start = start()?;
    let costs = costs::simulate(CLUSTERS, seed, start, weeks * 7, STEP_SECONDS)?;
    println!(
        "Simulated {CLUSTERS} clusters × {weeks} weeks (seed {seed}), a snapshot every {STEP_SECONDS} s, priced in {:.1} s.\n",
        started.elapsed().as_secs_f64()
    );
    let namespaces = HourlyCosts::daily(&costs.namespaces);
    let clusters = HourlyCosts::daily(&costs.clusters);
    let usage = HourlyCosts::daily(&costs.usage_namespaces);
    let growing = with_growth(&usage, WEEKLY_GROWTH);
    print_variability("namespace", &namespaces);
    print_variability("cluster", &clusters);
    print_variability("namespace, usage-driven", &usage);

    for (label, daily) in [
        ("namespaces (kcost's allocation)", &namespaces),
        ("cluster totals", &clusters),
        ("namespaces, usage-driven", &usage),
        ("namespaces, usage-driven, growing 3 % a week", &growing),
    ] {
        println!("\n### Forecasts: {label} ({} series)\n", daily.len());
        println!(
            "| horizon | kcost method at origin | forecasts | forecaster | WAPE % | MAPE % | horizon-total error % | {:.0} % interval coverage |",
            INTERVAL_LEVEL * 100.0
        );
        println!("|---|---|---|---|---|---|---|---|");
        let mut timings = Vec::new();
        for horizon in HORIZONS {
            let timer = Instant::now();
            let tallies = backtest(daily, start.date_naive(), horizon);
            let forecasts: usize = tallies
                .iter()
                .filter(|((_, forecaster), _)| *forecaster == KCOST)
                .map(|(_, tally)| tally.forecasts)
                .sum();
            timings.push(format!(
                "{horizon} d: {forecasts} forecasts (and the baselines') in {:.2} s, {:.0} µs each",
                timer.elapsed().as_secs_f64(),
                timer.elapsed().as_secs_f64() * 1e6 / forecasts.max(1) as f64
            ));
            let methods: Vec<&str> = tallies.keys().map(|(method, _)| *method).collect();
            let mut methods = methods;
            methods.dedup();
            for method in methods {
                for forecaster in [KCOST, LAST_WEEK, LAST_VALUE] {
                    let Some(tally) = tallies.get(&(method, forecaster)) else {
                        continue;
                    };
                    println!(
                        "| {horizon} d | {method} | {} | {forecaster} | {:.2} | {:.2} | {:.2} | {} |",
                        tally.forecasts,
                        tally.wape(),
                        tally.mape(),
                        tally.total_wape(),
                        tally
                            .coverage()
                            .map_or("–".to_owned(), |c| format!("{c:.1}")),
                    );
                }
            }
        }
        println!("\n{}", timings.join("; "));
    }

    println!("\n### Anomalies: false alarms on the steady simulation\n");
    println!(
        "| series | granularity | windows (group-days) | buckets judged | alarms | alarm rate per bucket | group-days with an alarm |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (label, hourly, daily) in [
        ("namespaces", &costs.namespaces, &namespaces),
        ("cluster totals", &costs.clusters, &clusters),
        ("namespaces, usage-driven", &costs.usage_namespaces, &usage),
    ] {
        for (granularity, series) in [(Granularity::Hourly, hourly), (Granularity::Daily, daily)] {
            let tally = false_alarms(series, start, granularity);
            println!(
                "| {label} | {granularity:?} | {} | {} | {} | {:.3} % | {:.2} % |",
                tally.windows,
                tally.buckets,
                tally.alarms,
                percent(tally.alarms, tally.buckets),
                percent(tally.windows_with_alarms, tally.windows),
            );
        }
    }

    println!("\n### Anomalies: injected changes (one bucket per group-day)\n");
    println!(
        "| series | granularity | cost × | injected | found (right bucket and direction) | above both floors: injected | found | alarms elsewhere |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, granularity, series) in [
        ("namespaces", Granularity::Hourly, &costs.namespaces),
        ("namespaces", Granularity::Daily, &namespaces),
        ("usage-driven", Granularity::Hourly, &costs.usage_namespaces),
        ("usage-driven", Granularity::Daily, &usage),
    ] {
        for factor in INJECTED_FACTORS {
            let tally = detection(series, start, granularity, factor);
            println!(
                "| {label} | {granularity:?} | {factor} | {} | {:.1} % | {} | {:.1} % | {} |",
                tally.injected,
                percent(tally.found, tally.injected),
                tally.injected_above_floors,
                percent(tally.found_above_floors, tally.injected_above_floors),
                tally.other_alarms,
            );
        }
    }
    println!("\nTotal run time {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// How much the daily costs move: the mean day, and the coefficient of variation of the
/// days (σ / mean), for the smallest, median and largest group.
fn print_variability(label: &str, daily: &BTreeMap<String, Vec<Decimal>>) {
    let mut rows: Vec<(String, f64, f64)> = daily
        .iter()
        .map(|(group, days)| {
            let values: Vec<f64> = days.iter().map(|day| day.to_f64().unwrap_or(0.0)).collect();
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            let variance =
                values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len().max(1) as f64;
            let variation = if mean > 0.0 {
                variance.sqrt() / mean
            } else {
                0.0
            };
            (group.clone(), mean, variation)
        })
        .collect();
    rows.sort_by(|a, b| a.2.total_cmp(&b.2));
    println!(
        "Daily cost per {label} ({} series), by coefficient of variation:\n",
        rows.len()
    );
    println!("| {label} | mean $/day | day-to-day σ / mean |");
    println!("|---|---|---|");
    for (group, mean, variation) in &rows {
        println!("| {group} | {mean:.2} | {:.1} % |", variation * 100.0);
    }
    println!();
}

/// `daily` with day `d` multiplied by `1 + weekly × d / 7`: a steady linear growth.
fn with_growth(
    daily: &BTreeMap<String, Vec<Decimal>>,
    weekly: f64,
) -> BTreeMap<String, Vec<Decimal>> {
    daily
        .iter()
        .map(|(group, days)| {
            let grown = days
                .iter()
                .enumerate()
                .map(|(day, cost)| {
                    let factor =
                        Decimal::from_f64(1.0 + weekly * day as f64 / 7.0).unwrap_or(Decimal::ONE);
                    (*cost * factor).round_dp(10)
                })
                .collect();
            (group.clone(), grown)
        })
        .collect()
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}
