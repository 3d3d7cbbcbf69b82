//! Progress of a back-fill: counters the senders bump, and the one-line bar drawn from
//! them on stderr (`\r`-rewritten, so it stays one line in a terminal).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Shared counters; cheap to bump from many tasks.
#[derive(Debug, Default)]
pub struct Progress {
    pub sent: AtomicU64,
    pub pods: AtomicU64,
    pub duplicates: AtomicU64,
    pub retries: AtomicU64,
}

impl Progress {
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn pods(&self) -> u64 {
        self.pods.load(Ordering::Relaxed)
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicates.load(Ordering::Relaxed)
    }

    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}

const BAR_WIDTH: u64 = 30;

/// `[#########.....................] 312/1008 snapshots  31%  4.2 s`
pub fn render_bar(done: u64, total: u64, elapsed: Duration) -> String {
    let total = total.max(1);
    let done = done.min(total);
    let filled = done * BAR_WIDTH / total;
    format!(
        "[{}{}] {done}/{total} snapshots {:>3}%  {:.1} s",
        "#".repeat(filled as usize),
        ".".repeat((BAR_WIDTH - filled) as usize),
        done * 100 / total,
        elapsed.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_in_proportion() {
        let bar = render_bar(50, 100, Duration::from_millis(1500));
        assert_eq!(
            bar,
            format!(
                "[{}{}] 50/100 snapshots  50%  1.5 s",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        assert!(render_bar(0, 0, Duration::ZERO).contains("0/1"));
    }
}
