//! A corpus-driven fuzzer for the parsers that read untrusted input: the ingest payload
//! (JSON parsing, validation and pricing), window expressions with `start_time`/`end_time`,
//! and the query filters (cluster names, label keys and values, trend intervals,
//! recommendation statuses). Nothing may panic: a panic is a 500, and an agent retries a
//! 5xx forever.
//!
//! Each target starts from its corpus in `tests/fuzz-corpus/<target>/` (kept in the
//! repository and replayed on every run) and mutates entries: bit flips, inserted and
//! deleted bytes, spliced tokens that parsers care about. An input whose outcome shows a
//! feature not seen before (a new kind of field error, parse error or success) is new
//! behaviour; with `KCOST_FUZZ_CORPUS_OUT` set it is written there, to be reviewed and
//! added to the corpus. A panicking input is written to `target/fuzz-findings/` and fails
//! the run, with the seed to replay it.
//!
//! `cargo test` runs a fixed number of mutations with a fixed seed (bounded, repeatable);
//! CI also runs the ignored test for `KCOST_FUZZ_SECONDS` seconds with a fresh seed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kcost_agent_contract::AgentPayload;
use kcost_domain::catalog::Catalog;
use kcost_domain::cluster::ClusterName;
use kcost_domain::cost_engine::{DurationBasis, SampleDuration, price_snapshot};
use kcost_domain::costs::TrendInterval;
use kcost_domain::kubernetes_names::{label_key_problem, label_value_problem};
use kcost_domain::pricing::{PriceBook, ResourceRates};
use kcost_domain::recommendation::RecommendationStatus;
use kcost_domain::sample_limits::check_amounts;
use kcost_domain::snapshot::{InvalidSnapshot, SnapshotRules};
use kcost_domain::window::TimeWindow;

/// The built-in catalog, parsed once rather than for every input.
static CATALOG: std::sync::LazyLock<Catalog> =
    std::sync::LazyLock::new(|| Catalog::builtin().unwrap());

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
}

/// A parser under fuzzing: takes bytes, returns the shape of its outcome.
struct Target {
    name: &'static str,
    run: fn(&[u8]) -> String,
}

const TARGETS: [Target; 3] = [
    Target {
        name: "ingest",
        run: ingest,
    },
    Target {
        name: "window",
        run: window,
    },
    Target {
        name: "filter",
        run: filter,
    },
];

/// Digits and quoted values removed, so that outcomes differing only in numbers or
/// echoed input share a shape.
fn shape(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(160));
    let mut quoted = false;
    for c in text.chars().take(400) {
        match c {
            '"' | '`' => {
                quoted = !quoted;
                out.push('"');
            }
            _ if quoted => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The kinds of field errors: each path without its indices and the message up to the
/// first echoed value, sorted and deduplicated.
fn error_shapes(invalid: &InvalidSnapshot) -> String {
    let mut kinds: Vec<String> = invalid
        .errors
        .iter()
        .map(|error| {
            let message = error.message.split(['"', '`', '{']).next().unwrap_or("");
            format!("{}={}", shape(&error.path), shape(message))
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds.join(";")
}

fn ingest(bytes: &[u8]) -> String {
    let payload: AgentPayload = match serde_json::from_slice(bytes) {
        Ok(payload) => payload,
        Err(error) => return format!("json:{:?}", error.classify()),
    };
    let rules = SnapshotRules {
        retention_days: 400,
        ..SnapshotRules::default()
    };
    let snapshot = match payload.into_draft().validate(now(), &rules) {
        Ok(snapshot) => snapshot,
        Err(invalid) => return format!("invalid:{}", error_shapes(&invalid)),
    };
    let book = PriceBook::new(&[], &CATALOG, ResourceRates::opencost_defaults());
    let duration = SampleDuration {
        seconds: 600,
        basis: DurationBasis::Declared,
    };
    let pods = snapshot.pods().len().min(2);
    let nodes = snapshot.nodes().len().min(2);
    let priced = price_snapshot(snapshot, &book, duration);
    match check_amounts(&priced.totals()) {
        Ok(()) => format!("priced:{pods}:{nodes}"),
        Err(invalid) => format!("beyond:{}", error_shapes(&invalid)),
    }
}

/// The name of an error's variant in its `Debug` form: what kind of failure, not which
/// input caused it.
fn variant(debug: &str) -> String {
    debug
        .split(['(', '{', ' '])
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn window(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut parts = text.splitn(3, '\n');
    let (expr, start, end) = (parts.next(), parts.next(), parts.next());
    let outcome = |result: Result<TimeWindow, _>| match result {
        Ok(_) => "ok".to_owned(),
        Err(error) => variant(&format!("{error:?}")),
    };
    format!(
        "{}|{}",
        outcome(TimeWindow::parse(expr.unwrap_or(""), now())),
        outcome(TimeWindow::from_query(expr, start, end, now()))
    )
}

fn filter(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let problem = |p: Option<String>| p.map(|p| shape(p.split(['"', ':']).next().unwrap_or("")));
    let cluster = ClusterName::new(text.as_ref()).map_err(|e| variant(&format!("{e:?}")));
    let key = problem(label_key_problem(&text));
    let value = problem(label_value_problem("k", &text));
    let interval = text.parse::<TrendInterval>().is_ok();
    let status = text.parse::<RecommendationStatus>().is_ok();
    format!(
        "{:?}|{key:?}|{value:?}|{interval}|{status}",
        cluster.map(drop)
    )
}

/// SplitMix64: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// Tokens the parsers branch on.
const TOKENS: [&str; 24] = [
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "-",
    "0",
    "1.5",
    "1e309",
    "9223372036854775808",
    "\\u0000",
    "\u{0}",
    "/",
    ".",
    " ",
    "T",
    "Z",
    "d",
    "h",
    "w",
    "\n",
];

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, u8::try_from(rng.below(256)).unwrap_or(0)),
            2 if !data.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            4 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(64)).min(data.len());
                let copy = data[start..end].to_vec();
                data.splice(at..at, copy);
            }
            _ => {
                let i = rng.below(data.len().max(1));
                if let Some(byte) = data.get_mut(i) {
                    *byte = b"09-.,\"{}"[rng.below(8)];
                }
            }
        }
    }
    data
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(target)
}

fn load_corpus(target: &str) -> Vec<Vec<u8>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .unwrap_or_else(|e| panic!("corpus of {target}: {e}"))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect()
}

/// Runs `input`; on a panic, keeps it in `target/fuzz-findings/` and fails naming it.
fn run_one(target: &Target, input: &[u8], seed: u64) -> String {
    match catch_unwind(AssertUnwindSafe(|| (target.run)(input))) {
        Ok(outcome) => outcome,
        Err(_) => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-findings");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{}-{seed}-{:016x}", target.name, fnv(input)));
            std::fs::write(&path, input).unwrap();
            panic!(
                "{} panicked on {} (seed {seed})",
                target.name,
                path.display()
            );
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The features of an outcome (`;`-separated): an input showing one not seen before is new
/// behaviour, as a new edge is to a coverage-guided fuzzer.
fn features(outcome: &str) -> impl Iterator<Item = &str> {
    outcome.split(';')
}

/// Mutates `target`'s corpus until `budget` says stop; returns how many inputs ran and how
/// many distinct outcome features were seen.
fn fuzz(target: &Target, seed: u64, mut budget: impl FnMut(usize) -> bool) -> (usize, usize) {
    let mut pool = load_corpus(target.name);
    let mut seen: HashSet<String> = HashSet::new();
    for input in &pool {
        seen.extend(features(&run_one(target, input, seed)).map(str::to_owned));
    }
    let out =
        std::env::var_os("KCOST_FUZZ_CORPUS_OUT").map(|dir| PathBuf::from(dir).join(target.name));
    let mut rng = Rng(seed);
    let mut runs = 0;
    while budget(runs) {
        let parent = &pool[rng.below(pool.len())];
        let input = mutate(parent, &mut rng);
        runs += 1;
        let outcome = run_one(target, &input, seed);
        let mut new = false;
        for feature in features(&outcome) {
            new |= seen.insert(feature.to_owned());
        }
        if new {
            if let Some(dir) = &out {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(dir.join(format!("{:016x}", fnv(&input))), &input).unwrap();
            }
            // New behaviour is worth mutating further.
            pool.push(input);
        }
    }
    (runs, seen.len())
}

#[test]
fn the_corpus_replays_without_panics() {
    for target in &TARGETS {
        let corpus = load_corpus(target.name);
        assert!(!corpus.is_empty(), "{} has no corpus", target.name);
        for input in &corpus {
            run_one(target, input, 0);
        }
    }
}

#[test]
fn mutations_of_the_corpus_never_panic() {
    for target in &TARGETS {
        let (runs, shapes) = fuzz(target, 20_261_207, |runs| runs < 3_000);
        assert_eq!(runs, 3_000);
        assert!(
            shapes > 3,
            "{}: only {shapes} outcome features",
            target.name
        );
    }
}

/// CI's time-bounded run: `KCOST_FUZZ_SECONDS` (default 30) split over the targets.
#[test]
#[ignore = "time-bounded; CI runs it with --ignored"]
fn fuzz_for_a_time_budget() {
    let seconds: u64 = std::env::var("KCOST_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seed = std::env::var("KCOST_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()) ^ 0x5DEE_CE66_D1CE_4E5B);
    let share = Duration::from_secs(seconds) / u32::try_from(TARGETS.len()).unwrap();
    for target in &TARGETS {
        let started = Instant::now();
        let (runs, shapes) = fuzz(target, seed, |_| started.elapsed() < share);
        println!(
            "fuzz {}: {runs} inputs, {shapes} outcome features, seed {seed}",
            target.name
        );
    }
}
