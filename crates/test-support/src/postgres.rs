//! Throw-away PostgreSQL databases: one per test, named `kcost_test_<uuid>`, dropped with
//! `WITH (FORCE)` by [`ThrowawayDatabase::drop_now`] or, when a failing test never gets
//! there, by `Drop`.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The server the tests use when `KCOST_TEST_DATABASE_URL` is not set.
const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server of the tests: `KCOST_TEST_DATABASE_URL`, or the local default.
pub fn server_url() -> String {
    std::env::var("KCOST_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.to_owned())
}

/// `url` with its database name replaced by `database` (query parameters kept; a URL
/// without a database gets one).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// A database of one test's own.
#[derive(Debug)]
pub struct ThrowawayDatabase {
    server: String,
    name: String,
    dropped: bool,
}

impl ThrowawayDatabase {
    /// A new, empty database on the tests' server ([`server_url`]).
    pub async fn create() -> Self {
        Self::create_on(&server_url()).await
    }

    /// A new, empty database on the server of `server` (a URL to any of its databases).
    async fn create_on(server: &str) -> Self {
        let name = format!("kcost_test_{}", uuid::Uuid::new_v4().simple());
        execute(server, &format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "creating {name}: {error} (is PostgreSQL running? pg_ctlcluster 15 main start)"
                )
            });
        Self {
            server: server.to_owned(),
            name,
            dropped: false,
        }
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }

    /// Drops the database now, closing whatever connections are still open on it.
    pub async fn drop_now(mut self) {
        drop_database(&self.server, &self.name).await;
        self.dropped = true;
    }
}

impl Drop for ThrowawayDatabase {
    /// A failed test never reaches `drop_now`: drop the database from a thread of its own,
    /// since no async runtime can be entered from here.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (server, name) = (self.server.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&server, &name));
            }
        })
        .join();
    }
}

async fn drop_database(server: &str, name: &str) {
    // Best effort: a database left behind is visible by its name and harmless.
    let _ = execute(
        server,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )
    .await;
}

async fn execute(server: &str, statement: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(server).await?;
    let outcome = sqlx::raw_sql(AssertSqlSafe(statement.to_owned()))
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    outcome.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
