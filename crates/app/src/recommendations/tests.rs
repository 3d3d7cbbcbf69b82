//! Tests of the recommendation use cases: generation (per workload, per container, profiles,
//! refresh and dismissal rules), the lifecycle, tenancy and scopes, against mocked ports.

use std::sync::Mutex;

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{ContainerUsageSeries, PodUsageSeries, UsagePoint};
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::{Owner, ResourceFigures};
use kcost_ports::{MockCache, MockMetricsStore, MockRecommendationRepository};
use kcost_recommender::Policy;
use rust_decimal::Decimal;

use super::*;
use crate::test_support::{clock, key_with, now, query_cache_over, tenant};

const GIB: u64 = 1 << 30;

/// A replica using 100 m and 1 GiB steadily against 1000 m / 4 GiB requests, sampled
/// every 10 minutes for `hours` up to now.
fn replica(name: &str, hours: i64) -> PodUsageSeries {
    let points = (0..hours * 6)
        .map(|i| UsagePoint {
            at: now() - Duration::minutes(10 * (hours * 6 - i)),
            seconds: 600,
            figures: ResourceFigures {
                cpu_usage: Millicores::new(100),
                memory_usage: Bytes::new(GIB),
                cpu_request: Millicores::new(1000),
                memory_request: Bytes::new(4 * GIB),
                cpu_limit: None,
                memory_limit: None,
            },
        })
        .collect();
    PodUsageSeries {
        cluster: ClusterName::new("prod").unwrap(),
        namespace: "web".into(),
        pod: name.into(),
        owner: Some(Owner {
            kind: "Deployment".into(),
            name: "api".into(),
        }),
        rates: ResourceRates::opencost_defaults(),
        points,
    }
}

fn metrics_with(series: Vec<PodUsageSeries>) -> MockMetricsStore {
    metrics_described(series, Vec::new())
}

fn metrics_described(
    series: Vec<PodUsageSeries>,
    descriptions: Vec<StoredPod>,
) -> MockMetricsStore {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_usage_series()
        .withf(|t, window, _| *t == tenant() && window.end() == now())
        .returning(move |_, _, _| Ok(series.clone()));
    metrics
        .expect_pod_descriptions()
        .withf(|t, _| *t == tenant())
        .returning(move |_, _| Ok(descriptions.clone()));
    metrics
        .expect_container_usage_series()
        .withf(|t, window, _| *t == tenant() && window.end() == now())
        .returning(|_, _, _| Ok(Vec::new()));
    metrics
}

/// `pod` of the `api` Deployment as stored, with these containers.
fn described(pod: &str, containers: &[&str]) -> StoredPod {
    StoredPod {
        description: kcost_domain::description::PodDescription {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            name: pod.into(),
            node: None,
            owner: Some(Owner {
                kind: "Deployment".into(),
                name: "api".into(),
            }),
            owner_inferred: false,
            labels: Default::default(),
            phase: None,
            qos_class: None,
            containers: containers.iter().map(|c| (*c).to_owned()).collect(),
        },
        first_seen: now(),
    }
}

/// `container` of replica `pod` of the `api` Deployment using `usage` (millicores,
/// bytes) steadily against `request`, for `hours` up to now.
fn container(
    pod: &str,
    container: &str,
    usage: (u64, u64),
    request: (u64, u64),
    hours: i64,
) -> ContainerUsageSeries {
    let mut series = replica(pod, hours);
    for point in &mut series.points {
        point.figures.cpu_usage = Millicores::new(usage.0);
        point.figures.memory_usage = Bytes::new(usage.1);
        point.figures.cpu_request = Millicores::new(request.0);
        point.figures.memory_request = Bytes::new(request.1);
    }
    ContainerUsageSeries {
        container: container.into(),
        usage: series,
    }
}

/// Both replicas of `api` with an `app` (400 m, 2 GiB of 800 m, 3 GiB) and a `sidecar`
/// (20 m, 64 MiB of 200 m, 1 GiB).
fn two_containers_per_replica() -> Vec<ContainerUsageSeries> {
    ["api-1", "api-2"]
        .into_iter()
        .flat_map(|pod| {
            [
                container(pod, "app", (400, 2 * GIB), (800, 3 * GIB), 48),
                container(pod, "sidecar", (20, 64 << 20), (200, GIB), 48),
            ]
        })
        .collect()
}

fn metrics_with_containers(
    series: Vec<PodUsageSeries>,
    containers: Vec<ContainerUsageSeries>,
) -> MockMetricsStore {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_usage_series()
        .returning(move |_, _, _| Ok(series.clone()));
    metrics
        .expect_container_usage_series()
        .withf(|t, window, _| *t == tenant() && window.end() == now())
        .returning(move |_, _, _| Ok(containers.clone()));
    metrics.expect_pod_descriptions().returning(|_, _| {
        Ok(vec![
            described("api-1", &["app", "sidecar"]),
            described("api-2", &["app", "sidecar"]),
        ])
    });
    metrics
}

#[tokio::test]
async fn a_two_container_workload_gets_each_containers_advice_from_all_replicas() {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with_containers(
            vec![replica("api-1", 48), replica("api-2", 48)],
            two_containers_per_replica(),
        ),
        repository_with(Vec::new(), saved.clone()),
    );
    let outcome = service.generate(&writer(), request()).await.unwrap();
    // One recommendation per (workload, container, resource); none for the pod as a whole.
    let mut targets: Vec<(Option<&str>, Resource)> = outcome
        .recommendations
        .iter()
        .map(|r| (r.target.container.as_deref(), r.resource))
        .collect();
    targets.sort_by_key(|(c, r)| (*c, r.as_str()));
    assert_eq!(
        targets,
        [
            (Some("app"), Resource::Cpu),
            (Some("app"), Resource::Memory),
            (Some("sidecar"), Resource::Cpu),
            (Some("sidecar"), Resource::Memory),
        ]
    );
    assert_eq!(saved.lock().unwrap().len(), 4);
    let rates = ResourceRates::opencost_defaults();
    for record in &outcome.recommendations {
        assert_eq!(
            record.target.workload,
            Some(("Deployment".into(), "api".into()))
        );
        // The container's own request, priced at the pod's rates, for both replicas.
        let current = match (record.target.container.as_deref(), record.resource) {
            (Some("app"), Resource::Cpu) => 800,
            (Some("app"), Resource::Memory) => 3 * GIB,
            (_, Resource::Cpu) => 200,
            (_, Resource::Memory) => GIB,
        };
        assert_eq!(record.current, current, "{record:?}");
        assert_eq!(
            record.monthly_savings,
            monthly_savings(record.resource, current, record.recommended, &rates, 2)
        );
    }
    let sidecar_cpu = outcome
        .recommendations
        .iter()
        .find(|r| r.target.container.as_deref() == Some("sidecar") && r.resource == Resource::Cpu)
        .unwrap();
    assert!(sidecar_cpu.recommended < 100, "{sidecar_cpu:?}");
    // One change per container: its command and patch name it.
    let mut workloads = outcome.workloads.clone();
    workloads.sort_by(|a, b| a.target.container.cmp(&b.target.container));
    assert_eq!(workloads.len(), 2);
    for (advice, name) in workloads.iter().zip(["app", "sidecar"]) {
        assert_eq!(advice.target.container.as_deref(), Some(name));
        assert_eq!(advice.replicas, 2);
        let memory = advice.change.memory_request_bytes >> 20;
        assert_eq!(
            advice.kubectl_command.as_deref().unwrap(),
            format!(
                "kubectl set resources deployment/api -n web -c {name} --requests=cpu={}m,memory={memory}Mi --limits=memory={memory}Mi",
                advice.change.cpu_request_millicores
            )
        );
        let patch = advice.patch.as_deref().unwrap();
        assert!(
            patch.starts_with(&format!(
                r#"{{"spec":{{"template":{{"spec":{{"containers":[{{"name":"{name}""#
            )),
            "{patch}"
        );
    }
    assert_eq!(workloads[0].current_cpu_millicores, 800);
    assert_eq!(workloads[1].current_memory_bytes, GIB);
}

/// A workload without container usage keeps being advised as a whole, beside one that
/// has it.
#[tokio::test]
async fn single_container_workloads_keep_their_advice_as_a_whole() {
    let mut lone = replica("debug", 48);
    lone.owner = None;
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with_containers(
            vec![replica("api-1", 48), replica("api-2", 48), lone],
            two_containers_per_replica(),
        ),
        repository_with(Vec::new(), saved),
    );
    let outcome = service.generate(&writer(), request()).await.unwrap();
    let debug: Vec<&Recommendation> = outcome
        .recommendations
        .iter()
        .filter(|r| r.target.pod.as_deref() == Some("debug"))
        .collect();
    assert_eq!(debug.len(), 2);
    assert!(debug.iter().all(|r| r.target.container.is_none()));
    // Its pod-level figures (1000 m requested), not any container's.
    assert!(debug.iter().any(|r| r.current == 1000));
    assert_eq!(outcome.recommendations.len(), 6);
    let debug_advice = outcome
        .workloads
        .iter()
        .find(|w| w.target.pod.as_deref() == Some("debug"))
        .unwrap();
    assert!(
        debug_advice
            .kubectl_command
            .as_deref()
            .unwrap()
            .starts_with("kubectl set resources pod/debug -n web --requests=")
    );
}

async fn workloads_advised(descriptions: Vec<StoredPod>) -> Vec<WorkloadAdvice> {
    let service = service(
        metrics_described(
            vec![replica("api-1", 48), replica("api-2", 48)],
            descriptions,
        ),
        repository_with(Vec::new(), Arc::new(Mutex::new(Vec::new()))),
    );
    service
        .generate(&writer(), request())
        .await
        .unwrap()
        .workloads
}

#[tokio::test]
async fn a_workload_gets_one_command_and_patch_for_its_container_with_both_savings() {
    let single = vec![described("api-1", &["app"]), described("api-2", &["app"])];
    let workloads = workloads_advised(single).await;
    assert_eq!(workloads.len(), 1);
    let advice = &workloads[0];
    assert_eq!(advice.target.container.as_deref(), Some("app"));
    assert_eq!(advice.replicas, 2);
    let memory = advice.change.memory_request_bytes;
    assert_eq!(advice.change.memory_limit_bytes, memory);
    assert_eq!(
        advice.kubectl_command.as_deref(),
        Some(
            format!(
                "kubectl set resources deployment/api -n web -c app --requests=cpu={}m,memory={}Mi --limits=memory={}Mi",
                advice.change.cpu_request_millicores,
                memory >> 20,
                memory >> 20
            )
            .as_str()
        )
    );
    let patch = advice.patch.as_deref().unwrap();
    assert!(patch.starts_with(r#"{"spec":{"template":{"spec":{"containers":[{"name":"app""#));
    // Both resources' savings, for both replicas.
    let rates = ResourceRates::opencost_defaults();
    let expected = monthly_savings(
        Resource::Cpu,
        1000,
        advice.change.cpu_request_millicores,
        &rates,
        2,
    ) + monthly_savings(Resource::Memory, 4 * GIB, memory, &rates, 2);
    assert_eq!(advice.monthly_savings, expected);
}

#[tokio::test]
async fn several_containers_get_no_command_and_unknown_ones_no_patch() {
    let several = vec![described("api-1", &["app", "sidecar"])];
    let advice = &workloads_advised(several).await[0];
    assert_eq!((&advice.kubectl_command, &advice.patch), (&None, &None));
    // Containers never described: the command covers the pod's (unknown) containers.
    let advice = &workloads_advised(Vec::new()).await[0];
    assert!(
        advice
            .kubectl_command
            .as_deref()
            .unwrap()
            .starts_with("kubectl set resources deployment/api -n web --requests=")
    );
    assert_eq!(advice.patch, None);
    // Replicas that disagree on their container's name: no name.
    let disagree = vec![described("api-1", &["app"]), described("api-2", &["web"])];
    assert_eq!(workloads_advised(disagree).await[0].target.container, None);
}

fn service(metrics: MockMetricsStore, repository: MockRecommendationRepository) -> Recommendations {
    let mut cache = MockCache::new();
    cache.expect_increment().returning(|_| Ok(1));
    service_with_cache(metrics, repository, cache)
}

fn service_with_cache(
    metrics: MockMetricsStore,
    repository: MockRecommendationRepository,
    cache: MockCache,
) -> Recommendations {
    Recommendations::new(
        Arc::new(metrics),
        Arc::new(repository),
        clock(),
        KcostRecommender::new(Policy::default()),
        query_cache_over(cache),
    )
}

fn writer() -> AuthenticatedKey {
    key_with(
        &[Scope::RecommendationsWrite, Scope::RecommendationsRead],
        None,
    )
}

fn request() -> GenerateRequest {
    GenerateRequest {
        lookback_hours: RECOMMENDED_LOOKBACK_HOURS,
        filter: CostFilter::default(),
        profile: None,
    }
}

/// The memory recommended for one replica's usage under `profile`.
async fn memory_advised(profile: Option<RiskProfile>) -> u64 {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with(vec![replica("api-1", 48)]),
        repository_with(Vec::new(), saved.clone()),
    );
    let request = GenerateRequest {
        profile,
        ..request()
    };
    let outcome = service.generate(&writer(), request).await.unwrap();
    let memory = outcome
        .recommendations
        .iter()
        .find(|r| r.resource == Resource::Memory)
        .unwrap();
    memory.recommended
}

#[tokio::test]
async fn the_profile_chooses_how_much_headroom_the_advice_keeps() {
    let conservative = memory_advised(Some(RiskProfile::Conservative)).await;
    let balanced = memory_advised(Some(RiskProfile::Balanced)).await;
    let aggressive = memory_advised(Some(RiskProfile::Aggressive)).await;
    assert!(conservative > balanced && balanced > aggressive);
    // No profile: the service's recommender, here the default (balanced) one.
    assert_eq!(memory_advised(None).await, balanced);
    // 1 GiB used: the aggressive profile keeps 512 MiB of headroom.
    assert_eq!(aggressive, GIB + 512 * (1 << 20));
}

/// A repository that knows `existing` (per resource) and records what is saved.
fn repository_with(
    existing: Vec<Recommendation>,
    saved: Arc<Mutex<Vec<Recommendation>>>,
) -> MockRecommendationRepository {
    let mut repository = MockRecommendationRepository::new();
    repository
        .expect_latest_for_target()
        .returning(move |_, _, resource| {
            Ok(existing.iter().find(|r| r.resource == resource).cloned())
        });
    repository.expect_save().returning(move |r| {
        saved.lock().unwrap().push(r.clone());
        Ok(())
    });
    repository
}

#[tokio::test]
async fn replicas_get_one_recommendation_per_resource_with_savings_for_all_of_them() {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with(vec![replica("api-1", 48), replica("api-2", 48)]),
        repository_with(Vec::new(), saved.clone()),
    );
    let outcome = service.generate(&writer(), request()).await.unwrap();
    assert_eq!(outcome.created, 2);
    assert_eq!(saved.lock().unwrap().len(), 2);
    let cpu = outcome
        .recommendations
        .iter()
        .find(|r| r.resource == Resource::Cpu)
        .unwrap();
    assert_eq!(cpu.status, RecommendationStatus::Open);
    assert_eq!(
        cpu.target.workload,
        Some(("Deployment".into(), "api".into()))
    );
    assert!(cpu.recommended >= 100 && cpu.recommended < 200, "{cpu:?}");
    // (1000 − recommended) m × 0.031611 × 730 h × 2 replicas, exactly.
    let expected = Decimal::from(1000 - cpu.recommended) / Decimal::ONE_THOUSAND
        * Decimal::new(31_611, 6)
        * Decimal::from(730)
        * Decimal::TWO;
    assert_eq!(cpu.monthly_savings, Money::from_decimal(expected));
    assert!(
        cpu.kubectl_command()
            .contains("deployment/api --requests=cpu=")
    );
    assert!(cpu.reason.contains("days of history"), "{}", cpu.reason);
    assert_eq!(
        outcome.total_monthly_savings,
        outcome
            .recommendations
            .iter()
            .map(|r| r.monthly_savings)
            .sum()
    );
}

/// A cache that expects the tenant's version bumped exactly `times` times.
fn invalidated(times: usize) -> MockCache {
    let mut cache = MockCache::new();
    cache
        .expect_increment()
        .withf(|key| key.contains(&tenant().to_string()))
        .times(times)
        .returning(|_| Ok(1));
    cache
}

/// Generating, applying and dismissing change what cached answers (Kubecent's savings)
/// would say: each makes the tenant's cached answers unreachable.
#[tokio::test]
async fn every_change_of_recommendations_invalidates_the_query_cache() {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service_with_cache(
        metrics_with(vec![replica("api-1", 48)]),
        repository_with(Vec::new(), saved.clone()),
        invalidated(1),
    );
    service.generate(&writer(), request()).await.unwrap();
    let record = saved.lock().unwrap()[0].clone();
    for close in ["apply", "dismiss"] {
        let mut repository = repository_holding(record.clone());
        repository.expect_transition().returning(|_, _| Ok(()));
        let service = service_with_cache(MockMetricsStore::new(), repository, invalidated(1));
        match close {
            "apply" => service.apply(&writer(), record.id).await.map(drop),
            _ => service.dismiss(&writer(), record.id, None).await.map(drop),
        }
        .unwrap();
    }
}

async fn first_run() -> Vec<Recommendation> {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with(vec![replica("api-1", 48)]),
        repository_with(Vec::new(), saved.clone()),
    );
    service.generate(&writer(), request()).await.unwrap();
    saved.lock().unwrap().clone()
}

#[tokio::test]
async fn regenerating_refreshes_the_open_recommendation_instead_of_duplicating() {
    let existing = first_run().await;
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service = service(
        metrics_with(vec![replica("api-1", 72)]),
        repository_with(existing.clone(), saved.clone()),
    );
    let outcome = service.generate(&writer(), request()).await.unwrap();
    assert_eq!((outcome.created, outcome.refreshed), (0, 2));
    let saved = saved.lock().unwrap();
    for record in saved.iter() {
        let before = existing
            .iter()
            .find(|r| r.resource == record.resource)
            .unwrap();
        assert_eq!(record.id, before.id);
        assert_eq!(record.created_at, before.created_at);
        assert_eq!(record.status, RecommendationStatus::Open);
    }
}

#[tokio::test]
async fn a_dismissed_recommendation_stays_dismissed_unless_the_advice_changes_materially() {
    let mut existing = first_run().await;
    for record in &mut existing {
        record
            .dismiss(None, Some("batch job".into()), now())
            .unwrap();
    }
    let saved = Arc::new(Mutex::new(Vec::new()));
    let service_same = service(
        metrics_with(vec![replica("api-1", 48)]),
        repository_with(existing.clone(), saved.clone()),
    );
    let outcome = service_same.generate(&writer(), request()).await.unwrap();
    assert_eq!((outcome.created, outcome.kept_dismissed), (0, 2));
    assert!(saved.lock().unwrap().is_empty());

    // Usage tripled: the advice moved by far more than the material threshold.
    let mut busier = replica("api-1", 48);
    for point in &mut busier.points {
        point.figures.cpu_usage = Millicores::new(300);
        point.figures.memory_usage = Bytes::new(3 * GIB);
    }
    let service_changed = service(
        metrics_with(vec![busier]),
        repository_with(existing.clone(), saved.clone()),
    );
    let outcome = service_changed
        .generate(&writer(), request())
        .await
        .unwrap();
    assert_eq!(outcome.created, 2);
    let saved = saved.lock().unwrap();
    assert!(saved.iter().all(|r| existing.iter().all(|e| e.id != r.id)));
}

#[test]
fn material_change_rules() {
    let advice = |current, recommended| ResourceAdvice {
        resource: Resource::Cpu,
        current,
        recommended,
        reason: String::new(),
    };
    let mut dismissed = Recommendation {
        id: RecommendationId::from_uuid(Uuid::nil()),
        tenant_id: tenant(),
        target: RecommendationTarget {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            workload: None,
            pod: Some("p".into()),
            container: None,
        },
        resource: Resource::Cpu,
        current: 1000,
        recommended: 400,
        monthly_savings: Money::ZERO,
        confidence: Confidence::new(Decimal::ONE).unwrap(),
        reason: String::new(),
        status: RecommendationStatus::Dismissed,
        created_at: now(),
        updated_at: now(),
        closed_by: None,
        close_reason: None,
    };
    assert!(!changed_materially(&dismissed, &advice(1000, 450)));
    assert!(changed_materially(&dismissed, &advice(1000, 250)));
    // A saving that turned into a needed increase always comes back.
    assert!(changed_materially(&dismissed, &advice(300, 450)));
    // Tiny values differ by less than the noise floor.
    dismissed.current = 20;
    dismissed.recommended = 12;
    assert!(!changed_materially(&dismissed, &advice(20, 18)));
    assert!(!worth_recommending(&advice(1000, 950)));
    assert!(worth_recommending(&advice(1000, 400)));
    assert!(worth_recommending(&advice(100, 200)));
}

#[tokio::test]
async fn too_little_history_is_skipped_with_the_reason() {
    let mut repository = MockRecommendationRepository::new();
    repository.expect_save().never();
    let service = service(metrics_with(vec![replica("api-1", 3)]), repository);
    let outcome = service.generate(&writer(), request()).await.unwrap();
    assert!(outcome.recommendations.is_empty());
    assert_eq!(outcome.skipped.len(), 1);
    assert!(outcome.skipped[0].reason.contains("h of usage history"));
}

#[tokio::test]
async fn generation_needs_the_write_scope_and_a_sane_lookback() {
    let service = service(MockMetricsStore::new(), MockRecommendationRepository::new());
    let reader = key_with(&[Scope::RecommendationsRead], None);
    assert!(matches!(
        service.generate(&reader, request()).await,
        Err(RecommendationError::Forbidden(AuthError::MissingScope(
            Scope::RecommendationsWrite
        )))
    ));
    for lookback_hours in [0, MAX_LOOKBACK_HOURS + 1] {
        let request = GenerateRequest {
            lookback_hours,
            ..request()
        };
        assert!(matches!(
            service.generate(&writer(), request).await,
            Err(RecommendationError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn an_unavailable_store_is_reported_as_such() {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_usage_series().returning(|_, _, _| {
        Err(kcost_ports::MetricsStoreError::unavailable(
            anyhow::anyhow!("down"),
        ))
    });
    let service = service(metrics, MockRecommendationRepository::new());
    assert!(matches!(
        service.generate(&writer(), request()).await,
        Err(RecommendationError::Failed(
            kcost_ports::BackendFailure::Unavailable(_)
        ))
    ));
}

async fn one_open() -> Recommendation {
    first_run().await.remove(0)
}

fn repository_holding(record: Recommendation) -> MockRecommendationRepository {
    let mut repository = MockRecommendationRepository::new();
    let id = record.id;
    repository.expect_get().returning(move |t, wanted| {
        if t == tenant() && wanted == id {
            Ok(record.clone())
        } else {
            Err(RecommendationRepositoryError::NotFound)
        }
    });
    repository
}

#[tokio::test]
async fn apply_closes_an_open_recommendation_through_a_guarded_transition() {
    let record = one_open().await;
    let mut repository = repository_holding(record.clone());
    repository
        .expect_transition()
        .withf(|from, updated| {
            *from == RecommendationStatus::Open && updated.status == RecommendationStatus::Applied
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let service = service(MockMetricsStore::new(), repository);
    let applied = service.apply(&writer(), record.id).await.unwrap();
    assert_eq!(applied.status, RecommendationStatus::Applied);
    assert_eq!(applied.closed_by, Some(writer().key_id.to_string()));
}

#[tokio::test]
async fn closing_twice_concurrently_or_unknown_ids_are_clear_errors() {
    let mut record = one_open().await;
    record.apply(None, now()).unwrap();
    let service_closed = service(MockMetricsStore::new(), repository_holding(record.clone()));
    assert!(matches!(
        service_closed.dismiss(&writer(), record.id, None).await,
        Err(RecommendationError::AlreadyClosed(
            TransitionError::AlreadyClosed(RecommendationStatus::Applied)
        ))
    ));
    let open = one_open().await;
    let mut repository = repository_holding(open.clone());
    repository
        .expect_transition()
        .returning(|_, _| Err(RecommendationRepositoryError::Conflict));
    let service_racing = service(MockMetricsStore::new(), repository);
    assert!(matches!(
        service_racing.apply(&writer(), open.id).await,
        Err(RecommendationError::ChangedConcurrently)
    ));
    let other = RecommendationId::from_uuid(Uuid::from_u128(42));
    assert!(matches!(
        service_racing.get(&writer(), other).await,
        Err(RecommendationError::NotFound)
    ));
}

#[tokio::test]
async fn dismiss_keeps_a_trimmed_reason_and_refuses_an_overlong_one() {
    let record = one_open().await;
    let mut repository = repository_holding(record.clone());
    repository.expect_transition().returning(|_, _| Ok(()));
    let service = service(MockMetricsStore::new(), repository);
    let dismissed = service
        .dismiss(&writer(), record.id, Some("  batch job  ".into()))
        .await
        .unwrap();
    assert_eq!(dismissed.status, RecommendationStatus::Dismissed);
    assert_eq!(dismissed.close_reason.as_deref(), Some("batch job"));
    assert!(matches!(
        service
            .dismiss(&writer(), record.id, Some("x".repeat(MAX_REASON_CHARS + 1)))
            .await,
        Err(RecommendationError::Invalid(_))
    ));
}

#[tokio::test]
async fn listing_is_scoped_to_the_tenant_and_needs_the_read_scope() {
    let mut repository = MockRecommendationRepository::new();
    repository
        .expect_list()
        .withf(|t, filter, page| {
            *t == tenant()
                && filter.status == Some(RecommendationStatus::Open)
                && page.limit() == 10
        })
        .returning(|_, _, _| {
            Ok(RecommendationPage {
                items: Vec::new(),
                total: 0,
            })
        });
    let service = service(MockMetricsStore::new(), repository);
    let filter = RecommendationFilter {
        status: Some(RecommendationStatus::Open),
        ..RecommendationFilter::default()
    };
    let page = Page::new(10, 0).unwrap();
    assert_eq!(
        service.list(&writer(), &filter, page).await.unwrap().total,
        0
    );
    let costs_only = key_with(&[Scope::CostsRead], None);
    assert!(matches!(
        service.list(&costs_only, &filter, page).await,
        Err(RecommendationError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_workload_advised_per_container_dismisses_its_whole_workload_recommendations() {
    // Before containers were sent, the api Deployment had one open CPU recommendation as a
    // whole; its memory one had been dismissed by a person.
    let whole = |resource: Resource, status: RecommendationStatus| Recommendation {
        id: RecommendationId::from_uuid(Uuid::new_v4()),
        tenant_id: tenant(),
        target: RecommendationTarget {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".into(),
            workload: Some(("Deployment".into(), "api".into())),
            pod: None,
            container: None,
        },
        resource,
        current: 1000,
        recommended: 400,
        monthly_savings: Money::ZERO,
        confidence: Confidence::new(Decimal::ONE).unwrap(),
        reason: String::new(),
        status,
        created_at: now(),
        updated_at: now(),
        closed_by: None,
        close_reason: None,
    };
    let earlier = [
        whole(Resource::Cpu, RecommendationStatus::Open),
        whole(Resource::Memory, RecommendationStatus::Dismissed),
    ];
    let mut repository = MockRecommendationRepository::new();
    repository
        .expect_latest_for_target()
        .returning(move |_, target, resource| {
            Ok(earlier
                .iter()
                .find(|r| r.target == *target && r.resource == resource)
                .cloned())
        });
    repository.expect_save().returning(|_| Ok(()));
    let closed = Arc::new(Mutex::new(Vec::new()));
    let keep = closed.clone();
    repository
        .expect_transition()
        .returning(move |from, updated| {
            keep.lock().unwrap().push((from, updated.clone()));
            Ok(())
        });
    let service = service(
        metrics_with_containers(
            vec![replica("api-1", 48), replica("api-2", 48)],
            two_containers_per_replica(),
        ),
        repository,
    );
    let outcome = service.generate(&writer(), request()).await.unwrap();
    assert_eq!(outcome.superseded, 1);
    let closed = closed.lock().unwrap().clone();
    assert_eq!(closed.len(), 1, "only the open one is closed");
    let (from, dismissed) = &closed[0];
    assert_eq!(*from, RecommendationStatus::Open);
    assert_eq!(dismissed.resource, Resource::Cpu);
    assert_eq!(dismissed.target.container, None);
    assert_eq!(dismissed.status, RecommendationStatus::Dismissed);
    assert_eq!(
        dismissed.close_reason.as_deref(),
        Some(SUPERSEDED_BY_CONTAINERS)
    );
    assert_eq!(dismissed.closed_by, Some(writer().key_id.to_string()));
    // The containers got their own four.
    assert!(
        outcome
            .recommendations
            .iter()
            .all(|r| r.target.container.is_some())
    );
    assert_eq!(outcome.recommendations.len(), 4);
}
