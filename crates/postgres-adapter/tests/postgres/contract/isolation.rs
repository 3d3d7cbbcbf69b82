//! Tenant isolation: tenant B never sees, changes or learns about tenant A's rows.

use kcost_domain::pricing::PriceOverride;
use kcost_domain::recommendation::RecommendationStatus;
use kcost_ports::{
    Page, PriceRepositoryError, RecommendationFilter, RecommendationRepositoryError,
};

use super::fixtures::{api_key, at, dec, recommendation, stored_tenant, target};
use crate::support::Repositories;

pub async fn tenants_never_see_each_others_rows(repos: &Repositories) {
    let a = stored_tenant(repos, "tenant-a").await;
    let b = stored_tenant(repos, "tenant-b").await;

    let key = api_key(a.id, 1);
    repos.api_keys.insert(&key).await.unwrap();
    assert_eq!(repos.api_keys.list(b.id).await.unwrap(), vec![]);
    assert_eq!(repos.api_keys.list(a.id).await.unwrap(), vec![key]);

    let price = PriceOverride::new("m5.xlarge", dec("0.15")).unwrap();
    repos.prices.put(a.id, &price).await.unwrap();
    assert_eq!(repos.prices.overrides(b.id).await.unwrap(), vec![]);
    assert!(matches!(
        repos.prices.delete(b.id, "m5.xlarge").await,
        Err(PriceRepositoryError::NotFound(_))
    ));
    assert_eq!(repos.prices.overrides(a.id).await.unwrap(), vec![price]);

    let rec = recommendation(a.id, target("prod", "web", "api"), "10", 0);
    repos.recommendations.save(&rec).await.unwrap();
    let b_page = repos
        .recommendations
        .list(b.id, &RecommendationFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!((b_page.total, b_page.items), (0, vec![]));
    assert!(matches!(
        repos.recommendations.get(b.id, rec.id).await,
        Err(RecommendationRepositoryError::NotFound)
    ));
    assert_eq!(
        repos
            .recommendations
            .latest_for_target(b.id, &rec.target, rec.resource)
            .await
            .unwrap(),
        None
    );

    // B cannot take over or close A's recommendation by reusing its id.
    let mut hijack = rec.clone();
    hijack.tenant_id = b.id;
    hijack.reason = "hijacked".into();
    assert!(matches!(
        repos.recommendations.save(&hijack).await,
        Err(RecommendationRepositoryError::NotFound)
    ));
    hijack.apply(None, at(5)).unwrap();
    assert!(matches!(
        repos
            .recommendations
            .transition(RecommendationStatus::Open, &hijack)
            .await,
        Err(RecommendationRepositoryError::NotFound)
    ));
    assert_eq!(repos.recommendations.get(a.id, rec.id).await.unwrap(), rec);
}
