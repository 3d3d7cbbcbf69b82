//! Recommendation repository cases.

use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::recommendation::{RecommendationId, RecommendationStatus, Resource};
use kcost_ports::{Page, RecommendationFilter, RecommendationRepositoryError};
use uuid::Uuid;

use super::fixtures::{at, dec, recommendation, stored_tenant, target};
use crate::support::Repositories;

pub async fn recommendations_are_saved_read_and_replaced_exactly(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    // Ten decimal places and a negative saving (an increase for safety) survive exactly.
    let mut rec = recommendation(
        tenant.id,
        target("prod", "web", "api"),
        "1234567.8912345678",
        0,
    );
    rec.target.workload = None;
    rec.target.pod = Some("api-0".into());
    rec.target.container = None;
    rec.resource = Resource::Memory;
    rec.current = 4 << 30;
    rec.recommended = 3 << 30;
    repos.recommendations.save(&rec).await.unwrap();
    assert_eq!(
        repos.recommendations.get(tenant.id, rec.id).await.unwrap(),
        rec
    );

    let mut replaced = rec.clone();
    replaced.monthly_savings = Money::from_decimal(dec("-0.0000000001"));
    replaced.recommended = 5 << 30;
    replaced.reason = "OOM kills in the last 7 days".into();
    replaced.updated_at = at(60);
    repos.recommendations.save(&replaced).await.unwrap();
    let stored = repos.recommendations.get(tenant.id, rec.id).await.unwrap();
    assert_eq!(stored, replaced);
    assert_eq!(stored.monthly_savings.amount(), dec("-0.0000000001"));

    let unknown = RecommendationId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        repos.recommendations.get(tenant.id, unknown).await,
        Err(RecommendationRepositoryError::NotFound)
    ));
}

pub async fn recommendations_are_listed_by_savings_with_filters_and_pages(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let small = recommendation(tenant.id, target("prod", "web", "api"), "1.50", 0);
    let large = recommendation(tenant.id, target("prod", "web", "worker"), "120.25", 1);
    // As text, "9…" would sort above "120.25": savings must compare as numbers, down to
    // the tenth decimal place.
    let medium_a = recommendation(tenant.id, target("prod", "batch", "etl"), "9.0000000002", 2);
    let medium_b = recommendation(tenant.id, target("dev", "web", "api"), "9.0000000001", 3);
    let mut dismissed = recommendation(tenant.id, target("prod", "web", "cron"), "50", 4);
    dismissed.status = RecommendationStatus::Dismissed;
    for rec in [&small, &large, &medium_a, &medium_b, &dismissed] {
        repos.recommendations.save(rec).await.unwrap();
    }
    let list = async |filter: RecommendationFilter, page: Page| {
        let listed = repos.recommendations.list(tenant.id, &filter, page).await;
        listed.unwrap()
    };

    let all = list(RecommendationFilter::default(), Page::default()).await;
    assert_eq!(all.total, 5);
    assert_eq!(
        all.items,
        vec![
            large.clone(),
            dismissed.clone(),
            medium_a.clone(),
            medium_b.clone(),
            small.clone()
        ]
    );

    let open = RecommendationFilter {
        status: Some(RecommendationStatus::Open),
        ..Default::default()
    };
    let second_page = list(open.clone(), Page::new(2, 2).unwrap()).await;
    assert_eq!(second_page.total, 4);
    assert_eq!(second_page.items, vec![medium_b.clone(), small.clone()]);
    let past_the_end = list(open, Page::new(2, 10).unwrap()).await;
    assert_eq!((past_the_end.total, past_the_end.items.len()), (4, 0));

    let prod_web = RecommendationFilter {
        cluster: Some(ClusterName::new("prod").unwrap()),
        namespace: Some("web".into()),
        ..Default::default()
    };
    let page = list(prod_web, Page::default()).await;
    assert_eq!(page.total, 3);
    assert_eq!(page.items, vec![large, dismissed.clone(), small]);

    let dismissed_in_dev = RecommendationFilter {
        status: Some(RecommendationStatus::Dismissed),
        cluster: Some(ClusterName::new("dev").unwrap()),
        namespace: None,
    };
    let none = list(dismissed_in_dev, Page::default()).await;
    assert_eq!((none.total, none.items), (0, vec![]));
}

pub async fn latest_for_target_is_the_newest_open_or_dismissed(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let api = target("prod", "web", "api");
    let mut applied = recommendation(tenant.id, api.clone(), "5", 30);
    applied.status = RecommendationStatus::Applied;
    let mut dismissed = recommendation(tenant.id, api.clone(), "4", 20);
    dismissed.status = RecommendationStatus::Dismissed;
    let old_open = recommendation(tenant.id, api.clone(), "3", 10);
    let mut other_resource = recommendation(tenant.id, api.clone(), "2", 40);
    other_resource.resource = Resource::Memory;
    let mut other_container = api.clone();
    other_container.container = None;
    let elsewhere = recommendation(tenant.id, other_container.clone(), "1", 50);
    for rec in [&applied, &dismissed, &old_open, &other_resource, &elsewhere] {
        repos.recommendations.save(rec).await.unwrap();
    }
    let latest = async |target, resource| {
        let recommendations = &repos.recommendations;
        recommendations
            .latest_for_target(tenant.id, &target, resource)
            .await
            .unwrap()
    };
    assert_eq!(latest(api.clone(), Resource::Cpu).await, Some(dismissed));
    assert_eq!(
        latest(api.clone(), Resource::Memory).await,
        Some(other_resource)
    );
    assert_eq!(
        latest(other_container, Resource::Cpu).await,
        Some(elsewhere)
    );
    assert_eq!(
        latest(target("prod", "web", "nope"), Resource::Cpu).await,
        None
    );
}

pub async fn transitions_are_compare_and_set(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let rec = recommendation(tenant.id, target("prod", "web", "api"), "10", 0);
    repos.recommendations.save(&rec).await.unwrap();

    let mut applied = rec.clone();
    applied.apply(Some("alice".into()), at(5)).unwrap();
    repos
        .recommendations
        .transition(RecommendationStatus::Open, &applied)
        .await
        .unwrap();
    assert_eq!(
        repos.recommendations.get(tenant.id, rec.id).await.unwrap(),
        applied
    );

    // A concurrent dismissal that still believes the recommendation is open loses.
    let mut dismissed = rec.clone();
    dismissed
        .dismiss(Some("bob".into()), Some("batch job".into()), at(6))
        .unwrap();
    assert!(matches!(
        repos
            .recommendations
            .transition(RecommendationStatus::Open, &dismissed)
            .await,
        Err(RecommendationRepositoryError::Conflict)
    ));
    assert_eq!(
        repos.recommendations.get(tenant.id, rec.id).await.unwrap(),
        applied
    );

    let mut unknown = dismissed.clone();
    unknown.id = RecommendationId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        repos
            .recommendations
            .transition(RecommendationStatus::Open, &unknown)
            .await,
        Err(RecommendationRepositoryError::NotFound)
    ));
}
