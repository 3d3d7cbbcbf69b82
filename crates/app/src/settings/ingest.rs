//! `[ingest]` (agent snapshot intake: body size, sample durations, clock skew, how long an
//! ingest waits on the stores) and `[pricing]` (the default rates used when no node price
//! is known): together what the ingest use case is configured with
//! ([`IngestSettings::use_case_settings`]).

use std::time::Duration;

use anyhow::Context as _;
use kcost_domain::cost_engine::DurationRules;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::snapshot::SnapshotRules;
use kcost_settings::{SettingIssue, SettingIssues, de};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Upper bound of the durations a sample may stand for (a day).
pub const MAX_SAMPLE_SECONDS: u64 = 86_400;
/// Upper bound of `store_timeout_seconds`.
pub const MAX_STORE_TIMEOUT_SECONDS: u64 = 300;

/// `[ingest]`: agent snapshot intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    /// Largest accepted request body (after decompression), bytes.
    pub max_payload_bytes: u64,
    /// The agent's push interval, used when a snapshot does not say.
    pub default_interval_seconds: u64,
    /// A gap between samples longer than this is not interpolated over.
    pub max_sample_gap_seconds: u64,
    /// Snapshots timestamped further than this in the future are rejected.
    pub max_clock_skew_seconds: u64,
    /// Longest an ingest waits on the stores before answering 503 with `Retry-After`.
    pub store_timeout_seconds: u64,
}

impl Default for IngestSettings {
    fn default() -> Self {
        Self {
            max_payload_bytes: 10 * 1024 * 1024,
            default_interval_seconds: 600,
            max_sample_gap_seconds: 1800,
            max_clock_skew_seconds: 300,
            store_timeout_seconds: 8,
        }
    }
}

impl IngestSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        v.positive("max_payload_bytes", self.max_payload_bytes);
        v.positive("default_interval_seconds", self.default_interval_seconds);
        v.positive("max_sample_gap_seconds", self.max_sample_gap_seconds);
        v.positive("max_clock_skew_seconds", self.max_clock_skew_seconds);
        v.positive("store_timeout_seconds", self.store_timeout_seconds);
        // A sample stands for at most a day: the stores multiply figures by durations in
        // 64-bit integers (2⁴⁶ bytes × 86,400 s < 2⁶³).
        for (key, value) in [
            ("default_interval_seconds", self.default_interval_seconds),
            ("max_sample_gap_seconds", self.max_sample_gap_seconds),
        ] {
            if value > MAX_SAMPLE_SECONDS {
                v.push(key, format!("must be at most {MAX_SAMPLE_SECONDS} (a day)"));
            }
        }
        if self.store_timeout_seconds > MAX_STORE_TIMEOUT_SECONDS {
            v.push(
                "store_timeout_seconds",
                format!(
                    "must be at most {MAX_STORE_TIMEOUT_SECONDS} (an agent gives up on a request long before)"
                ),
            );
        }
        if self.max_sample_gap_seconds > 0
            && self.max_sample_gap_seconds < self.default_interval_seconds
        {
            v.push(
                "max_sample_gap_seconds",
                format!(
                    "must be at least ingest.default_interval_seconds ({})",
                    self.default_interval_seconds
                ),
            );
        }
        v.into_vec()
    }

    /// The ingest use case's settings: these, the default rates of `pricing`, and the
    /// retention horizon (`timescale.retention_days`) older snapshots are refused beyond.
    pub fn use_case_settings(
        &self,
        pricing: &PricingSettings,
        retention_days: u32,
    ) -> anyhow::Result<crate::ingest::IngestSettings> {
        let seconds = |key: &str, value: u64| {
            u32::try_from(value).with_context(|| format!("{key}: {value} seconds is too large"))
        };
        let skew = i64::try_from(self.max_clock_skew_seconds)
            .context("ingest.max_clock_skew_seconds is too large")?;
        let default_rates = ResourceRates::new(pricing.cpu_core_hourly, pricing.ram_gib_hourly)
            .context("pricing.cpu_core_hourly and pricing.ram_gib_hourly must both be above 0")?;
        Ok(crate::ingest::IngestSettings {
            snapshot: SnapshotRules {
                max_clock_skew: chrono::Duration::seconds(skew),
                retention_days,
            },
            durations: DurationRules {
                default_seconds: seconds(
                    "ingest.default_interval_seconds",
                    self.default_interval_seconds,
                )?,
                max_gap_seconds: seconds(
                    "ingest.max_sample_gap_seconds",
                    self.max_sample_gap_seconds,
                )?,
            },
            default_rates,
            store_timeout: Duration::from_secs(self.store_timeout_seconds),
        })
    }
}

/// `[pricing]`: default rates (OpenCost defaults) used when no node price is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricingSettings {
    /// ISO 4217 code, three upper-case letters.
    #[serde(deserialize_with = "de::text")]
    pub currency: String,
    /// Price of one vCPU for one hour (string or number; exact decimal).
    pub cpu_core_hourly: Decimal,
    /// Price of one GiB of RAM for one hour (string or number; exact decimal).
    pub ram_gib_hourly: Decimal,
}

impl Default for PricingSettings {
    fn default() -> Self {
        Self {
            currency: "USD".to_owned(),
            // OpenCost configs/default.json: 0.031611 $/vCPU-h, 0.004237 $/GiB-h.
            cpu_core_hourly: Decimal::new(31_611, 6),
            ram_gib_hourly: Decimal::new(4_237, 6),
        }
    }
}

impl PricingSettings {
    /// Every problem with the section, keyed within it.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        let currency = &self.currency;
        if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
            v.push(
                "currency",
                "must be a three-letter upper-case ISO 4217 code such as USD or EUR",
            );
        }
        for (key, rate) in [
            ("cpu_core_hourly", self.cpu_core_hourly),
            ("ram_gib_hourly", self.ram_gib_hourly),
        ] {
            // Node prices are split into CPU and RAM in the ratio of these rates.
            if rate <= Decimal::ZERO {
                v.push(key, "must be greater than 0");
            }
        }
        v.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(found: Vec<SettingIssue>) -> Vec<(String, String)> {
        found.into_iter().map(|i| (i.key, i.message)).collect()
    }

    #[test]
    fn defaults_are_valid_and_match_the_use_case_defaults() {
        let ingest = IngestSettings::default();
        let pricing = PricingSettings::default();
        assert_eq!(ingest.validate(), []);
        assert_eq!(pricing.validate(), []);
        let rules = ingest.use_case_settings(&pricing, 0).unwrap();
        let defaults = crate::ingest::IngestSettings::default();
        assert_eq!(rules.default_rates, defaults.default_rates);
        assert_eq!(rules.store_timeout, defaults.store_timeout);
        assert_eq!(rules.durations.default_seconds, 600);
        assert_eq!(rules.durations.max_gap_seconds, 1800);
        assert_eq!(
            rules.snapshot.max_clock_skew,
            chrono::Duration::seconds(300)
        );
    }

    #[test]
    fn ingest_rules_name_their_keys() {
        let zero = IngestSettings {
            max_payload_bytes: 0,
            default_interval_seconds: 0,
            max_sample_gap_seconds: 0,
            max_clock_skew_seconds: 0,
            store_timeout_seconds: 0,
        };
        let keys: Vec<String> = zero.validate().into_iter().map(|i| i.key).collect();
        assert_eq!(
            keys,
            [
                "max_payload_bytes",
                "default_interval_seconds",
                "max_sample_gap_seconds",
                "max_clock_skew_seconds",
                "store_timeout_seconds",
            ]
        );

        let large = IngestSettings {
            max_sample_gap_seconds: 86_401,
            store_timeout_seconds: 301,
            ..IngestSettings::default()
        };
        assert_eq!(
            issues(large.validate()),
            [
                (
                    "max_sample_gap_seconds".to_owned(),
                    "must be at most 86400 (a day)".to_owned()
                ),
                (
                    "store_timeout_seconds".to_owned(),
                    "must be at most 300 (an agent gives up on a request long before)".to_owned()
                ),
            ]
        );

        let short_gap = IngestSettings {
            max_sample_gap_seconds: 60,
            ..IngestSettings::default()
        };
        assert_eq!(
            issues(short_gap.validate()),
            [(
                "max_sample_gap_seconds".to_owned(),
                "must be at least ingest.default_interval_seconds (600)".to_owned()
            )]
        );
    }

    #[test]
    fn pricing_rules_name_their_keys() {
        let bad = PricingSettings {
            currency: "usd".into(),
            cpu_core_hourly: Decimal::new(-1, 2),
            ram_gib_hourly: Decimal::ZERO,
        };
        let keys: Vec<String> = bad.validate().into_iter().map(|i| i.key).collect();
        assert_eq!(keys, ["currency", "cpu_core_hourly", "ram_gib_hourly"]);
        for currency in ["EURO", "US", "U$D"] {
            let bad = PricingSettings {
                currency: currency.into(),
                ..PricingSettings::default()
            };
            assert_eq!(bad.validate().len(), 1, "{currency}");
        }
    }
}
