//! The fields a comparison can read, with their names in the language.

#[cfg(doc)]
use crate::allocation::properties::AllocationProperties;

/// What a comparison reads from an allocation.
///
/// Absent optional properties read as `""`, as OpenCost's empty strings do, so
/// `controllerKind:""` selects pods without a controller and `label[app]:""` those without
/// an `app` label. Label keys match once sanitized to Prometheus names (see
/// [`AllocationProperties::label`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `cluster`: [`AllocationProperties::cluster`].
    Cluster,
    /// `node`: [`AllocationProperties::node`].
    Node,
    /// `namespace`: [`AllocationProperties::namespace`].
    Namespace,
    /// `controllerName`: [`AllocationProperties::controller`].
    ControllerName,
    /// `controllerKind`: [`AllocationProperties::controller_kind`], compared ignoring ASCII
    /// case (kcost stores kinds lower-case; `Deployment` is how Kubernetes spells them).
    ControllerKind,
    /// `container`: [`AllocationProperties::container`].
    Container,
    /// `pod`: [`AllocationProperties::pod`].
    Pod,
    /// `provider`: the node's cloud provider ID, which kcost does not store: always `""`.
    Provider,
    /// `services`: the services selecting the pod, a list; kcost stores none, so the list
    /// is empty (OpenCost: `services:""` matches an empty list, any other value does not).
    Services,
    /// `label[key]`: the value of label `key`.
    Label(String),
    /// `label` without a key: the set of label keys (`label:"app"` = has a label `app`).
    LabelKeys,
    /// `annotation[key]`: kcost stores no annotations, so always `""`.
    Annotation(String),
    /// `annotation` without a key: the (empty) set of annotation keys.
    AnnotationKeys,
    /// `department`: an OpenCost alias, read here from the label `department`.
    Department,
    /// `environment`: an OpenCost alias, read here from the label `environment`.
    Environment,
    /// `owner`: an OpenCost alias, read here from the label `owner`.
    Owner,
    /// `product`: an OpenCost alias, read here from the label `product`.
    Product,
    /// `team`: an OpenCost alias, read here from the label `team`.
    Team,
}

/// The field names the language accepts, as error messages list them.
pub const FIELD_NAMES: &[&str] = &[
    "cluster",
    "node",
    "namespace",
    "controllerName",
    "controllerKind",
    "container",
    "pod",
    "provider",
    "services",
    "label",
    "annotation",
    "department",
    "environment",
    "owner",
    "product",
    "team",
];

impl Field {
    /// The field's name in the language (without the `[key]`).
    pub fn name(&self) -> &'static str {
        match self {
            Field::Cluster => "cluster",
            Field::Node => "node",
            Field::Namespace => "namespace",
            Field::ControllerName => "controllerName",
            Field::ControllerKind => "controllerKind",
            Field::Container => "container",
            Field::Pod => "pod",
            Field::Provider => "provider",
            Field::Services => "services",
            Field::Label(_) | Field::LabelKeys => "label",
            Field::Annotation(_) | Field::AnnotationKeys => "annotation",
            Field::Department => "department",
            Field::Environment => "environment",
            Field::Owner => "owner",
            Field::Product => "product",
            Field::Team => "team",
        }
    }

    /// The field named `name`: keyed (`label[key]`) when `key` is given, which only
    /// `label` and `annotation` accept. `None` for an unknown name or a misplaced key.
    pub(crate) fn from_name(name: &str, key: Option<String>) -> Option<Field> {
        let field = match (name, key) {
            ("label", Some(key)) => Field::Label(key),
            ("label", None) => Field::LabelKeys,
            ("annotation", Some(key)) => Field::Annotation(key),
            ("annotation", None) => Field::AnnotationKeys,
            (_, Some(_)) => return None,
            ("cluster", None) => Field::Cluster,
            ("node", None) => Field::Node,
            ("namespace", None) => Field::Namespace,
            ("controllerName", None) => Field::ControllerName,
            ("controllerKind", None) => Field::ControllerKind,
            ("container", None) => Field::Container,
            ("pod", None) => Field::Pod,
            ("provider", None) => Field::Provider,
            ("services", None) => Field::Services,
            ("department", None) => Field::Department,
            ("environment", None) => Field::Environment,
            ("owner", None) => Field::Owner,
            ("product", None) => Field::Product,
            ("team", None) => Field::Team,
            _ => return None,
        };
        Some(field)
    }

    /// Whether the field takes a `[key]` (`label`, `annotation`).
    pub(crate) fn is_keyed_name(name: &str) -> bool {
        matches!(name, "label" | "annotation")
    }
}
