//! Advice in money: what a change of request saves per month (730 h) at the rates the pod
//! was priced at, for every replica. Exact decimals; negative when the advice raises the
//! request.

use kcost_domain::costs::HOURS_PER_MONTH;
use kcost_domain::money::Money;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::BYTES_PER_GIB;
use kcost_domain::recommendation::Resource;
use rust_decimal::Decimal;

/// Monthly savings of moving `replicas` pods' request of `resource` from `current` to
/// `recommended` (millicores or bytes).
pub fn monthly_savings(
    resource: Resource,
    current: u64,
    recommended: u64,
    rates: &ResourceRates,
    replicas: u32,
) -> Money {
    let delta = Decimal::from(current) - Decimal::from(recommended);
    let hourly = match resource {
        Resource::Cpu => delta / Decimal::ONE_THOUSAND * rates.cpu_core_hourly,
        Resource::Memory => delta / Decimal::from(BYTES_PER_GIB) * rates.ram_gib_hourly,
    };
    Money::from_decimal(hourly * Decimal::from(HOURS_PER_MONTH) * Decimal::from(replicas))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn savings_use_the_pods_rates_and_730_hours() {
        let rates = ResourceRates::opencost_defaults();
        // 500 m less for 3 replicas: 0.5 × 0.031611 × 730 × 3.
        assert_eq!(
            monthly_savings(Resource::Cpu, 1000, 500, &rates, 3).amount(),
            d("34.614045")
        );
        // 2 GiB less: 2 × 0.004237 × 730.
        assert_eq!(
            monthly_savings(Resource::Memory, 4 << 30, 2 << 30, &rates, 1).amount(),
            d("6.18602")
        );
        // An increase costs money.
        assert!(monthly_savings(Resource::Cpu, 100, 200, &rates, 1).is_negative());
        let expensive = ResourceRates::new(d("0.1"), d("0.01")).unwrap();
        assert_eq!(
            monthly_savings(Resource::Cpu, 2000, 1000, &expensive, 1).amount(),
            d("73")
        );
    }
}
