//! What applying right-sizing advice means to Kubernetes, for one container of a workload
//! (or of a pod without an owner): the requests and memory limit to set, as a ready
//! `kubectl set resources` command and as a strategic-merge patch of the object's pod
//! template. kcost's limits policy is memory limit = memory request and no CPU limit, so the
//! patch also removes a CPU limit (`"cpu": null`); the command leaves one in place
//! (`kubectl set resources` cannot remove a limit).

use crate::recommendation::{RecommendationTarget, Resource};

/// The requests and memory limit to set on one container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceChange {
    pub cpu_request_millicores: u64,
    pub memory_request_bytes: u64,
    pub memory_limit_bytes: u64,
}

impl ResourceChange {
    fn cpu(&self) -> String {
        Resource::Cpu.format_quantity(self.cpu_request_millicores)
    }

    fn memory(&self) -> String {
        Resource::Memory.format_quantity(self.memory_request_bytes)
    }

    fn memory_limit(&self) -> String {
        Resource::Memory.format_quantity(self.memory_limit_bytes)
    }
}

impl RecommendationTarget {
    /// `kind/name` as kubectl spells it (`deployment/api`, `pod/debug`).
    fn object(&self) -> Option<String> {
        match (&self.workload, &self.pod) {
            (Some((kind, name)), _) => Some(format!("{}/{name}", kind.to_ascii_lowercase())),
            (None, Some(pod)) => Some(format!("pod/{pod}")),
            (None, None) => None,
        }
    }

    /// `kubectl set resources <kind>/<name> -n <ns> [-c <container>] --requests=cpu=…,memory=…
    /// --limits=memory=…`; without a container it applies to every container of the object.
    pub fn kubectl_set_resources(&self, change: &ResourceChange) -> Option<String> {
        let container = self
            .container
            .as_ref()
            .map(|c| format!(" -c {c}"))
            .unwrap_or_default();
        Some(format!(
            "kubectl set resources {} -n {}{container} --requests=cpu={},memory={} --limits=memory={}",
            self.object()?,
            self.namespace,
            change.cpu(),
            change.memory(),
            change.memory_limit()
        ))
    }

    /// The strategic-merge patch (JSON) of the object's pod template setting the change on
    /// the named container (`kubectl patch <kind>/<name> -n <ns> --type strategic -p '<patch>'`).
    /// `None` without a container name: containers are merged by name.
    pub fn strategic_merge_patch(&self, change: &ResourceChange) -> Option<String> {
        let container = self.container.as_deref()?;
        let pod_spec = format!(
            r#"{{"containers":[{{"name":"{}","resources":{{"requests":{{"cpu":"{}","memory":"{}"}},"limits":{{"cpu":null,"memory":"{}"}}}}}}]}}"#,
            json_escape(container),
            change.cpu(),
            change.memory(),
            change.memory_limit()
        );
        let kind = match &self.workload {
            Some((kind, _)) => kind.as_str(),
            None if self.pod.is_some() => "Pod",
            None => return None,
        };
        Some(match kind {
            "Pod" => format!(r#"{{"spec":{pod_spec}}}"#),
            "CronJob" => {
                format!(
                    r#"{{"spec":{{"jobTemplate":{{"spec":{{"template":{{"spec":{pod_spec}}}}}}}}}}}"#
                )
            }
            _ => format!(r#"{{"spec":{{"template":{{"spec":{pod_spec}}}}}}}"#),
        })
    }
}

/// A JSON string's content: quotes, backslashes and control characters escaped.
fn json_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if (c as u32) < 0x20 => escaped.push_str(&format!("\\u{:04x}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterName;

    fn target(
        workload: Option<(&str, &str)>,
        pod: Option<&str>,
        container: Option<&str>,
    ) -> RecommendationTarget {
        RecommendationTarget {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            workload: workload.map(|(k, n)| (k.to_owned(), n.to_owned())),
            pod: pod.map(str::to_owned),
            container: container.map(str::to_owned),
        }
    }

    const CHANGE: ResourceChange = ResourceChange {
        cpu_request_millicores: 250,
        memory_request_bytes: 768 << 20,
        memory_limit_bytes: 768 << 20,
    };

    #[test]
    fn the_command_sets_both_requests_and_the_memory_limit_on_the_container() {
        let deployment = target(Some(("Deployment", "api")), None, Some("app"));
        assert_eq!(
            deployment.kubectl_set_resources(&CHANGE).unwrap(),
            "kubectl set resources deployment/api -n web -c app --requests=cpu=250m,memory=768Mi --limits=memory=768Mi"
        );
        let pod = target(None, Some("debug"), None);
        assert_eq!(
            pod.kubectl_set_resources(&CHANGE).unwrap(),
            "kubectl set resources pod/debug -n web --requests=cpu=250m,memory=768Mi --limits=memory=768Mi"
        );
        assert_eq!(
            target(None, None, None).kubectl_set_resources(&CHANGE),
            None
        );
    }

    #[test]
    fn the_patch_goes_where_each_kind_keeps_its_pod_template() {
        let resources = r#"{"containers":[{"name":"app","resources":{"requests":{"cpu":"250m","memory":"768Mi"},"limits":{"cpu":null,"memory":"768Mi"}}}]}"#;
        let patch = |kind: &str| {
            target(Some((kind, "x")), None, Some("app"))
                .strategic_merge_patch(&CHANGE)
                .unwrap()
        };
        assert_eq!(
            patch("StatefulSet"),
            format!(r#"{{"spec":{{"template":{{"spec":{resources}}}}}}}"#)
        );
        assert_eq!(
            patch("CronJob"),
            format!(
                r#"{{"spec":{{"jobTemplate":{{"spec":{{"template":{{"spec":{resources}}}}}}}}}}}"#
            )
        );
        let pod = target(None, Some("debug"), Some("app"));
        assert_eq!(
            pod.strategic_merge_patch(&CHANGE).unwrap(),
            format!(r#"{{"spec":{resources}}}"#)
        );
        // Containers merge by name: no name, no patch.
        assert_eq!(
            target(Some(("Deployment", "api")), None, None).strategic_merge_patch(&CHANGE),
            None
        );
        assert_eq!(json_escape("a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
    }
}
