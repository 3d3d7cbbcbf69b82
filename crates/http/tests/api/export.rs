//! `GET /v1/export/focus`: the CSV streamed day by day, its header and lines, the errors
//! answered before streaming, and a store failing part-way leaving the body incomplete.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::test::{TestRequest, call_service};
use chrono::{TimeZone, Utc};
use kcost_domain::allocation::sums::{NodeIdleSums, PodWindowSums, ResourceSeconds, WindowSums};
use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::CostBreakdown;
use kcost_domain::description::PodDescription;
use kcost_domain::money::Money;
use kcost_domain::snapshot::Owner;
use kcost_domain::tenant::{Tenant, TenantName};
use kcost_ports::MetricsStoreError;
use kcost_test_support::csv::records;
use rust_decimal::Decimal;

use crate::support::{Mocks, TestKey, app, now, send, tenant};

const TWO_DAYS: &str = "/v1/export/focus?window=2026-11-18T12:00:00Z,2026-11-20T00:00:00Z";

fn usd(text: &str) -> Money {
    Money::from_decimal(text.parse().unwrap())
}

fn pod(name: &str, owner: Option<&str>, cpu: &str) -> PodWindowSums {
    PodWindowSums {
        pod: PodDescription {
            cluster: ClusterName::new("prod").unwrap(),
            namespace: "web".to_owned(),
            name: name.to_owned(),
            node: Some("n1".to_owned()),
            owner: owner.map(|name| Owner {
                kind: "Deployment".to_owned(),
                name: name.to_owned(),
            }),
            owner_inferred: false,
            labels: [("team".to_owned(), "shop".to_owned())].into(),
            phase: None,
            qos_class: None,
            containers: vec![],
        },
        cost: CostBreakdown {
            cpu: usd(cpu),
            memory: usd("0.0000000003"),
            ..CostBreakdown::default()
        },
        resources: ResourceSeconds {
            seconds: Decimal::from(3_600),
            ..ResourceSeconds::default()
        },
    }
}

/// Two pods of one deployment and an unowned pod, and a node's idle.
fn sums() -> WindowSums {
    WindowSums {
        pods: vec![
            pod("api-1", Some("api"), "1.1111111111"),
            pod("api-2", Some("api"), "2"),
            pod("debug", None, "0.5"),
        ],
        nodes: vec![NodeIdleSums {
            cluster: ClusterName::new("prod").unwrap(),
            node: "n1".to_owned(),
            idle_cpu: usd("0.75"),
            idle_ram: usd("0.0000000001"),
        }],
        containers: vec![],
    }
}

fn mocks_with_tenant() -> Mocks {
    let mut mocks = Mocks::new();
    mocks.tenants.expect_get().returning(|id| {
        Ok(Tenant {
            id,
            name: TenantName::new("acme").unwrap(),
            created_at: now(),
        })
    });
    mocks
}

fn get(uri: &str, key: TestKey) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header((AUTHORIZATION, format!("ApiKey {}", key.text())))
}

/// The whole body as text, or `None` if it ended in an error.
async fn body_text<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> Option<String> {
    let bytes = actix_web::body::to_bytes(response.into_body()).await.ok()?;
    Some(String::from_utf8(bytes.to_vec()).unwrap())
}

#[actix_web::test]
async fn the_window_streams_as_focus_csv_one_day_at_a_time() {
    let mut mocks = mocks_with_tenant();
    mocks
        .metrics
        .expect_window_sums()
        .withf(|t, _| *t == tenant())
        .times(2)
        .returning(|_, _| Ok(sums()));
    let state = mocks.into_state();
    let app = app!(state);
    let response = call_service(&app, get(TWO_DAYS, TestKey::Reader).to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        headers.get(CONTENT_TYPE).unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        headers.get(CONTENT_DISPOSITION).unwrap(),
        "attachment; filename=\"kcost-focus-20261118T120000Z-20261120T000000Z.csv\""
    );
    let records = records(&body_text(response).await.expect("a whole body"));
    let header = &records[0];
    assert_eq!(header[0], "BilledCost");
    assert!(header.iter().all(|name| !name.is_empty()));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let lines = &records[1..];
    // Per day: the deployment, the unowned pod, the cluster's idle.
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|line| line.len() == header.len()));
    let described: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l[column("ChargePeriodStart")].as_str(),
                l[column("ResourceType")].as_str(),
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            ("2026-11-18T12:00:00Z", "Deployment"),
            ("2026-11-18T12:00:00Z", "Pod"),
            ("2026-11-18T12:00:00Z", "Cluster"),
            ("2026-11-19T00:00:00Z", "Deployment"),
            ("2026-11-19T00:00:00Z", "Pod"),
            ("2026-11-19T00:00:00Z", "Cluster"),
        ]
    );
    let deployment = &lines[0];
    assert_eq!(deployment[column("BilledCost")], "3.1111111117");
    assert_eq!(deployment[column("PricingQuantity")], "2", "two pod-hours");
    assert_eq!(deployment[column("BillingAccountName")], "acme");
    let tags: serde_json::Value = serde_json::from_str(&deployment[column("Tags")]).unwrap();
    assert_eq!(tags["team"], "shop");
    assert_eq!(lines[2][column("BilledCost")], "0.7500000001");

    // Every line's cost, exactly: the pods' and the idle of both days.
    let billed: Decimal = lines
        .iter()
        .map(|l| l[column("BilledCost")].parse::<Decimal>().unwrap())
        .sum();
    let per_day: Decimal = sums()
        .pods
        .iter()
        .map(|p| p.cost.total().amount())
        .sum::<Decimal>()
        + usd("0.7500000001").amount();
    assert_eq!(billed, per_day * Decimal::from(2));
}

#[actix_web::test]
async fn a_window_without_data_is_the_header_alone() {
    let mut mocks = mocks_with_tenant();
    mocks
        .metrics
        .expect_window_sums()
        .returning(|_, _| Ok(WindowSums::default()));
    let state = mocks.into_state();
    let app = app!(state);
    let response = call_service(&app, get(TWO_DAYS, TestKey::All).to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_text(response).await.expect("a whole body");
    assert_eq!(records(&body).len(), 1);
}

#[actix_web::test]
async fn bad_windows_and_missing_scopes_are_refused_before_any_read() {
    let mut mocks = Mocks::new();
    mocks.metrics.expect_window_sums().never();
    mocks.tenants.expect_get().never();
    let state = mocks.into_state();
    let app = app!(state);
    for uri in [
        "/v1/export/focus?window=fortnight",
        "/v1/export/focus?window=2026-11-20T00:00:00Z,2026-11-19T00:00:00Z",
        "/v1/export/focus?window=500d",
        "/v1/export/focus?window=7d&start_time=2026-11-19T00:00:00Z",
    ] {
        let (status, _, body) = send!(app, get(uri, TestKey::Reader));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["code"], "invalid_window", "{uri}");
    }
    let (status, _, body) = send!(app, get(TWO_DAYS, TestKey::Writer));
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("costs:read"),
        "{body}"
    );
    let (status, _, _) = send!(app, TestRequest::get().uri(TWO_DAYS));
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_store_down_from_the_start_is_a_503() {
    let mut mocks = mocks_with_tenant();
    mocks
        .metrics
        .expect_window_sums()
        .times(1)
        .returning(|_, _| Err(MetricsStoreError::unavailable(anyhow::anyhow!("down"))));
    let state = mocks.into_state();
    let app = app!(state);
    let (status, headers, body) = send!(app, get(TWO_DAYS, TestKey::Reader));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.get("retry-after").is_some());
    assert_eq!(body["code"], "unavailable");
}

#[actix_web::test]
async fn a_store_failing_part_way_leaves_the_body_incomplete() {
    let mut mocks = mocks_with_tenant();
    let first_day = Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap();
    mocks
        .metrics
        .expect_window_sums()
        .times(2)
        .returning(move |_, window| {
            if window.start() == first_day {
                Ok(sums())
            } else {
                Err(MetricsStoreError::unavailable(anyhow::anyhow!("down")))
            }
        });
    let state = mocks.into_state();
    let app = app!(state);
    let response = call_service(&app, get(TWO_DAYS, TestKey::Reader).to_request()).await;
    assert_eq!(response.status(), StatusCode::OK, "streaming had begun");
    assert!(
        body_text(response).await.is_none(),
        "the body ends in an error, not as a shorter file"
    );
}

#[actix_web::test]
async fn the_openapi_document_describes_a_csv_answer() {
    let state = Mocks::new().into_state();
    let app = app!(state);
    let (_, _, doc) = send!(app, TestRequest::get().uri("/openapi.json"));
    let operation = &doc["paths"]["/v1/export/focus"]["get"];
    assert!(
        operation["responses"]["200"]["content"]["text/csv; charset=utf-8"].is_object(),
        "{operation}"
    );
    let params: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["start_time", "end_time", "window"]);
}

/// On the wire: a store failing part-way closes the connection without the chunked
/// encoding's last chunk, which is how HTTP clients know the body is incomplete.
#[actix_web::test]
async fn on_the_wire_a_failure_part_way_withholds_the_last_chunk() {
    let mut mocks = mocks_with_tenant();
    let first_day = Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap();
    mocks
        .metrics
        .expect_window_sums()
        .returning(move |_, window| {
            if window.start() == first_day {
                Ok(sums())
            } else {
                Err(MetricsStoreError::unavailable(anyhow::anyhow!("down")))
            }
        });
    let http_app = kcost_http::HttpApp::new(mocks.into_state(), 0, vec![]).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = actix_web::HttpServer::new(move || http_app.app())
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let key = TestKey::Reader.text();
    let raw = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {TWO_DAYS} HTTP/1.1\r\nHost: kcost\r\nAuthorization: ApiKey {key}\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        // The server closes the connection: reading ends.
        // Ends when the server closes the connection (cleanly or by a reset).
        let _ = stream.read_to_end(&mut raw);
        String::from_utf8(raw).unwrap()
    })
    .await
    .unwrap();
    handle.stop(false).await;

    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{raw}"
    );
    assert!(
        raw.contains("Deployment web/api on cluster prod"),
        "the first day was sent"
    );
    assert!(!raw.ends_with("0\r\n\r\n"), "no last chunk: {raw}");
}
