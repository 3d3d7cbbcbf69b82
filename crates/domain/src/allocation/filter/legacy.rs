//! OpenCost's older filter parameters (`filterNamespaces=a,b`, `filterLabels=app:web`, …),
//! as `AllocationFilterFromParamsV1` reads them (`core/pkg/util/filterutil/filterutil.go`):
//!
//! - each parameter is a comma-separated list; entries are trimmed and empty ones dropped;
//! - the entries of one parameter are ORed, the parameters ANDed;
//! - an entry ending in `*` matches values starting with the rest (`kube*`);
//! - `filterLabels` / `filterAnnotations` take `key:value` entries;
//! - `filterControllers` takes `name` or `kind:name` (kind compared exactly, no wildcard);
//! - `filterServices` tests membership in the pod's services.

use super::AllocationFilter;
use super::error::{FilterError, echo};
use super::field::Field;
use super::op::Op;

/// The legacy `filter*` query parameters of `/allocation`, each as received (a
/// comma-separated list), `None` when absent.
///
/// `clusters` compares with the allocation's cluster only (OpenCost also accepts cluster
/// names through its cluster map; kcost's allocations carry one cluster identifier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyFilters {
    pub clusters: Option<String>,
    pub nodes: Option<String>,
    pub namespaces: Option<String>,
    pub controller_kinds: Option<String>,
    pub controllers: Option<String>,
    pub pods: Option<String>,
    pub containers: Option<String>,
    pub labels: Option<String>,
    pub annotations: Option<String>,
    pub services: Option<String>,
}

/// The filter the legacy parameters describe; match-all when none is given.
///
/// Where OpenCost logs and skips a malformed entry (a label without `:`, a controller with
/// two `:`), this refuses it so the caller learns the filter was not applied.
pub fn from_legacy(params: &LegacyFilters) -> Result<AllocationFilter, FilterError> {
    let plain = |param: &Option<String>, field: Field| any_of(field, &entries(param));
    // In OpenCost's order, so the printed filter reads the same.
    let parts = [
        plain(&params.clusters, Field::Cluster),
        plain(&params.nodes, Field::Node),
        plain(&params.namespaces, Field::Namespace),
        plain(&params.controller_kinds, Field::ControllerKind),
        controllers(&entries(&params.controllers))?,
        plain(&params.pods, Field::Pod),
        plain(&params.containers, Field::Container),
        pairs(
            "filterAnnotations",
            &entries(&params.annotations),
            Field::Annotation,
        )?,
        pairs("filterLabels", &entries(&params.labels), Field::Label)?,
        plain(&params.services, Field::Services),
    ];
    Ok(parts
        .into_iter()
        .fold(AllocationFilter::All, AllocationFilter::and))
}

/// The non-empty, trimmed entries of a comma-separated parameter.
fn entries(param: &Option<String>) -> Vec<&str> {
    param
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// `value`, or a prefix test for `value*`. On `services` `:` is membership.
fn entry(field: Field, value: &str) -> AllocationFilter {
    let (op, value) = match value.strip_suffix('*') {
        Some(prefix) => (Op::StartsWith, prefix),
        None => (Op::Equals, value),
    };
    AllocationFilter::Compare {
        field,
        op,
        values: vec![value.to_owned()],
    }
}

/// Any of `values` on `field`; match-all for no values (the parameter is absent).
fn any_of(field: Field, values: &[&str]) -> AllocationFilter {
    or(values
        .iter()
        .map(|value| entry(field.clone(), value))
        .collect())
}

fn or(mut operands: Vec<AllocationFilter>) -> AllocationFilter {
    match operands.len() {
        0 => AllocationFilter::All,
        1 => operands.swap_remove(0),
        _ => AllocationFilter::Or(operands),
    }
}

/// `key:value` entries on a keyed field (labels, annotations).
fn pairs(
    param: &'static str,
    values: &[&str],
    field: fn(String) -> Field,
) -> Result<AllocationFilter, FilterError> {
    let mut operands = Vec::with_capacity(values.len());
    for value in values {
        let mut split = value.split(':');
        let (Some(key), Some(wanted), None) = (split.next(), split.next(), split.next()) else {
            return Err(FilterError::LegacyPair {
                param,
                value: echo(value),
            });
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(FilterError::LegacyPair {
                param,
                value: echo(value),
            });
        }
        operands.push(entry(field(key.to_owned()), wanted.trim()));
    }
    Ok(or(operands))
}

/// `name` or `kind:name` entries of `filterControllers`.
fn controllers(values: &[&str]) -> Result<AllocationFilter, FilterError> {
    let mut operands = Vec::with_capacity(values.len());
    for value in values {
        let parts: Vec<&str> = value.split(':').collect();
        let operand = match parts.as_slice() {
            [name] => entry(Field::ControllerName, name),
            [kind, name] => AllocationFilter::And(vec![
                AllocationFilter::Compare {
                    field: Field::ControllerKind,
                    op: Op::Equals,
                    values: vec![(*kind).to_owned()],
                },
                entry(Field::ControllerName, name),
            ]),
            _ => {
                return Err(FilterError::LegacyController { value: echo(value) });
            }
        };
        operands.push(operand);
    }
    Ok(or(operands))
}
