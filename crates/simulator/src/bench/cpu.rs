//! CPU time spent by the server, by PostgreSQL and by the bench itself, read from `/proc`
//! (Linux) around each phase. Rates and their ratios move with the machine's mood; CPU
//! time per thousand samples says what each side costs, whatever else ran.
//!
//! PostgreSQL's share is every process named `postgres` (postmaster, backends, background
//! workers) plus what its exited children used (the postmaster's `cutime`/`cstime`): a
//! backend that served a closed connection still counts. Only meaningful when PostgreSQL
//! runs on this machine, which the bench requires of the baseline database (loopback).

use std::time::{Duration, Instant};

/// Clock ticks per second of `/proc/<pid>/stat` times: `USER_HZ`, 100 on every Linux ABI
/// the server builds for.
const TICKS_PER_SECOND: f64 = 100.0;

/// PostgreSQL counts as settled when it used less than this share of one core over
/// [`SETTLE_STEP`].
const SETTLED_SHARE: f64 = 0.05;
const SETTLE_STEP: Duration = Duration::from_millis(500);

/// Cumulative CPU ticks at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTicks {
    pub server: u64,
    pub postgres: u64,
    pub bench: u64,
}

/// CPU seconds spent between two readings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuSpent {
    pub server: f64,
    pub postgres: f64,
    pub bench: f64,
}

impl CpuSpent {
    pub fn between(before: CpuTicks, after: CpuTicks) -> Self {
        let seconds = |a: u64, b: u64| b.saturating_sub(a) as f64 / TICKS_PER_SECOND;
        Self {
            server: seconds(before.server, after.server),
            postgres: seconds(before.postgres, after.postgres),
            bench: seconds(before.bench, after.bench),
        }
    }

    pub fn total(&self) -> f64 {
        self.server + self.postgres + self.bench
    }
}

/// One process's line of `/proc/<pid>/stat`, the fields after the command name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    comm: String,
    parent: u32,
    /// utime + stime
    own: u64,
    /// cutime + cstime: waited-for children
    children: u64,
}

/// Parses a `/proc/<pid>/stat` line; the command name may hold spaces and parentheses,
/// so fields are counted from its last `)`.
fn parse_stat(line: &str) -> Option<Stat> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let comm = line.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = line.get(close + 2..)?.split_whitespace().collect();
    // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    let number = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    Some(Stat {
        comm,
        parent: u32::try_from(number(1)?).ok()?,
        own: number(11)? + number(12)?,
        children: number(13)? + number(14)?,
    })
}

fn read_stat(pid: &str) -> Option<Stat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// PostgreSQL's ticks among `processes` (pid, stat): every `postgres` process's own time,
/// plus the children's time of those whose parent is not `postgres` (the postmaster).
fn postgres_ticks(processes: &[(u32, Stat)]) -> u64 {
    let is_postgres = |pid: u32| {
        processes
            .iter()
            .any(|(p, stat)| *p == pid && stat.comm == "postgres")
    };
    processes
        .iter()
        .filter(|(_, stat)| stat.comm == "postgres")
        .map(|(_, stat)| {
            let exited = if is_postgres(stat.parent) {
                0
            } else {
                stat.children
            };
            stat.own + exited
        })
        .sum()
}

/// Reads the ticks now; `server` is the server's pid, when known.
pub fn read(server: Option<u32>) -> CpuTicks {
    let processes: Vec<(u32, Stat)> = std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    let pid = name.parse::<u32>().ok()?;
                    Some((pid, read_stat(&name)?))
                })
                .collect()
        })
        .unwrap_or_default();
    CpuTicks {
        server: server
            .and_then(|pid| read_stat(&pid.to_string()))
            .map_or(0, |stat| stat.own),
        postgres: postgres_ticks(&processes),
        bench: read_stat("self").map_or(0, |stat| stat.own),
    }
}

/// Waits until PostgreSQL is nearly idle (the server's background rollups have caught up
/// with what the load left), at most `limit`; returns how long it waited.
pub async fn settle(server: Option<u32>, limit: Duration) -> Duration {
    let started = Instant::now();
    if limit.is_zero() {
        return Duration::ZERO;
    }
    let mut last = read(server);
    while started.elapsed() < limit {
        tokio::time::sleep(SETTLE_STEP).await;
        let now = read(server);
        let used = CpuSpent::between(last, now).postgres;
        if used < SETTLED_SHARE * SETTLE_STEP.as_secs_f64() {
            break;
        }
        last = now;
    }
    started.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(comm: &str, parent: u32, own: u64, children: u64) -> Stat {
        Stat {
            comm: comm.to_owned(),
            parent,
            own,
            children,
        }
    }

    #[test]
    fn parses_stat_lines_with_odd_command_names() {
        let line = "4242 (post gres (x)) S 1 4242 4242 0 -1 4194560 1 0 0 0 \
                    120 30 7 3 20 0 1 0 100 1000 10 18446744073709551615";
        assert_eq!(parse_stat(line), Some(stat("post gres (x)", 1, 150, 10)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn postgres_counts_backends_and_the_postmasters_exited_children_once() {
        let processes = [
            (10, stat("postgres", 1, 5, 400)), // postmaster: children counted
            (11, stat("postgres", 10, 70, 9)), // backend: its children not again
            (12, stat("postgres", 10, 30, 0)), // backend
            (20, stat("kcost", 1, 1000, 50)),  // someone else
        ];
        assert_eq!(postgres_ticks(&processes), 5 + 400 + 70 + 30);
    }

    #[test]
    fn spent_is_the_difference_in_seconds() {
        let before = CpuTicks {
            server: 100,
            postgres: 250,
            bench: 10,
        };
        let after = CpuTicks {
            server: 350,
            postgres: 450,
            bench: 20,
        };
        let spent = CpuSpent::between(before, after);
        assert_eq!(
            spent,
            CpuSpent {
                server: 2.5,
                postgres: 2.0,
                bench: 0.1
            }
        );
        assert!((spent.total() - 4.6).abs() < 1e-9);
    }
}
