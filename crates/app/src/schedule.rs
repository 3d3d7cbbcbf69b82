//! When periodic jobs run: [`every`] runs a job after a first delay and then at a fixed
//! pause after each run; [`paced`] comes back sooner after a run that found work
//! ([`Busy::Yes`]), so a backlog is worked off in small steps, and while idle it runs at
//! once when its `woken` check says new work may have come (checked every `busy`). Both
//! stop when their `watch` channel says so, between runs (a run in progress is never cut
//! short here). The server spawns them for its background work.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Whether a run of a paced job found work (then the next run comes sooner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Yes,
    No,
}

/// Runs `job` after `first_delay`, then every `period` after the end of each run, until
/// `stopped` says so: a [`paced`] job that is never busy.
pub async fn every<F, Fut>(
    first_delay: Duration,
    period: Duration,
    stopped: watch::Receiver<bool>,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    paced(
        first_delay,
        period,
        period,
        stopped,
        || false,
        move || {
            let run = job();
            async move {
                run.await;
                Busy::No
            }
        },
    )
    .await;
}

/// Runs `job` after `first_delay`, then again `busy` after a run that found work and `idle`
/// after one that did not — or sooner, within `busy`, once `woken` says so — until
/// `stopped` says so.
pub async fn paced<W, F, Fut>(
    first_delay: Duration,
    idle: Duration,
    busy: Duration,
    mut stopped: watch::Receiver<bool>,
    mut woken: W,
    mut job: F,
) where
    W: FnMut() -> bool,
    F: FnMut() -> Fut,
    Fut: Future<Output = Busy>,
{
    let mut next = Instant::now() + first_delay;
    let mut idle_now = false;
    loop {
        // While idle, look at `woken` every `busy`; otherwise sleep to the next run.
        let until = if idle_now {
            next.min(Instant::now() + busy)
        } else {
            next
        };
        tokio::select! {
            () = tokio::time::sleep_until(until) => {
                if Instant::now() < next && !(idle_now && woken()) {
                    continue;
                }
                idle_now = job().await == Busy::No;
                next = Instant::now() + if idle_now { idle } else { busy };
            }
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn jobs_run_on_schedule_and_stop_when_asked() {
        let runs = Arc::new(AtomicU32::new(0));
        let (stop, stopped) = watch::channel(false);
        let counter = runs.clone();
        let task = tokio::spawn(every(
            Duration::from_secs(10),
            Duration::from_secs(60),
            stopped,
            move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            },
        ));
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "waits for the first delay");
        tokio::time::sleep(Duration::from_secs(6 + 120)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "at 10 s, 70 s and 130 s");
        stop.send(true).unwrap();
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_paced_job_comes_back_soon_while_it_finds_work() {
        let runs = Arc::new(AtomicU32::new(0));
        let (stop, stopped) = watch::channel(false);
        let counter = runs.clone();
        // Busy on its first three runs, then idle.
        let task = tokio::spawn(paced(
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(1),
            stopped,
            || false,
            move || {
                let counter = counter.clone();
                async move {
                    if counter.fetch_add(1, Ordering::SeqCst) < 3 {
                        Busy::Yes
                    } else {
                        Busy::No
                    }
                }
            },
        ));
        tokio::time::sleep(Duration::from_millis(4_500)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "waits for the first delay");
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 4, "at 5, 6, 7 and 8 s");
        tokio::time::sleep(Duration::from_secs(50)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 4, "idle: the next at 68 s");
        tokio::time::sleep(Duration::from_secs(11)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 5);
        stop.send(true).unwrap();
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_paced_job_runs_within_busy_once_woken() {
        let runs = Arc::new(AtomicU32::new(0));
        let wake = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = watch::channel(false);
        let counter = runs.clone();
        let woken = wake.clone();
        let task = tokio::spawn(paced(
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(1),
            stopped,
            move || woken.swap(false, Ordering::SeqCst),
            move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    Busy::No
                }
            },
        ));
        tokio::time::sleep(Duration::from_millis(5_500)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "the first run, idle after it"
        );
        tokio::time::sleep(Duration::from_secs(20)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "nothing wakes it: waits for idle"
        );
        wake.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "woken: runs within a second"
        );
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "idle again");
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "60 s after the woken run");
        stop.send(true).unwrap();
        task.await.unwrap();
    }
}
