//! The bench's results as markdown tables, beside the project's targets.

use std::fmt::Write as _;
use std::time::Duration;

use super::baseline::Baseline;
use super::cpu::CpuSpent;
use super::rss::Rss;
use super::stats::Percentiles;

/// Sustained-ingest figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    pub senders: usize,
    pub snapshots: usize,
    pub pods_per_snapshot: usize,
    pub pod_samples: u64,
    pub elapsed: Duration,
    /// Pod-samples/s per tenth of the run (empty below ten snapshots).
    pub tenths: Vec<f64>,
    /// CPU spent by each side during the load and while PostgreSQL settled after it.
    pub cpu: Option<ThroughputCpu>,
    /// The seed's storage timed on the same database in the same run.
    pub baseline: Option<Baseline>,
}

/// CPU accounting of the sustained run (`cpu`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThroughputCpu {
    /// From the first request to the last acknowledgement.
    pub during: CpuSpent,
    /// After it, until PostgreSQL went quiet: the server's rollups catching up.
    pub after: CpuSpent,
    pub settled_after: Duration,
}

/// Everything one bench run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchResults {
    pub url: String,
    /// (pods per snapshot, latencies)
    pub ingest: Vec<(usize, Option<Percentiles>)>,
    pub throughput: Option<Throughput>,
    /// (endpoint, window days, latencies)
    pub queries: Vec<(String, i64, Option<Percentiles>)>,
    pub rss_before: Option<Rss>,
    pub rss_after: Option<Rss>,
    /// Stopped early at `--max-seconds`.
    pub cut_short: bool,
    pub elapsed: Duration,
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn row(p: Option<&Percentiles>) -> String {
    match p {
        Some(p) => format!(
            "{} | {} | {} | {}",
            p.count,
            ms(p.p50),
            ms(p.p95),
            ms(p.p99)
        ),
        None => "0 | – | – | –".to_owned(),
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// CPU milliseconds per thousand rows.
fn per_thousand(seconds: f64, rows: u64) -> f64 {
    seconds * 1000.0 / (rows as f64 / 1000.0).max(1e-9)
}

/// The sustained run's CPU per thousand pod samples, beside bare COPY's per thousand rows.
fn write_cpu(md: &mut String, t: &Throughput, cpu: &ThroughputCpu) -> std::fmt::Result {
    let samples = t.pod_samples;
    let (during, after) = (&cpu.during, &cpu.after);
    let kcost_total = during.total() + after.total();
    writeln!(
        md,
        "\nCPU per 1,000 pod samples (Linux `/proc`): kcost server {:.2} ms, PostgreSQL \
         {:.2} ms during the load and {:.2} ms after it (the rollups catching up, {:.1} s \
         until PostgreSQL went quiet), this bench client {:.2} ms; in all **{:.2} ms**. \
         Busy cores during the load: {:.2}.",
        per_thousand(during.server + after.server, samples),
        per_thousand(during.postgres, samples),
        per_thousand(after.postgres, samples),
        cpu.settled_after.as_secs_f64(),
        per_thousand(during.bench + after.bench, samples),
        per_thousand(kcost_total, samples),
        during.total() / t.elapsed.as_secs_f64().max(1e-9),
    )?;
    if let Some(b) = &t.baseline {
        let copy_total = b.copy_cpu.total();
        let copy_busy = copy_total / b.copy_elapsed.as_secs_f64().max(1e-9);
        let cost = per_thousand(kcost_total, samples) / per_thousand(copy_total, b.rows).max(1e-9);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        writeln!(
            md,
            "Bare COPY per 1,000 rows: PostgreSQL {:.2} ms, its client {:.2} ms; in all \
             **{:.2} ms** (busy cores {copy_busy:.2}). By CPU, a kcost pod sample costs \
             **{cost:.1}×** a bare COPY row, and kcost's rate ÷ COPY's = (kcost's busy cores \
             ÷ COPY's) ÷ {cost:.1}: even with all {cores} cores of this machine busy, at most \
             **{:.2}× bare COPY**.",
            per_thousand(b.copy_cpu.postgres, b.rows),
            per_thousand(b.copy_cpu.bench, b.rows),
            per_thousand(copy_total, b.rows),
            cores as f64 / copy_busy.max(1e-9) / cost.max(1e-9),
        )?;
    }
    Ok(())
}

impl BenchResults {
    /// The report in markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut md);
        md
    }

    fn write(&self, md: &mut String) -> std::fmt::Result {
        writeln!(md, "## kcost bench: {}\n", self.url)?;
        if self.cut_short {
            writeln!(
                md,
                "*Stopped at the time limit: later figures are missing or based on fewer requests.*\n"
            )?;
        }
        writeln!(
            md,
            "### Ingest latency, one snapshot at a time (HTTP in → committed)\n"
        )?;
        writeln!(
            md,
            "| pods per snapshot | snapshots | p50 | p95 | p99 | target |"
        )?;
        writeln!(md, "|---:|---:|---:|---:|---:|---|")?;
        for (pods, p) in &self.ingest {
            let target = if *pods == 5000 { "≤ 60 ms p50" } else { "" };
            writeln!(md, "| {pods} | {} | {target} |", row(p.as_ref()))?;
        }
        if let Some(t) = &self.throughput {
            let rate = t.pod_samples as f64 / t.elapsed.as_secs_f64().max(1e-9);
            writeln!(md, "\n### Sustained ingest\n")?;
            writeln!(
                md,
                "| snapshots × pods | concurrent clusters | wall time | pod-samples/s | target |"
            )?;
            writeln!(md, "|---|---:|---:|---:|---|")?;
            writeln!(
                md,
                "| {} × {} | {} | {:.2} s | {rate:.0} | ≥ 100,000 |",
                t.snapshots,
                t.pods_per_snapshot,
                t.senders,
                t.elapsed.as_secs_f64()
            )?;
            if let (Some(first), Some(last)) = (t.tenths.first(), t.tenths.last()) {
                let list: Vec<String> = t.tenths.iter().map(|r| format!("{r:.0}")).collect();
                writeln!(
                    md,
                    "\nRate by tenth of the run (pod-samples/s): {}; last tenth / first tenth = \
                     {:.2} (target ≥ 0.8).",
                    list.join(", "),
                    last / first.max(1e-9)
                )?;
            }
            if let Some(b) = &t.baseline {
                let copy_rate = b.rows as f64 / b.copy_elapsed.as_secs_f64().max(1e-9);
                writeln!(
                    md,
                    "\nSame run, same database: bare `COPY` of the same {} rows into the seed's \
                     `pod_metrics` table ({} connections, one COPY per snapshot): {:.2} s, \
                     {copy_rate:.0} rows/s; kcost over HTTP = **{:.2}× bare COPY** (target \
                     ≥ 0.3). The seed's namespace SQL over those rows: {}.",
                    b.rows,
                    b.connections,
                    b.copy_elapsed.as_secs_f64(),
                    rate / copy_rate.max(1e-9),
                    b.baseline_namespace_sql
                        .map_or("–".to_owned(), |p| format!("p50 {}", ms(p.p50)))
                )?;
            }
            if let Some(cpu) = &t.cpu {
                write_cpu(md, t, cpu)?;
            }
        }
        writeln!(
            md,
            "\n### Query latency, uncached (every request a different window end)\n"
        )?;
        writeln!(
            md,
            "| endpoint | window | requests | p50 | p95 | p99 | target |"
        )?;
        writeln!(md, "|---|---:|---:|---:|---:|---:|---|")?;
        for (endpoint, days, p) in &self.queries {
            let target = if endpoint.ends_with("/namespaces") && *days == 30 {
                "≤ 25 ms p50 warm (2,000 pods)"
            } else {
                ""
            };
            writeln!(
                md,
                "| `{endpoint}` | {days} d | {} | {target} |",
                row(p.as_ref())
            )?;
        }
        if let Some(after) = &self.rss_after {
            writeln!(md, "\n### Server memory\n")?;
            writeln!(
                md,
                "| RSS at start of bench | RSS at end | peak RSS (VmHWM) | target |"
            )?;
            writeln!(md, "|---:|---:|---:|---|")?;
            writeln!(
                md,
                "| {} | {} | {} | ≤ 40 MB idle, ≤ 200 MB under ingest load |",
                self.rss_before
                    .map_or("–".to_owned(), |r| mib(r.current_kib)),
                mib(after.current_kib),
                mib(after.peak_kib)
            )?;
        }
        writeln!(
            md,
            "\nBench wall time: {:.1} s.",
            self.elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_with_targets() {
        let p = Percentiles::of(&[Duration::from_millis(10), Duration::from_millis(20)]);
        let results = BenchResults {
            url: "http://127.0.0.1:8080".to_owned(),
            ingest: vec![(5000, p), (100, None)],
            throughput: Some(Throughput {
                senders: 2,
                snapshots: 10,
                pods_per_snapshot: 2000,
                pod_samples: 20_000,
                elapsed: Duration::from_secs(2),
                tenths: vec![
                    1000.0, 900.0, 850.0, 800.0, 800.0, 800.0, 800.0, 800.0, 800.0, 800.0,
                ],
                cpu: Some(ThroughputCpu {
                    during: CpuSpent {
                        server: 0.06,
                        postgres: 0.05,
                        bench: 0.01,
                    },
                    after: CpuSpent {
                        server: 0.0,
                        postgres: 0.04,
                        bench: 0.0,
                    },
                    settled_after: Duration::from_millis(1500),
                }),
                baseline: Some(Baseline {
                    rows: 20_000,
                    connections: 2,
                    copy_elapsed: Duration::from_millis(500),
                    copy_cpu: CpuSpent {
                        server: 0.0,
                        postgres: 0.03,
                        bench: 0.01,
                    },
                    baseline_namespace_sql: p,
                }),
            }),
            queries: vec![("/v1/costs/namespaces".to_owned(), 30, p)],
            rss_before: None,
            rss_after: Some(Rss {
                peak_kib: 102_400,
                current_kib: 51_200,
            }),
            cut_short: false,
            elapsed: Duration::from_secs(3),
        };
        let md = results.to_markdown();
        assert!(
            md.contains("| 5000 | 2 | 10.0 ms | 20.0 ms | 20.0 ms | ≤ 60 ms p50 |"),
            "{md}"
        );
        assert!(md.contains("| 100 | 0 | – | – | – |  |"), "{md}");
        assert!(
            md.contains("| 10 × 2000 | 2 | 2.00 s | 10000 | ≥ 100,000 |"),
            "{md}"
        );
        assert!(md.contains("last tenth / first tenth = 0.80"), "{md}");
        assert!(
            md.contains("40000 rows/s; kcost over HTTP = **0.25× bare COPY**"),
            "{md}"
        );
        // 0.16 s of CPU over 20,000 samples; 0.04 s over 20,000 rows: four times.
        assert!(
            md.contains(
                "kcost server 3.00 ms, PostgreSQL 2.50 ms during the load and 2.00 ms after it"
            ),
            "{md}"
        );
        assert!(
            md.contains("in all **8.00 ms**. Busy cores during the load: 0.06."),
            "{md}"
        );
        assert!(md.contains("in all **2.00 ms** (busy cores 0.08)"), "{md}");
        assert!(md.contains("costs **4.0×** a bare COPY row"), "{md}");
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // cores ÷ 0.08 busy ÷ 4.0
        let ceiling = format!(
            "all {cores} cores of this machine busy, at most **{:.2}× bare COPY**",
            cores as f64 / 0.08 / 4.0
        );
        assert!(md.contains(&ceiling), "{md}");
        assert!(md.contains("| `/v1/costs/namespaces` | 30 d | 2 |"), "{md}");
        assert!(md.contains("| – | 50.0 MiB | 100.0 MiB |"), "{md}");
    }
}
