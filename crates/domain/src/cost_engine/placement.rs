//! Where a snapshot's pods run, worked out once for the engine (which prices by it) and
//! for pre-priced costs (which must agree with it).

use std::collections::HashMap;

use super::priced::Placement;
use crate::snapshot::Snapshot;

/// The snapshot's pods by where they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodPlacements {
    /// Per pod, in the snapshot's order: its placement and, on a listed node, that node's
    /// index in [`Snapshot::nodes`].
    pub pods: Vec<(Placement, Option<usize>)>,
    /// Per node, in the snapshot's order: the indices of the pods on it.
    pub by_node: Vec<Vec<usize>>,
}

impl PodPlacements {
    pub fn of(snapshot: &Snapshot) -> Self {
        let node_index: HashMap<&str, usize> = snapshot
            .nodes()
            .iter()
            .enumerate()
            .map(|(i, node)| (node.name.as_str(), i))
            .collect();
        let mut by_node = vec![Vec::new(); snapshot.nodes().len()];
        let pods = snapshot
            .pods()
            .iter()
            .enumerate()
            .map(
                |(pod, sample)| match sample.node.as_deref().map(|name| node_index.get(name)) {
                    Some(Some(&node)) => {
                        by_node[node].push(pod);
                        (Placement::OnNode, Some(node))
                    }
                    Some(None) => (Placement::UnknownNode, None),
                    None => (Placement::Pending, None),
                },
            )
            .collect();
        Self { pods, by_node }
    }
}
