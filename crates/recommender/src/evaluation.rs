//! The evaluation: replay a usage trace forward in time, closed loop (each algorithm sees
//! its own applied advice, OOM kills and censored usage), recomputing its requests every
//! 24 h from past samples only, and score what running with them would have meant (slack,
//! CPU risk, OOM risk, stability); compare algorithms swept over their knobs as a frontier.
//! Pure: the `evaluate` example reads the file, prints and writes the SVG; everything
//! measured lives here and is unit-tested.

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
