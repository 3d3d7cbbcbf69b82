//! The risk knob: three named profiles, each a complete [`Policy`]. A profile moves CPU
//! and memory together along kcost's own frontier (docs/recommender.md shows what each
//! reached on the training trace, closed loop): `conservative` pays for fewer OOM kills
//! and less time above the CPU request, `aggressive` saves more and accepts more of both.

use std::fmt;
use std::str::FromStr;

use super::{CpuPolicy, MemoryPolicy, Policy};

const MIB: f64 = (1u64 << 20) as f64;

/// How much risk the advice may take for how much saving.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RiskProfile {
    Conservative,
    #[default]
    Balanced,
    Aggressive,
}

impl RiskProfile {
    pub const ALL: [RiskProfile; 3] = [Self::Conservative, Self::Balanced, Self::Aggressive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conservative => "conservative",
            Self::Balanced => "balanced",
            Self::Aggressive => "aggressive",
        }
    }

    /// The whole policy of this profile.
    pub fn policy(self) -> Policy {
        let balanced = Policy::balanced();
        match self {
            Self::Balanced => balanced,
            Self::Conservative => Policy {
                cpu: CpuPolicy {
                    overrun_price: 8000.0,
                    ..balanced.cpu
                },
                memory: MemoryPolicy {
                    min_margin: 0.2,
                    cushion_bytes: 8192.0 * MIB,
                    cushion_max_ratio: 8.0,
                    ..balanced.memory
                },
                ..balanced
            },
            Self::Aggressive => Policy {
                cpu: CpuPolicy {
                    overrun_price: 1000.0,
                    ..balanced.cpu
                },
                memory: MemoryPolicy {
                    window_days: 3,
                    learning_days: 14,
                    older_peak_weight: 0.5,
                    min_margin: 0.05,
                    cushion_bytes: 512.0 * MIB,
                    ..balanced.memory
                },
                ..balanced
            },
        }
    }
}

impl fmt::Display for RiskProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown risk profile {0:?} (expected conservative, balanced or aggressive)")]
pub struct UnknownProfile(pub String);

impl FromStr for RiskProfile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}
