//! The server under test: loopback only (a load test is not something to point at a
//! shared server by accident), and the API key to load it with — given, or made for a
//! fresh tenant through the admin API so the bench's data stays apart.

use anyhow::{Context, bail};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};

/// Checks that `url` names this machine.
pub fn ensure_loopback(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("--url {url}"))?;
    match parsed.host_str() {
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1") => Ok(()),
        _ => bail!(
            "kcost bench only loads a server on this machine (127.0.0.1, localhost, [::1]); got {url}"
        ),
    }
}

/// `Authorization: ApiKey …`, marked sensitive so it never shows in logs.
pub fn api_key_header(api_key: &str) -> anyhow::Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("ApiKey {}", api_key.trim()))
        .map_err(|_| anyhow::anyhow!("the API key contains characters not allowed in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Creates tenant `name` and a key with every scope; returns the key (`<id>:<secret>`).
pub async fn fresh_tenant_key(
    http: &reqwest::Client,
    base: &str,
    admin_token: &str,
    name: &str,
) -> anyhow::Result<String> {
    let mut admin =
        HeaderValue::from_str(&format!("Bearer {}", admin_token.trim())).map_err(|_| {
            anyhow::anyhow!("the admin token contains characters not allowed in a header")
        })?;
    admin.set_sensitive(true);
    let tenant = post_json(
        http,
        &format!("{base}/v1/admin/tenants"),
        &admin,
        serde_json::json!({ "name": name }),
    )
    .await?;
    let tenant_id = tenant["tenant_id"]
        .as_str()
        .context("tenant_id in the answer")?;
    let key = post_json(
        http,
        &format!("{base}/v1/admin/api_keys"),
        &admin,
        serde_json::json!({ "tenant_id": tenant_id, "scopes": ["*"], "name": "kcost bench" }),
    )
    .await?;
    Ok(key["api_key"]
        .as_str()
        .context("api_key in the answer")?
        .to_owned())
}

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    authorization: &HeaderValue,
    body: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let response = http
        .post(url)
        .header(AUTHORIZATION, authorization.clone())
        .json(&body)
        .send()
        .await
        .map_err(reqwest::Error::without_url)?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    if status != StatusCode::CREATED {
        bail!(
            "{url}: {status} {}",
            answer["error"].as_str().unwrap_or_default()
        );
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_loaded() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:8080/",
        ] {
            assert!(ensure_loopback(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.0.0.1:8080",
            "https://kcost.example.com",
            "not a url",
        ] {
            assert!(ensure_loopback(refused).is_err(), "{refused}");
        }
    }
}
