//! Direct costs: what a pod is charged for storage, network and load balancers, priced
//! elsewhere (OpenCost) and kept apart from node cost, idle and overcommit.

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// Costs charged to a pod directly rather than through a node: not part of node cost,
/// idle or overcommit (see the [engine's rules](crate::cost_engine)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectCosts {
    /// Persistent volumes the pod mounted.
    pub storage: Money,
    pub network: Money,
    pub load_balancer: Money,
}

impl DirectCosts {
    pub const ZERO: Self = Self {
        storage: Money::ZERO,
        network: Money::ZERO,
        load_balancer: Money::ZERO,
    };

    pub fn total(&self) -> Money {
        self.storage + self.network + self.load_balancer
    }

    pub fn is_negative(&self) -> bool {
        self.storage.is_negative() || self.network.is_negative() || self.load_balancer.is_negative()
    }
}

impl std::ops::Add for DirectCosts {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self {
            storage: self.storage + other.storage,
            network: self.network + other.network,
            load_balancer: self.load_balancer + other.load_balancer,
        }
    }
}

impl std::iter::Sum for DirectCosts {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |sum, costs| sum + costs)
    }
}
