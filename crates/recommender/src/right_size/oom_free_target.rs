//! The risk knob as a number: a target share of OOM-free pod-days (`0.995`), answered with
//! the least conservative [`RiskProfile`] whose OOM-free pod-days on the training trace
//! (docs/recommender.md, "Risk profiles") meet it. A target no profile reached is refused,
//! naming the highest level one did.
//!
//! Levels are kept as exact counts (pod-days without an OOM kill of those scored) and
//! targets as parts per million, so that `0.9989` against balanced's 919 of 920 is decided
//! exactly, never by float rounding.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::profile::RiskProfile;

/// Decimal places a target may have (parts per million).
pub const MAX_TARGET_DECIMALS: usize = 6;
const PARTS: u64 = 1_000_000;
/// Longest integer part read before calling the text malformed: keeps the arithmetic far
/// from overflow (anything this long is far above 1 anyway).
const MAX_INTEGER_DIGITS: usize = 9;

/// What a profile reached on the training trace, closed loop: pod-days scored and how many
/// of them had no OOM kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OomFreeLevel {
    pub oom_free_pod_days: u64,
    pub scored_pod_days: u64,
}

impl OomFreeLevel {
    /// Whether this level is at least `target`: oom_free / scored ≥ ppm / 10⁶, in integers.
    fn meets(self, target: OomFreeTarget) -> bool {
        u128::from(self.oom_free_pod_days) * u128::from(PARTS)
            >= u128::from(target.parts_per_million) * u128::from(self.scored_pod_days)
    }

    /// Compares the two shares exactly (cross-multiplied).
    fn cmp_share(self, other: Self) -> Ordering {
        (u128::from(self.oom_free_pod_days) * u128::from(other.scored_pod_days))
            .cmp(&(u128::from(other.oom_free_pod_days) * u128::from(self.scored_pod_days)))
    }

    /// The share as a percentage with two decimals, rounded down (`99.89%`), so that a
    /// level shown is never above the level reached.
    fn percent(self) -> String {
        let basis_points =
            u128::from(self.oom_free_pod_days) * 10_000 / u128::from(self.scored_pod_days.max(1));
        format!("{}.{:02}%", basis_points / 100, basis_points % 100)
    }
}

impl RiskProfile {
    /// The profile's OOM-free pod-days on the training trace (the table in
    /// docs/recommender.md; the `evaluate` example reproduces it).
    pub const fn oom_free_on_training_trace(self) -> OomFreeLevel {
        let oom_free_pod_days = match self {
            Self::Conservative => 920,
            Self::Balanced => 919,
            Self::Aggressive => 897,
        };
        OomFreeLevel {
            oom_free_pod_days,
            scored_pod_days: 920,
        }
    }

    /// The least conservative profile whose OOM-free pod-days on the training trace meet
    /// `target`; [`UnreachableTarget`], naming the highest level reached, when none does.
    pub fn for_oom_free_target(target: OomFreeTarget) -> Result<Self, UnreachableTarget> {
        least_conservative_meeting(
            target,
            &Self::ALL.map(|p| (p, p.oom_free_on_training_trace())),
        )
    }
}

/// The least conservative of `levels` (ordered from most to least conservative, as
/// [`RiskProfile::ALL`] is) that meets `target`.
fn least_conservative_meeting(
    target: OomFreeTarget,
    levels: &[(RiskProfile, OomFreeLevel)],
) -> Result<RiskProfile, UnreachableTarget> {
    if let Some((profile, _)) = levels.iter().rev().find(|(_, level)| level.meets(target)) {
        return Ok(*profile);
    }
    let highest = levels
        .iter()
        .copied()
        .max_by(|(_, a), (_, b)| a.cmp_share(*b));
    Err(UnreachableTarget { target, highest })
}

/// A target share of OOM-free pod-days as written: `0`, `1`, `0.995`, `1.0`; at most
/// [`MAX_TARGET_DECIMALS`] decimals. A number above 1 reads, but no profile meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OomFreeTarget {
    parts_per_million: u64,
}

impl OomFreeTarget {
    pub const fn parts_per_million(self) -> u64 {
        self.parts_per_million
    }
}

impl fmt::Display for OomFreeTarget {
    /// The shortest decimal that reads back as the same target (`0.995`, `1`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.parts_per_million / PARTS;
        let fraction = self.parts_per_million % PARTS;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:06}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// A text that is not a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an OOM-free target: expected a number from 0 to 1 with at most 6 decimals, such as 0.995"
)]
pub struct MalformedTarget(pub String);

impl FromStr for OomFreeTarget {
    type Err = MalformedTarget;

    /// `<digits>[.<digits>]`: no sign, exponent, spaces or leading zeros, at most
    /// [`MAX_TARGET_DECIMALS`] decimals.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || MalformedTarget(text.to_owned());
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return Err(malformed()),
            None => (text, ""),
        };
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        let well_formed = !whole.is_empty()
            && whole.len() <= MAX_INTEGER_DIGITS
            && digits_only(whole)
            && (whole == "0" || !whole.starts_with('0'))
            && fraction.len() <= MAX_TARGET_DECIMALS
            && digits_only(fraction);
        if !well_formed {
            return Err(malformed());
        }
        let whole: u64 = whole.parse().map_err(|_| malformed())?;
        let fraction: u64 = format!("{fraction:0<MAX_TARGET_DECIMALS$}")
            .parse()
            .map_err(|_| malformed())?;
        Ok(Self {
            parts_per_million: whole * PARTS + fraction,
        })
    }
}

/// No profile reached the target on the training trace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", unreachable_message(self))]
pub struct UnreachableTarget {
    pub target: OomFreeTarget,
    /// The profile that reached the highest level, and that level (`None` without profiles).
    pub highest: Option<(RiskProfile, OomFreeLevel)>,
}

fn unreachable_message(error: &UnreachableTarget) -> String {
    match error.highest {
        Some((profile, level)) => format!(
            "no risk profile reached {} OOM-free pod-days on the training trace; the highest reachable is {} ({profile}: {} of {} pod-days)",
            error.target,
            level.percent(),
            level.oom_free_pod_days,
            level.scored_pod_days
        ),
        None => format!("no risk profile reaches {} OOM-free pod-days", error.target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> OomFreeTarget {
        text.parse().unwrap()
    }

    #[test]
    fn the_least_conservative_profile_that_meets_the_target_is_chosen() {
        let chosen = |text| RiskProfile::for_oom_free_target(target(text)).unwrap();
        assert_eq!(chosen("0"), RiskProfile::Aggressive);
        assert_eq!(chosen("0.975"), RiskProfile::Aggressive);
        assert_eq!(chosen("0.975001"), RiskProfile::Balanced);
        assert_eq!(chosen("0.995"), RiskProfile::Balanced);
        // Balanced reached 919/920 = 0.998913…: exactly, not by rounding.
        assert_eq!(chosen("0.998913"), RiskProfile::Balanced);
        assert_eq!(chosen("0.998914"), RiskProfile::Conservative);
        assert_eq!(chosen("1"), RiskProfile::Conservative);
        assert_eq!(chosen("1.000000"), RiskProfile::Conservative);
    }

    #[test]
    fn a_target_above_every_level_names_the_highest_reachable() {
        let error = RiskProfile::for_oom_free_target(target("1.5")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no risk profile reached 1.5 OOM-free pod-days on the training trace; the highest reachable is 100.00% (conservative: 920 of 920 pod-days)"
        );
        // Against levels where no profile is OOM-free on every day.
        let level = |oom_free_pod_days| OomFreeLevel {
            oom_free_pod_days,
            scored_pod_days: 920,
        };
        let levels = [
            (RiskProfile::Conservative, level(919)),
            (RiskProfile::Balanced, level(910)),
            (RiskProfile::Aggressive, level(897)),
        ];
        let error = least_conservative_meeting(target("0.9995"), &levels).unwrap_err();
        assert_eq!(error.highest, Some(levels[0]));
        assert!(
            error
                .to_string()
                .ends_with("highest reachable is 99.89% (conservative: 919 of 920 pod-days)"),
            "{error}"
        );
        assert_eq!(
            least_conservative_meeting(target("0.989"), &levels),
            Ok(RiskProfile::Balanced)
        );
    }

    #[test]
    fn only_plain_decimals_with_at_most_six_places_are_targets() {
        assert_eq!(target("0.995").parts_per_million(), 995_000);
        assert_eq!(target("1.0").parts_per_million(), 1_000_000);
        assert_eq!(target("0.000001").parts_per_million(), 1);
        assert_eq!(target("0.99500").to_string(), "0.995");
        assert_eq!(target("1.0").to_string(), "1");
        for text in [
            "",
            ".5",
            "1.",
            "01",
            "00.5",
            "0.9999999",
            "+0.5",
            "-0.5",
            "1e0",
            " 0.5",
            "0.5 ",
            "0,5",
            "99.5%",
            "0x1",
            "1234567890",
        ] {
            assert_eq!(
                text.parse::<OomFreeTarget>(),
                Err(MalformedTarget(text.into())),
                "{text:?}"
            );
        }
    }
}
