//! A pod's allocation split into its containers', for questions about containers: costs
//! are per pod (kcost prices pods), so a pod with several containers hands each its share
//! — CPU cost by allocated CPU-time (`Σ max(request, usage)`), RAM cost by allocated
//! memory-time, direct costs by the CPU + RAM cost each received — exactly (the parts add
//! up to the pod's cost to the last digit). A lone container is its pod.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::allocation::{Allocation, AllocationCost};
use super::sums::ContainerWindowSums;
use crate::money::{Money, apportion};

/// The containers' sums of each pod description, by the description's fingerprint.
pub fn by_pod(containers: &[ContainerWindowSums]) -> HashMap<i64, Vec<&ContainerWindowSums>> {
    let mut map: HashMap<i64, Vec<&ContainerWindowSums>> = HashMap::new();
    for container in containers {
        map.entry(container.pod.fingerprint())
            .or_default()
            .push(container);
    }
    map
}

/// `pod` split into one allocation per container of `containers` (none: `pod` as it is).
pub fn split(pod: Allocation, containers: &[&ContainerWindowSums]) -> Vec<Allocation> {
    if containers.is_empty() {
        return vec![pod];
    }
    let weights = |f: fn(&ContainerWindowSums) -> Decimal| -> Vec<Decimal> {
        containers.iter().map(|c| f(c)).collect()
    };
    let cpu = apportion(pod.cost.cpu, &weights(|c| c.resources.cpu_alloc_mcs));
    let ram = apportion(pod.cost.ram, &weights(|c| c.resources.mem_alloc_bs));
    let compute: Vec<Decimal> = cpu
        .iter()
        .zip(&ram)
        .map(|(c, r)| (*c + *r).amount())
        .collect();
    let share = |amount: Money| apportion(amount, &compute);
    let (pv, network, load_balancer) = (
        share(pod.cost.pv),
        share(pod.cost.network),
        share(pod.cost.load_balancer),
    );
    containers
        .iter()
        .enumerate()
        .map(|(i, container)| {
            let mut properties = pod.properties.clone();
            properties.container = Some(container.container.clone());
            Allocation {
                name: format!("{}/{}", pod.name, container.container),
                properties,
                start: pod.start,
                end: pod.end,
                running_seconds: container.resources.seconds,
                cost: AllocationCost {
                    cpu: cpu[i],
                    ram: ram[i],
                    pv: pv[i],
                    network: network[i],
                    load_balancer: load_balancer[i],
                    ..AllocationCost::default()
                },
                resources: container.resources,
            }
        })
        .collect()
}
