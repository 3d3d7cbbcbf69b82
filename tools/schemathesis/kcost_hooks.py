"""Schemathesis hooks for kcost: the rules of its API that OpenAPI cannot state.

The OpenAPI document (`/openapi.json`) states every rule a schema can: types, patterns,
bounds, lengths. The few rules left relate values to each other or to the clock; the
document's descriptions and docs/api.md state them and the server answers them with a
400 or 422 naming the parameter or field:

1. `window` excludes `start_time`/`end_time`; `end_time` needs `start_time`.
2. Windows are relative to now: a start not after now, `start,end` in order, at most
   400 days long; RFC3339 dates must exist (no 30 February).
3. An API key's `expires_at` is in the future.
4. A snapshot's `timestamp` lies between the retention horizon and a little after now;
   a pod (namespace and name) and a node appear once per snapshot; `controller_kind` and
   `controller_name` come together.
5. A price has at most 10 decimal places.
6. A snapshot's priced totals stay within 100,000,000 per sample. Only the server can
   price a snapshot (catalog prices, node rates, overcommit), so for this rule alone the
   server's answer is the evidence: a 422 whose every detail names this limit.
7. The OpenCost routes (allocation, assets, cloud and custom costs, autocomplete) need a
   `window` (the shared window schema allows a blank one, which the cost endpoints read as
   "the last 24 hours"), and autocomplete a `field`.
8. The OpenCost routes' languages — `aggregate` (property names, `label:<key>`),
   `filter` (OpenCost's filter language), the `filter*` lists with `key:value` or
   `kind:name` entries, `shareLabels` (`key:value`) — and a `step` that splits the window
   into 1 to 1,000 steps, autocomplete's `field`: documented in docs/api.md, free text in
   the schema.
9. A budget's scope has at most 20 labels whose keys and values follow Kubernetes' label
   syntax, and its `notify.webhook_url` is an `https://` URL of a public host (the server
   refuses loopback, private and link-local targets by default).
10. `/v1/anomalies` judges the whole hours or days of the window that have ended: there
   must be one, and at most 7 days of hours or 90 of days.

`map_case` makes generated valid cases follow them, so that the server's success paths are
exercised. Phases that build cases without hooks (coverage) can still send requests that
break them; `filter_failure` then drops a "valid request rejected" failure only when the
request itself breaks one of these rules and the server's 4xx names it.
"""

import datetime as dt
import json
import re

import schemathesis
from schemathesis.core.parameters import ParameterLocation

PAIR = re.compile(r"^[^,]+,[^,]+$")
ALLOCATION_LANGUAGES = (
    "aggregate",
    "filter",
    "filterClusters",
    "filterNodes",
    "filterNamespaces",
    "filterControllerKinds",
    "filterControllers",
    "filterPods",
    "filterContainers",
    "filterLabels",
    "filterAnnotations",
    "filterServices",
    "shareLabels",
    "shareNamespaces",
    "step",
    "field",
)
OPENCOST_PATH = re.compile(r"^(/model|/v1)?/(allocation|assets|cloudCost|customCost)")
MAX_WINDOW = dt.timedelta(days=400)
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
PUBLIC_WEBHOOK = "https://hooks.example.com/kcost"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _recent(seed: str) -> dt.datetime:
    """A whole hour in the last 10 days, picked from the generated value."""
    hour = _now().replace(minute=0, second=0, microsecond=0)
    return hour - dt.timedelta(hours=1 + (sum(map(ord, seed)) % 240))


def _parse_time(text) -> dt.datetime | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        try:
            return dt.datetime.fromtimestamp(text, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(text, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _window_rule_broken(query: dict) -> str | None:
    """Which of rules 1 and 2 a request's query breaks, if any."""
    if "window" in query and ("start_time" in query or "end_time" in query):
        return "1: window with start_time/end_time"
    if "end_time" in query and "start_time" not in query:
        return "1: end_time without start_time"
    now = _now()
    if "start_time" in query:
        start = _parse_time(query["start_time"])
        end = _parse_time(query["end_time"]) if "end_time" in query else now
        if start is None or end is None or not start < end or end - start > MAX_WINDOW:
            return "2: start_time/end_time not a window before now of at most 400 days"
    window = query.get("window")
    if isinstance(window, str) and PAIR.match(window.strip()):
        first, second = (part.strip() for part in window.split(",", 1))
        bounds = [
            _parse_time(int(part)) if part.isdigit() else _parse_time(part)
            for part in (first, second)
        ]
        if None in bounds or not bounds[0] < bounds[1] or bounds[1] - bounds[0] > MAX_WINDOW:
            return "2: window pair not in order or longer than 400 days"
    return None


def _allocation_rule_broken(path: str, query: dict, response) -> str | None:
    """Rules 7 and 8."""
    if not OPENCOST_PATH.search(path):
        return None
    if not str(query.get("window") or "").strip():
        return "7: an OpenCost query without a window"
    try:
        message = json.loads(response.content).get("error", "")
    except (ValueError, AttributeError):
        return None
    named = [
        name
        for name in ALLOCATION_LANGUAGES
        if f"`{name}`" in message or (name in query and name in message)
    ]
    if named:
        return f"8: `{named[0]}` outside its language"
    return None


def _body_rule_broken(body) -> str | None:
    """Which of rules 3 to 5 a request's JSON body breaks, if any."""
    if not isinstance(body, dict):
        return None
    now = _now()
    if body.get("expires_at") is not None:
        expires = _parse_time(body["expires_at"])
        if expires is None or expires <= now:
            return "3: expires_at not in the future"
    if "timestamp" in body:
        moment = _parse_time(body["timestamp"])
        if moment is None or moment > now + dt.timedelta(minutes=5) or moment < now - dt.timedelta(days=400):
            return "4: timestamp outside the retention horizon and the clock skew"
        pods = body.get("pod_metrics") or []
        keys = [(p.get("namespace"), p.get("pod_name")) for p in pods if isinstance(p, dict)]
        if len(keys) != len(set(keys)):
            return "4: a pod twice"
        for pod in pods:
            if isinstance(pod, dict) and (pod.get("controller_kind") is None) != (pod.get("controller_name") is None):
                return "4: controller_kind without controller_name or the reverse"
        nodes = [n.get("NodeName") for n in body.get("node_metrics") or [] if isinstance(n, dict)]
        if len(nodes) != len(set(nodes)):
            return "4: a node twice"
    price = body.get("hourly_cost_usd")
    if isinstance(price, float) and len(repr(price).split(".")[-1].split("e")[0]) > 10:
        return "5: a price with more than 10 decimals"
    return None


def _label_ok(key, value) -> bool:
    if not isinstance(key, str) or not isinstance(value, str):
        return False
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not all(DNS_LABEL.match(p) for p in prefix.split("."))):
        return False
    return bool(LABEL_NAME.match(name)) and (value == "" or bool(LABEL_NAME.match(value)))


def _budget_rule_broken(body, response) -> str | None:
    """Rule 9: a 422 every detail of which names a scope label or the webhook URL, to a
    body whose labels or URL break it."""
    if not isinstance(body, dict) or "period" not in body or response.status_code != 422:
        return None
    try:
        details = json.loads(response.content).get("details") or []
    except (ValueError, AttributeError):
        return None
    paths = [str(d.get("path", "")) for d in details]
    if not paths or not all(p.startswith("scope.labels") or p == "notify.webhook_url" for p in paths):
        return None
    scope = body.get("scope")
    labels = scope.get("labels") if isinstance(scope, dict) else None
    if isinstance(labels, dict) and (
        len(labels) > 20 or not all(_label_ok(k, v) for k, v in labels.items())
    ):
        return "9: a scope label outside Kubernetes' syntax, or more than 20"
    notify = body.get("notify")
    url = notify.get("webhook_url") if isinstance(notify, dict) else None
    if isinstance(url, str) and url.strip() and url != PUBLIC_WEBHOOK:
        return "9: a webhook URL that is not https:// to a public host"
    return None


def _anomaly_rule_broken(path: str, response) -> str | None:
    """Rule 10, from the 400's message."""
    if path != "/v1/anomalies" or response.status_code != 400:
        return None
    try:
        message = json.loads(response.content).get("error", "")
    except (ValueError, AttributeError):
        return None
    if "no whole" in message or "may cover at most" in message:
        return "10: no whole bucket in the window, or too many"
    return None


def _beyond_amounts(response) -> str | None:
    """Rule 6, from a 422's details."""
    if response.status_code != 422:
        return None
    try:
        details = json.loads(response.content).get("details") or []
    except (ValueError, AttributeError):
        return None
    if details and all("kcost accepts" in str(d.get("message", "")) for d in details):
        return "6: priced totals beyond 100,000,000 per sample"
    return None


@schemathesis.hook
def map_case(context, case):
    if case.meta is None:
        return case
    query = case.query
    if isinstance(query, dict) and not case.meta.is_negative_at(ParameterLocation.QUERY):
        _follow_window_rules(query, case.path)
    if isinstance(case.body, dict) and not case.meta.is_negative_at(ParameterLocation.BODY):
        _follow_body_rules(case.body)
    return case


def _follow_window_rules(query: dict, path: str = "") -> None:
    if OPENCOST_PATH.search(path):
        if not str(query.get("window") or "").strip():
            query["window"] = "24h"
        for name in ALLOCATION_LANGUAGES:
            query.pop(name, None)
        if path.endswith("/autocomplete"):
            query["field"] = "cluster"
    if "window" in query:
        query.pop("start_time", None)
        query.pop("end_time", None)
        window = query["window"]
        if isinstance(window, str) and PAIR.match(window):
            start = _recent(window)
            query["window"] = f"{_rfc3339(start)},{_rfc3339(start + dt.timedelta(hours=1))}"
    if "start_time" in query:
        start = _recent(str(query["start_time"]))
        query["start_time"] = _rfc3339(start)
        if "end_time" in query:
            query["end_time"] = _rfc3339(start + dt.timedelta(hours=1))
    else:
        query.pop("end_time", None)


def _follow_body_rules(body: dict) -> None:
    if "expires_at" in body and body["expires_at"] is not None:
        body["expires_at"] = _rfc3339(_now() + dt.timedelta(days=30))
    if "timestamp" in body:
        body["timestamp"] = int(_recent(json.dumps(body, sort_keys=True, default=str)).timestamp())
        seen = set()
        pods = []
        for pod in body.get("pod_metrics") or []:
            key = (pod.get("namespace"), pod.get("pod_name"))
            if key in seen:
                continue
            seen.add(key)
            if (pod.get("controller_kind") is None) != (pod.get("controller_name") is None):
                pod.pop("controller_kind", None)
                pod.pop("controller_name", None)
            pods.append(pod)
        if body.get("pod_metrics") is not None:
            body["pod_metrics"] = pods
        if body.get("node_metrics") is not None:
            names = set()
            nodes = []
            for node in body["node_metrics"]:
                if node.get("NodeName") not in names:
                    names.add(node.get("NodeName"))
                    nodes.append(node)
            body["node_metrics"] = nodes
    if isinstance(body.get("hourly_cost_usd"), float):
        body["hourly_cost_usd"] = round(body["hourly_cost_usd"], 10) or 0.5
    if "period" in body:
        scope = body.get("scope")
        if isinstance(scope, dict) and isinstance(scope.get("labels"), dict):
            kept = {k: v for k, v in scope["labels"].items() if _label_ok(k, v)}
            scope["labels"] = dict(list(kept.items())[:20])
        notify = body.get("notify")
        if isinstance(notify, dict) and isinstance(notify.get("webhook_url"), str):
            notify["webhook_url"] = PUBLIC_WEBHOOK


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except a 400/422 to a request that breaks a stated rule."""
    if "rejected" not in getattr(failure, "title", "") or response.status_code not in (400, 422):
        return True
    query = case.query if isinstance(case.query, dict) else {}
    rule = (
        _allocation_rule_broken(case.path, query, response)
        or _window_rule_broken(query)
        or _body_rule_broken(case.body)
        or _budget_rule_broken(case.body, response)
        or _anomaly_rule_broken(case.path, response)
        or _beyond_amounts(response)
    )
    if rule is None:
        return True
    print(f"kcost_hooks: {response.status_code} to {case.method} {case.path}: breaks rule {rule}")
    return False
