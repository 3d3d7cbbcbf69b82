//! The `kcost simulate` and `kcost bench` commands: their arguments and runs.

pub mod bench;
pub mod simulate;
