#!/bin/bash
# First start of the TimescaleDB container only (docker-entrypoint-initdb.d): a read-only
# role for Grafana. kcost (role `kcost`) creates its tables later, at its first start, so
# SELECT is granted through default privileges on what `kcost` creates in `public`.
# That includes api_keys and kcost_instance (salted hashes; no plaintext secrets in
# production). To hide them anyway, after kcost's first start:
#   REVOKE SELECT ON api_keys, kcost_instance FROM grafana_reader;
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE kcost TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE kcost IN SCHEMA public GRANT SELECT ON TABLES TO grafana_reader;
-- A runaway dashboard query must not hold the database.
ALTER ROLE grafana_reader SET statement_timeout = '30s';
SQL
