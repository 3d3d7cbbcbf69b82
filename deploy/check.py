#!/usr/bin/env python3
"""Offline checks of deploy/ (run through deploy/check.sh, which prepares the tools).

What is checked, and with what (each section prints what it could and could not do):
- every YAML file under deploy/ parses (Helm templates excepted: they are checked rendered);
- Dockerfile: stages, non-root USER, HEALTHCHECK on /livez, EXPOSE, COPY sources exist;
- docker-compose.yml: the four services, healthchecks, depends_on conditions, KCOST_*
  variables are real config keys, ${VARS} are in .env.example, bind mounts exist;
- Grafana: provisioning parses; every dashboard JSON parses, its SQL reads only tables the
  migrations create and filters every tenant-owned table by the $tenant variable; with
  --database-url (a scratch PostgreSQL migrated by `kcost migrate`), every query runs;
- Helm chart: structure, every .Values path used by a template exists in values.yaml; with
  helm_python (Helm's Go SDK) lint + render of several value sets, each manifest
  validated against the Kubernetes JSON schemas (kubernetes_validate) when available, and
  the rendered config TOML checked (with `kcost config check` when --kcost is given).
Exit status 1 on any failure.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
CHART = DEPLOY / "helm" / "kcost"
K8S_VERSION = "1.30"
FAILURES: list[str] = []


def fail(msg: str) -> None:
    FAILURES.append(msg)
    print(f"  FAIL {msg}")


def ok(msg: str) -> None:
    print(f"  ok   {msg}")


def note(msg: str) -> None:
    print(f"  note {msg}")


# ---------------------------------------------------------------- shared facts


def config_keys() -> set[str]:
    """section.key for every key in config/default.toml, commented-out ones included."""
    text = (ROOT / "config" / "default.toml").read_text()
    keys, section = set(), None
    for line in text.splitlines():
        if m := re.match(r"^\[(\w+)\]", line):
            section = m.group(1)
        elif section and (m := re.match(r"^#?\s*(\w+)\s*=", line)):
            keys.add(f"{section}.{m.group(1)}")
    return keys


def schema_tables() -> set[str]:
    """Table names the migrations create (raw SQL and sea-orm `enum X { Table, … }`)."""
    tables = set()
    for path in (ROOT / "migrations" / "src").rglob("*.rs"):
        text = path.read_text()
        tables.update(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", text))
        for name in re.findall(r"enum (\w+) \{\s*Table,", text):
            tables.add(re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
    return tables


def env_key(name: str) -> str | None:
    """KCOST_SERVER__PORT → server.port; None for non-key KCOST_* variables."""
    if not name.startswith("KCOST_") or "__" not in name:
        return None
    return ".".join(part.lower() for part in name[len("KCOST_"):].split("__"))


# ---------------------------------------------------------------- YAML files


def check_yaml_files() -> None:
    print("YAML files")
    for path in sorted(DEPLOY.rglob("*.y*ml")):
        if CHART / "templates" in path.parents:
            continue
        try:
            list(yaml.safe_load_all(path.read_text()))
            ok(f"parses: {path.relative_to(ROOT)}")
        except yaml.YAMLError as e:
            fail(f"{path.relative_to(ROOT)}: {e}")


# ---------------------------------------------------------------- Dockerfile


def check_dockerfile() -> None:
    print("Dockerfile (static; no Docker daemon here to build it)")
    text = (DEPLOY / "Dockerfile").read_text()
    lines = re.sub(r"\\\n", " ", text).splitlines()
    froms = [l for l in lines if l.startswith("FROM ")]
    if len(froms) < 2:
        fail("Dockerfile is not multi-stage")
    if not re.search(r"^FROM (debian:\S*slim|gcr.io/distroless/cc\S*)", froms[-1]) and "slim" not in froms[-1]:
        fail(f"runtime stage is not slim/distroless: {froms[-1]}")
    user = [l for l in lines if l.startswith("USER ")]
    if not user or user[-1].split()[1].split(":")[0] in ("0", "root"):
        fail("no non-root USER in the runtime stage")
    if not any(l.startswith("HEALTHCHECK") and "/livez" in l for l in lines):
        fail("no HEALTHCHECK on /livez")
    if "EXPOSE 8080" not in text:
        fail("no EXPOSE 8080")
    if "cargo build --release --locked --bin kcost" not in text:
        fail("does not build the kcost binary in release mode")
    for l in lines:
        if l.startswith("COPY ") and "--from=" not in l:
            for src in l.split()[1:-1]:
                if not (ROOT / src).exists():
                    fail(f"COPY source missing in the build context: {src}")
    ignore = DEPLOY / "Dockerfile.dockerignore"
    if not ignore.is_file() or "target" not in ignore.read_text():
        fail("deploy/Dockerfile.dockerignore missing or does not exclude target/")
    ok("multi-stage, non-root, HEALTHCHECK /livez, EXPOSE 8080, COPY sources present")
    check_skeleton()


def check_skeleton() -> None:
    """The Dockerfile's dependency stage: cargo must accept the manifest-only skeleton."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "skeleton"
        subprocess.run(["sh", "deploy/cargo-skeleton.sh", str(dest)], cwd=ROOT, check=True)
        try:
            run = subprocess.run(["cargo", "metadata", "--offline", "--locked", "--no-deps",
                                  "--format-version", "1"], cwd=dest, capture_output=True, text=True)
        except FileNotFoundError:
            note("cargo not found: the Dockerfile's dependency skeleton was not checked")
            return
        if run.returncode != 0:
            fail(f"cargo rejects the Docker dependency skeleton: {run.stderr.strip()}")
            return
        missing = [t["src_path"] for p in json.loads(run.stdout)["packages"]
                   for t in p["targets"] if not Path(t["src_path"]).is_file()]
        if missing:
            fail(f"Docker dependency skeleton lacks target files: {missing}")
        else:
            ok("cargo accepts the Docker dependency skeleton (manifests, lock file, every target stubbed)")


# ---------------------------------------------------------------- compose


def check_compose(keys: set[str]) -> None:
    print("docker-compose.yml (parsed; `docker compose config` is not available here)")
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose.get("services", {})
    for name in ("kcost", "timescaledb", "redis", "grafana"):
        if name not in services:
            fail(f"service {name} missing")
    for name, svc in services.items():
        if "healthcheck" not in svc:
            fail(f"service {name} has no healthcheck")
        for dep, cond in (svc.get("depends_on") or {}).items():
            if dep not in services or cond.get("condition") != "service_healthy":
                fail(f"{name}.depends_on.{dep} must name a service with condition service_healthy")
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith(".") and not (DEPLOY / src).exists():
                fail(f"{name}: bind-mount source {src} does not exist")
    env = services.get("kcost", {}).get("environment", {})
    for var in env:
        key = env_key(var)
        if key is not None and key not in keys:
            fail(f"kcost env {var} is not a config key ({key})")
    if "@timescaledb:5432/" not in str(env.get("KCOST_DATABASE__URL", "")):
        fail("KCOST_DATABASE__URL does not point at the timescaledb service")
    if not str(env.get("KCOST_REDIS__URL", "")).startswith("redis://"):
        fail("KCOST_REDIS__URL is not a redis:// URL")
    if env.get("KCOST_SERVER__HOST") != "0.0.0.0":
        fail("kcost must listen on 0.0.0.0 in the container")
    example = {l.split("=")[0] for l in (DEPLOY / ".env.example").read_text().splitlines()
               if l and not l.startswith("#")}
    used = set(re.findall(r"\$\{(\w+)", (DEPLOY / "docker-compose.yml").read_text()))
    for var in sorted(used - example):
        fail(f"${{{var}}} is used by docker-compose.yml but not in .env.example")
    ok(f"services {sorted(services)}; KCOST_* variables are config keys; .env.example complete")


# ---------------------------------------------------------------- Grafana


SQL_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", re.I)


def dashboard_queries(dash: dict) -> list[tuple[str, str]]:
    out = []
    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            out.append((f"variable {var['name']}", var["query"]))
    for panel in dash.get("panels", []):
        for target in panel.get("targets", []):
            out.append((f"panel {panel['title']!r}", target["rawSql"]))
    return out


def expand_macros(sql: str) -> str:
    """Grafana's PostgreSQL macros and our variables, as Grafana would expand them."""
    frm, to = "'2026-01-01T00:00:00Z'", "'2026-01-08T00:00:00Z'"
    sql = re.sub(r"\$__timeFilter\((\w+)\)", rf"\1 BETWEEN {frm} AND {to}", sql)
    sql = re.sub(r"\$__timeGroupAlias\((\w+),[^)]*\)",
                 r'floor(extract(epoch from \1)/3600)*3600 AS "time"', sql)
    sql = re.sub(r"\$__timeGroup\((\w+),[^)]*\)", r"floor(extract(epoch from \1)/3600)*3600", sql)
    sql = sql.replace("$__timeFrom()", frm).replace("$__timeTo()", to)
    sql = sql.replace("$__interval", "1h")
    sql = sql.replace("'$tenant'", "'00000000-0000-4000-8000-000000000000'")
    sql = sql.replace("$cluster", "'c1','c2'").replace("$namespace", "'default','kube-system'")
    return sql


def check_grafana(tables: set[str], database_url: str | None) -> None:
    print("Grafana provisioning and dashboards")
    ds = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/kcost.yaml").read_text())
    uids = {d["uid"] for d in ds["datasources"]}
    prov = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/kcost.yaml").read_text())
    if not prov.get("providers"):
        fail("no dashboard provider")
    queries = []
    dashboards = sorted((DEPLOY / "grafana/dashboards").glob("*.json"))
    if not dashboards:
        fail("no dashboards")
    seen_uids = set()
    for path in dashboards:
        try:
            dash = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            fail(f"{path.name}: {e}")
            continue
        if dash.get("uid") in seen_uids:
            fail(f"{path.name}: duplicate uid {dash.get('uid')}")
        seen_uids.add(dash.get("uid"))
        if "tenant" not in {v["name"] for v in dash.get("templating", {}).get("list", [])}:
            fail(f"{path.name}: no $tenant variable")
        for panel in dash.get("panels", []):
            if panel.get("datasource", {}).get("uid") not in uids:
                fail(f"{path.name}: panel {panel.get('title')!r} uses an unknown datasource")
        for where, sql in dashboard_queries(dash):
            ctes = set(re.findall(r"(?:WITH|,)\s+(\w+)\s+AS\s*\(", sql, re.I))
            used = [t for t in SQL_TABLE.findall(sql) if t not in ctes]
            for table in used:
                if table not in tables:
                    fail(f"{path.name} {where}: table {table} is not in the migrations")
            owned = [t for t in used if t != "tenants"]
            if len(re.findall(r"tenant_id = '\$tenant'::uuid", sql)) < len(owned):
                fail(f"{path.name} {where}: a tenant-owned table is read without the $tenant filter")
            if "$" in expand_macros(sql):
                fail(f"{path.name} {where}: unexpanded macro or variable")
            queries.append((f"{path.name} {where}", expand_macros(sql)))
    ok(f"{len(dashboards)} dashboards, {len(queries)} queries: JSON parses, tables exist, tenant-filtered")
    if not database_url:
        note("queries not executed (no scratch database: pass --database-url)")
        return
    for where, sql in queries:
        run = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url,
                              "-c", sql], capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{where}: PostgreSQL rejected the query: {run.stderr.strip()}")
    ok(f"all {len(queries)} queries run on a freshly migrated PostgreSQL schema")


# ---------------------------------------------------------------- Helm


def values_paths(node, prefix=""):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from values_paths(v, f"{prefix}.{k}" if prefix else k)


def check_chart_structure() -> dict:
    print("Helm chart (structure)")
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    for field in ("apiVersion", "name", "version", "appVersion"):
        if not chart.get(field):
            fail(f"Chart.yaml: {field} missing")
    if chart.get("apiVersion") != "v2":
        fail("Chart.yaml: apiVersion must be v2")
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    known = set(values_paths(values))
    templates = CHART / "templates"
    for name in ("_helpers.tpl", "NOTES.txt", "deployment.yaml", "service.yaml", "secret.yaml",
                 "configmap.yaml", "hpa.yaml", "pdb.yaml", "servicemonitor.yaml", "migrate-job.yaml"):
        if not (templates / name).is_file():
            fail(f"templates/{name} missing")
    for path in templates.iterdir():
        text = path.read_text()
        for ref in re.findall(r"\.Values\.([\w.]+)", text):
            if ref not in known:
                fail(f"templates/{path.name}: .Values.{ref} is not in values.yaml")
    ok("Chart.yaml, values.yaml and templates consistent")
    return values


def render_sets() -> dict[str, dict]:
    secrets = {"apiKeyPepper": "placeholder-pepper-not-a-secret",
               "databaseUrl": "postgres://kcost:placeholder@db:5432/kcost"}
    return {
        "defaults": {"secrets": secrets},
        "existingSecret": {"secrets": {"existingSecret": "kcost-secrets"}},
        "everything": {"secrets": {**secrets, "adminToken": "x" * 40,
                                   "redisUrl": "redis://cache:6379/0",
                                   "timescaleUrl": "postgres://kcost:placeholder@ts:5432/m"},
                       "autoscaling": {"enabled": False}, "serviceMonitor": {"enabled": True},
                       "networkPolicy": {"enabled": True, "from": [{"podSelector": {}}]},
                       "config": {"pricing": {"currency": "EUR", "cpu_core_hourly": "0.03"},
                                  "server": {"cors_origins": ["https://app.example.com"]}}},
        "no-migration-job": {"secrets": secrets, "migrations": {"job": {"enabled": False}},
                             "podDisruptionBudget": {"enabled": False}},
    }


def check_chart_render(keys: set[str], kcost_bin: str | None) -> None:
    print("Helm chart (rendered with Helm's Go SDK)")
    try:
        import helm_python as helm
    except ImportError:
        note("helm_python not installed: chart NOT rendered or linted (structural check only)")
        return
    try:
        import kubernetes_validate as kv
    except ImportError:
        kv = None
        note("kubernetes_validate not installed: manifests not schema-validated")
    report = helm.lint(str(CHART), render_sets()["defaults"])
    for msg in report.get("messages", []):
        if msg.get("severity", 0) >= 2:
            fail(f"helm lint: {msg}")
    ok(f"helm lint (Helm SDK {helm.helm_sdk_version()}): {len(report.get('errors', []))} errors")
    with helm.Chart.load(str(CHART)) as chart:
        try:
            chart.render({}, name="t", namespace="t")
            fail("rendering without a pepper or existingSecret should fail")
        except Exception as e:  # noqa: BLE001 — the SDK's error type
            if "secrets.apiKeyPepper" not in str(e):
                fail(f"render without secrets failed for the wrong reason: {e}")
        for label, values in render_sets().items():
            out = chart.render(values, name="kcost", namespace="kcost")
            kinds = []
            for file, text in out.items():
                if file.endswith("NOTES.txt"):
                    continue
                for doc in yaml.safe_load_all(text):
                    if not doc:
                        continue
                    kinds.append(doc["kind"])
                    check_manifest(label, doc, keys, kv, kcost_bin)
            ok(f"{label}: {len(kinds)} objects ({', '.join(sorted(set(kinds)))})")


def check_manifest(label, doc, keys, kv, kcost_bin) -> None:
    where = f"{label} {doc['kind']}/{doc['metadata']['name']}"
    if kv is not None and doc["apiVersion"] != "monitoring.coreos.com/v1":
        try:
            kv.validate(doc, K8S_VERSION, strict=True)
        except Exception as e:  # noqa: BLE001 — ValidationError and friends
            fail(f"{where}: schema: {str(e).splitlines()[0]}")
    pod = doc.get("spec", {}).get("template", {}).get("spec")
    if pod:
        for c in pod["containers"]:
            for var in c.get("env", []):
                key = env_key(var["name"])
                if key is not None and key not in keys:
                    fail(f"{where}: env {var['name']} is not a config key")
            if not c.get("securityContext", {}).get("readOnlyRootFilesystem"):
                fail(f"{where}: root filesystem not read-only")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            fail(f"{where}: not runAsNonRoot")
    if doc["kind"] == "ConfigMap":
        toml_text = doc["data"]["kcost.toml"]
        parsed = tomllib.loads(toml_text)
        for section, table in parsed.items():
            for key in table:
                if f"{section}.{key}" not in keys:
                    fail(f"{where}: {section}.{key} is not a config key")
        if kcost_bin:
            kcost_config_check(where, toml_text, kcost_bin)


def kcost_config_check(where: str, toml_text: str, kcost_bin: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
        f.write(toml_text)
        f.flush()
        env = {"PATH": os.environ.get("PATH", ""), "KCOST_ENV": "production",
               "KCOST_CONFIG_DIR": str(ROOT / "config"), "KCOST_CONFIG_FILE": f.name,
               "KCOST_SECURITY__API_KEY_PEPPER": "placeholder-pepper-not-a-secret",
               "KCOST_DATABASE__URL": "postgres://kcost:placeholder@db:5432/kcost"}
        run = subprocess.run([kcost_bin, "config", "check"], env=env, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{where}: `kcost config check` rejects the rendered config: {run.stderr.strip()}")


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="scratch PostgreSQL migrated by `kcost migrate`")
    parser.add_argument("--kcost", help="kcost binary, for `kcost config check` of rendered config")
    args = parser.parse_args()
    keys, tables = config_keys(), schema_tables()
    check_yaml_files()
    check_dockerfile()
    check_compose(keys)
    check_grafana(tables, args.database_url)
    check_chart_structure()
    check_chart_render(keys, args.kcost)
    print()
    if FAILURES:
        print(f"deploy checks: {len(FAILURES)} failed")
        return 1
    print("deploy checks: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
