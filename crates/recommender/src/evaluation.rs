//! The evaluation: replay a usage trace forward in time, recomputing each algorithm's
//! requests every 24 h from past samples only, and score what running with them would have
//! meant (slack, CPU risk, OOM risk, stability). Pure: the `evaluate` example reads the
//! file and prints; everything measured lives here and is unit-tested.

pub mod bounds;
pub mod frontier;
pub mod metrics;
pub mod replay;
pub mod svg;
pub mod trace;

pub use bounds::{Bound, BoundConstraints, clairvoyant_bound, peak_multiplier_bound};
pub use frontier::{Dominance, SweepPoint, pareto_front};
pub use metrics::{Metrics, summarize};
pub use replay::{PodDay, ReplayConfig, replay};
pub use svg::frontier_svg;
pub use trace::{TraceError, TraceSeries, parse_trace};
