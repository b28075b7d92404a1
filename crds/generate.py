#!/usr/bin/env python3
"""Writes crds/apiroutes.archway.dev.yaml, crds/referencegrants.archway.dev.yaml
and their copies in the Helm chart.

The CRDs are the one source of truth for the APIRoute and ReferenceGrant APIs
(DESIGN.md section 2); this script is how they are written, because an OpenAPI
schema in a CRD cannot use $ref and the rule policies appear twice
(spec.defaults and spec.rules[]).

    python3 crds/generate.py          # rewrite both files
    python3 crds/generate.py --check  # exit 1 if either file is out of date

Needs PyYAML. Output is deterministic (sorted keys, fixed width).
"""
import argparse
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CRD_FILES = ["apiroutes.archway.dev.yaml", "referencegrants.archway.dev.yaml"]

# --- patterns -------------------------------------------------------------

# RFC 9110 token: what an HTTP field name may hold.
HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$"
# No control characters: nothing a user writes can split a header or a line.
NO_CTL = r"^[^\x00-\x1f\x7f]*$"
NO_CTL_NONEMPTY = r"^[^\x00-\x1f\x7f]+$"
# Go/Envoy-style duration made of ms, s, m, h parts: 250ms, 1.5s, 1m30s.
DURATION = r"^([0-9]{1,6}(\.[0-9]{1,3})?(ms|s|m|h))+$"
# DNS-1035 label: a Service name.
SERVICE_NAME = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
# DNS-1123 label: a rule name.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# DNS-1123 subdomain: Secret, IngressClass names.
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# A hostname, optionally with one leading wildcard label (as in Gateway API).
HOSTNAME_WILDCARD = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
HOSTNAME = DNS_SUBDOMAIN
URL = r"^https?://[^\s/?#]+([/?#][^\s]*)?$"
CORS_ORIGIN = r"^(\*|https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)$"
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
# metav1.Condition, as the Kubernetes API and Gateway API define it.
CONDITION_TYPE = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$")
CONDITION_REASON = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
VERSION_NAME = r"^[A-Za-z0-9._-]+$"


# --- schema helpers -------------------------------------------------------

def string(desc, max_len, pattern=None, min_len=None, enum=None, default=None, fmt=None):
    s = {"type": "string", "description": desc}
    if enum is not None:
        s["enum"] = enum
    elif max_len is not None:
        s["maxLength"] = max_len
    if pattern is not None:
        s["pattern"] = pattern
    if min_len is not None:
        s["minLength"] = min_len
    if default is not None:
        s["default"] = default
    if fmt is not None:
        s["format"] = fmt
    return s


def integer(desc, minimum=None, maximum=None, default=None, fmt="int32", enum=None):
    s = {"type": "integer", "format": fmt, "description": desc}
    if minimum is not None:
        s["minimum"] = minimum
    if maximum is not None:
        s["maximum"] = maximum
    if default is not None:
        s["default"] = default
    if enum is not None:
        s["enum"] = enum
    return s


def boolean(desc, default=None):
    s = {"type": "boolean", "description": desc}
    if default is not None:
        s["default"] = default
    return s


def array(desc, items, max_items, min_items=None, list_type="atomic", map_keys=None,
          default=None, rules=None):
    s = {"type": "array", "description": desc, "items": items, "maxItems": max_items,
         "x-kubernetes-list-type": list_type}
    if min_items is not None:
        s["minItems"] = min_items
    if map_keys is not None:
        s["x-kubernetes-list-map-keys"] = map_keys
    if default is not None:
        s["default"] = default
    if rules:
        s["x-kubernetes-validations"] = rules
    return s


def obj(desc, props, required=None, rules=None, min_props=None):
    s = {"type": "object", "description": desc, "properties": props}
    if required:
        s["required"] = required
    if rules:
        s["x-kubernetes-validations"] = rules
    if min_props is not None:
        s["minProperties"] = min_props
    return s


def rule(expr, message, field_path=None, reason=None):
    r = {"rule": expr, "message": message}
    if field_path is not None:
        r["fieldPath"] = field_path
    if reason is not None:
        r["reason"] = reason
    return r


def valid_dur(field):
    """CEL: the field is a well-formed duration (so duration() will not fail).

    Rules that compare durations check this first: a malformed value is
    already reported by the field's pattern, and duration() would add a
    second, confusing "type conversion error" for the same mistake.
    """
    return f"self.{field}.matches(r'{DURATION}')"


def duration(desc, default=None):
    return string(desc + " A duration such as `250ms`, `1.5s`, `1m30s` or `1h`.", 32,
                  pattern=DURATION, default=default)


def header_name(desc):
    return string(desc, 256, pattern=HEADER_NAME, min_len=1)


def header_value(desc):
    return string(desc + " Control characters (CR, LF, NUL...) are not allowed.", 4096,
                  pattern=NO_CTL)


def ref_namespace(what):
    return string(f"Namespace of the {what}; the APIRoute's own when not set. Another "
                  f"namespace must permit the reference with a ReferenceGrant "
                  f"(archway.dev/v1alpha1) there, else the reference is not served and the "
                  f"route reports `ResolvedRefs=False`, reason `RefNotPermitted`.", 63,
                  pattern=DNS_LABEL, min_len=1)


def secret_ref(desc, key_desc=None, key_default=None):
    props = {"name": string("Name of a Secret in the APIRoute's namespace (or in "
                            "`namespace`).", 253, pattern=DNS_SUBDOMAIN, min_len=1),
             "namespace": ref_namespace("Secret")}
    if key_desc is not None:
        props["key"] = string(key_desc, 253, pattern=r"^[-._a-zA-Z0-9]+$", min_len=1,
                              default=key_default)
    return obj(desc, props, required=["name"])


def service_backend(desc, weight=True):
    props = {
        "name": string("Name of a Service in the APIRoute's namespace (or in `namespace`). "
                       "Its EndpointSlices give the pod addresses the proxy balances over.", 63,
                       pattern=SERVICE_NAME, min_len=1),
        "namespace": ref_namespace("Service"),
        "port": integer("Service port number (`spec.ports[].port`) to send requests to.",
                        1, 65535),
        "protocol": string("Protocol the proxy speaks to this backend: `HTTP` (HTTP/1.1), "
                           "`H2C` (HTTP/2 over cleartext, prior knowledge; use it for gRPC) "
                           "or `HTTPS` (TLS; HTTP/2 when the backend offers h2 by ALPN, "
                           "HTTP/1.1 otherwise).", 0, enum=["HTTP", "H2C", "HTTPS"],
                           default="HTTP"),
    }
    if weight:
        props["weight"] = integer(
            "Relative share of requests sent to this backend, 0 to 1000000. A backend with "
            "weight 0 receives no requests (use it to drain one side of a canary).",
            0, 1000000, default=1)
    return obj(desc, props, required=["name", "port"])


def header_match_list(what, name_field):
    item = obj(
        f"One {what} condition.",
        {
            "name": name_field,
            "type": string(
                f"How the {what} value is compared: `Exact` (byte-for-byte), "
                f"`RegularExpression` (RE2 syntax, must match the whole value) or `Present` "
                f"(the {what} exists, whatever its value; `value` must then be empty).",
                0, enum=["Exact", "RegularExpression", "Present"], default="Exact"),
            "value": string(f"Value to compare the {what} with. Required unless type is "
                            "`Present`.", 4096, pattern=NO_CTL),
        },
        required=["name"],
        rules=[rule("has(self.type) && self.type == 'Present' ? !has(self.value) : has(self.value)",
                    "value is required when type is Exact or RegularExpression and must "
                    "be empty when type is Present", field_path=".value")],
    )
    return item


def header_modifier(direction):
    pair = obj("A header name and value.", {
        "name": header_name("Header name (case-insensitive)."),
        "value": header_value("Header value, used verbatim (no templating)."),
    }, required=["name", "value"])
    return obj(
        f"Changes the headers of the {direction}. Applied in this order: remove, set, add.",
        {
            "set": array("Headers to set, replacing any value the "
                         f"{direction} already has.", pair, 16, list_type="map",
                         map_keys=["name"]),
            "add": array(f"Headers to append to the {direction}, keeping the values it "
                         "already has.", pair, 16),
            "remove": array(f"Names of headers to remove from the {direction}.",
                            header_name("Header name (case-insensitive)."), 16,
                            list_type="set"),
        },
        min_props=1,
    )


# RFC 6901 JSON Pointer: empty (the whole body) or '/'-separated tokens
# where '~' only starts "~0" ('~') or "~1" ('/').
JSON_POINTER = r"^(/([^~/]|~[01])*)*$"


def body_mapping(direction, not_json):
    pointer = lambda desc: string(desc + " A JSON Pointer (RFC 6901): `/a/b`, `~1` for `/` and "
                                  "`~0` for `~` in a member name, a number for an array "
                                  "element.", 1024, pattern=JSON_POINTER)
    operation = obj(
        "One operation. Operations apply in order, each to the result of the one before.",
        {
            "op": string("`Set`: put `value` at `path` (an object member is added or replaced, "
                         "missing objects on the way are created; an array element is "
                         "replaced, `-` or the index after the last appends). `Remove`: delete "
                         "the value at `path` (nothing to do when it is absent). `Move`: take "
                         "the value at `from` and put it at `path` as Set does (a rename). "
                         "`Wrap`: replace the value at `path` (the whole body when `path` is "
                         "empty or absent) by an object holding it under `key`.", 0,
                         enum=["Set", "Remove", "Move", "Wrap"]),
            "path": pointer("Where the operation acts. Required except for `Wrap`; not empty "
                            "for `Remove` and `Move`."),
            "from": pointer("`Move` only: where the value is taken from. Not empty."),
            "key": string("`Wrap` only: the member name the value is put under.", 256,
                          min_len=1),
            # Untyped, so CEL cannot see it: the controller checks that
            # Set has it and the other operations do not (Accepted=False).
            "value": {"description": "`Set` only, and required there: the JSON value to put "
                                     "(any type, `null` included). A constant: nothing of the "
                                     "request is substituted into it.",
                      "x-kubernetes-preserve-unknown-fields": True,
                      "nullable": True},
        },
        required=["op"],
        rules=[
            rule("self.op == 'Wrap' || has(self.path)", "path is required unless op is Wrap",
                 field_path=".path", reason="FieldValueRequired"),
            rule("!(self.op == 'Remove' || self.op == 'Move') || !has(self.path) || "
                 "self.path != ''",
                 "path must not be empty (the whole body) for Remove and Move",
                 field_path=".path"),
            rule("(self.op == 'Move') == has(self.from)",
                 "from is required when op is Move and not allowed otherwise",
                 field_path=".from"),
            rule("!has(self.from) || self.from != ''", "from must not be empty (the whole body)",
                 field_path=".from"),
            rule("!has(self.from) || !has(self.path) || !self.path.startsWith(self.from + '/')",
                 "path must not be inside from", field_path=".path"),
            rule("(self.op == 'Wrap') == has(self.key)",
                 "key is required when op is Wrap and not allowed otherwise",
                 field_path=".key"),
        ],
    )
    return obj(
        f"Maps the JSON body of the {direction} with typed operations addressed by JSON "
        "Pointer. Only bodies with a JSON media type (`application/json` or `+json`) and no "
        "content coding, up to `maxBytes`, are mapped, whole; `Content-Length` is set to the "
        "new length. A rule without it streams bodies untouched.",
        {
            "operations": array("The operations, applied in order. If one cannot apply "
                                "(`Move` or `Wrap` from a missing path, a step into a value "
                                "that is not an object or array, an array index out of range), "
                                "the body is not mapped at all and `onMismatch` applies.",
                                operation, 32, min_items=1),
            "maxBytes": integer("Largest body that is mapped (bytes, up to 1 MiB). A longer "
                                "body is not buffered past this: `onMismatch` applies.", 1,
                                1048576, default=65536),
            "onMismatch": string("What a body that cannot be mapped gets (not JSON, a content "
                                 "coding, over `maxBytes`, or an operation that does not fit): "
                                 "`Pass` sends it unchanged; `Reject` answers " + not_json +
                                 ". Never a half-mapped body.", 0,
                                 enum=["Pass", "Reject"], default="Pass"),
        },
        required=["operations"],
    )


def policies():
    """The rule policies; spec.defaults holds the same set."""
    rewrite = obj(
        "Rewrites the request before it is sent to the backends. `pathPrefix` and `fullPath` "
        "are mutually exclusive; `pathPrefix` needs every match of the rule to use a "
        "`PathPrefix` path.",
        {
            "pathPrefix": string("Replaces the part of the path matched by the rule's "
                                 "`PathPrefix` match with this prefix (`/v1/orders/7` "
                                 "matched by `/v1/orders` with pathPrefix `/orders` becomes "
                                 "`/orders/7`).", 1024, pattern=r"^/[^\x00-\x1f\x7f\s]*$"),
            "fullPath": string("Replaces the whole path with this value (the query string "
                               "is kept).", 1024, pattern=r"^/[^\x00-\x1f\x7f\s]*$"),
            "hostname": string("Replaces the Host (`:authority`) header sent to the "
                               "backend.", 253, pattern=HOSTNAME),
        },
        min_props=1,
        rules=[rule("!(has(self.pathPrefix) && has(self.fullPath))",
                    "pathPrefix and fullPath are mutually exclusive")],
    )

    timeouts = obj(
        "Time limits for the requests of this rule. `0s` disables a limit.",
        {
            "request": duration("Time from the first byte of the client's request to the "
                                "last byte of the response, across every retry. On expiry "
                                "the client gets `504`."),
            "backendRequest": duration("Time limit of one attempt to a backend (each retry "
                                       "gets a fresh one). Must not exceed `request`."),
            "idle": duration("How long a client or backend stream may stay without any "
                             "data before it is closed."),
            "connect": duration("Time limit for opening a connection to a backend endpoint "
                                "(TCP, and TLS for HTTPS). A Service port's connections "
                                "follow the shortest `connect` of the rules that send to "
                                "it; 2s when none sets one. Must be more than `0s`."),
        },
        min_props=1,
        rules=[rule(f"!has(self.connect) || !{valid_dur('connect')} || "
                    "duration(self.connect) > duration('0s')",
                    "connect must be more than 0s", field_path=".connect"),
               rule("!has(self.request) || !has(self.backendRequest) || "
                    f"!{valid_dur('request')} || !{valid_dur('backendRequest')} || "
                    "duration(self.request) == duration('0s') || "
                    "duration(self.backendRequest) <= duration(self.request)",
                    "backendRequest must not be longer than request",
                    field_path=".backendRequest")],
    )

    retries = obj(
        "Retries a failed request on another backend endpoint (docs/resilience.md): "
        "only while no response byte reached the client, for requests safe to resend, "
        "within a retry budget.",
        {
            "attempts": integer("Number of retries after the first attempt (0 to 10); 0 "
                                "turns retries off.", 0, 10),
            "on": array(
                "Failures that trigger a retry (the DESIGN.md name; in YAML quote the key, "
                "`\"on\":`, because YAML 1.1 reads a bare `on:` as `true` — or use the "
                "alias `retryOn`). Values as for `retryOn`; default "
                "`[connect-failure, refused-stream]`.",
                string("A retry condition.", 0, enum=["connect-failure", "refused-stream",
                                                      "reset", "gateway-error", "5xx"]),
                5, list_type="set"),
            "retryOn": array(
                "Failures that trigger a retry: `connect-failure` (no connection could be "
                "made), `refused-stream` (HTTP/2 REFUSED_STREAM), `reset` (the backend "
                "reset the connection or stream before a response), `gateway-error` (502, "
                "503 or 504 from the backend), `5xx` (any 5xx status from the backend). "
                "Only the first two are always safe for non-idempotent methods.",
                string("A retry condition.", 0, enum=["connect-failure", "refused-stream",
                                                      "reset", "gateway-error", "5xx"]),
                5, list_type="set"),
            "statusCodes": array(
                "Backend response statuses that trigger a retry besides `retryOn` (e.g. "
                "`429`), for idempotent methods only.",
                integer("An HTTP status code.", 400, 599), 16, list_type="set"),
            "backoff": obj(
                "Wait between attempts: exponential from `base`, capped at `max`, with "
                "full jitter.",
                {"base": duration("First wait.", default="25ms"),
                 "max": duration("Longest wait.", default="250ms")},
                rules=[rule("!has(self.base) || !has(self.max) || "
                            f"!{valid_dur('base')} || !{valid_dur('max')} || "
                            "duration(self.base) <= duration(self.max)",
                            "base must not be longer than max", field_path=".base")]),
            "budgetPercent": integer("Retries may add at most this percentage of the "
                                     "requests in flight to a backend (a retry budget that "
                                     "stops retry storms).", 0, 100, default=20),
        },
        required=["attempts"],
        rules=[rule("!(has(self.on) && has(self.retryOn))",
                    "set at most one of on and retryOn (they are the same field)")],
    )

    circuit_breaker = obj(
        "Limits the load on the backends and ejects failing endpoints. Limits are per "
        "proxy replica.",
        {
            "maxConnections": integer("Most connections to all endpoints of a backend.",
                                      1, 1000000),
            "maxPendingRequests": integer("Most requests waiting for a connection; more are "
                                          "answered `503` at once.", 0, 1000000),
            "maxRequests": integer("Most requests in flight to a backend.", 1, 1000000),
            "consecutive5xx": integer("Consecutive 5xx responses (or connection failures) "
                                      "after which an endpoint is ejected; 0 disables "
                                      "ejection.", 0, 1000),
            "baseEjectionTime": duration("How long an endpoint stays ejected the first "
                                         "time; each further ejection multiplies it."),
            "maxEjectionPercent": integer("Most endpoints of a backend (in percent) that may "
                                          "be ejected at once.", 0, 100),
        },
        min_props=1,
    )

    load_balancer = obj(
        "How the proxy picks an endpoint of the backends' Services for each request "
        "(docs/resilience.md \"Balancing\"). A rule that sets it gets its own share of "
        "circuit-breaker counts and outlier state for those Services.",
        {
            "policy": string("`LeastRequest` (the default): of two endpoints drawn at "
                             "random, the one with fewer requests in flight. `RoundRobin`: "
                             "each endpoint in turn. `ConsistentHash`: the same key goes to "
                             "the same endpoint (Maglev), and only about 1/N of the keys move "
                             "when one of N endpoints comes or goes.", 0,
                             enum=["LeastRequest", "RoundRobin", "ConsistentHash"],
                             default="LeastRequest"),
            "hashOn": obj(
                "What ConsistentHash hashes: exactly one of header, cookie and "
                "clientAddress. A request without its key goes to a random endpoint.",
                {
                    "header": header_name("A request header's value."),
                    "cookie": obj(
                        "A cookie's value. A request without the cookie gets one made up "
                        "by the proxy (`Set-Cookie` with `HttpOnly` on the response), so "
                        "that the client sticks to its endpoint.",
                        {
                            "name": string("Name of the cookie.", 256, pattern=HEADER_NAME,
                                           min_len=1),
                            "ttl": duration("Lifetime of the cookie the proxy sets "
                                            "(`Max-Age`); `0s` or unset: a session cookie."),
                            "path": string("`Path` of the cookie the proxy sets.", 1024,
                                           pattern=r"^/[^\x00-\x20\x7f;,]*$",
                                           default="/"),
                        },
                        required=["name"],
                    ),
                    "clientAddress": boolean("The client's IP address (the connection's "
                                             "peer)."),
                },
                rules=[rule("(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0) + "
                            "(has(self.clientAddress) && self.clientAddress ? 1 : 0) == 1",
                            "set exactly one of header, cookie and clientAddress")],
            ),
        },
        rules=[rule("!has(self.hashOn) || (has(self.policy) && self.policy == 'ConsistentHash')",
                    "hashOn is only valid with policy ConsistentHash", field_path=".hashOn"),
               rule("!has(self.policy) || self.policy != 'ConsistentHash' || has(self.hashOn)",
                    "policy ConsistentHash needs hashOn", field_path=".hashOn")],
    )

    health_check = obj(
        "Active health checks (docs/resilience.md \"Health checks\"): each proxy replica "
        "probes every endpoint of the backends' Services with `GET path` (HTTP/1.1, "
        "`User-Agent: archway-health-check`) and sends no requests to an endpoint that "
        "failed `unhealthyThreshold` probes in a row until it passes `healthyThreshold` in "
        "a row. Endpoints start healthy; when fewer than half of a Service's endpoints are "
        "usable, all of them take traffic (panic). Only for `HTTP` backends for now. A rule "
        "that sets it gets its own share of circuit-breaker counts and outlier state for "
        "those Services.",
        {
            "path": string("Request path (and query) of the probe; absolute.", 1024,
                           pattern=r"^/[\x21-\x7e]*$", min_len=1),
            "interval": duration("Time between two probes of one endpoint (100ms to 1h; each "
                                 "proxy adds up to 10 % of jitter).", default="10s"),
            "timeout": duration("Time a probe may take to connect and receive the response "
                                "head; shorter than `interval`. Default: 1s, or half the "
                                "interval when that is shorter."),
            "unhealthyThreshold": integer("Failed probes in a row (an unexpected status, a "
                                          "connection failure or a timeout) that make an "
                                          "endpoint unhealthy.", 1, 100, default=3),
            "healthyThreshold": integer("Passed probes in a row that make an unhealthy "
                                        "endpoint healthy again.", 1, 100, default=2),
            "host": string("`Host` header of the probe; default: the endpoint's address and "
                           "port.", 253, pattern=HOSTNAME),
            "expectedStatuses": array("Statuses that pass; default: any 2xx or 3xx.",
                                      integer("An HTTP status code.", 100, 599), 16,
                                      list_type="set"),
        },
        required=["path"],
        rules=[rule("!has(self.interval) || !" + valid_dur("interval") + " || "
                    "(duration(self.interval) >= duration('100ms') && "
                    "duration(self.interval) <= duration('1h'))",
                    "interval must be between 100ms and 1h", field_path=".interval"),
               rule("!has(self.timeout) || !" + valid_dur("timeout") + " || "
                    "(duration(self.timeout) > duration('0s') && (!has(self.interval) || !" +
                    valid_dur("interval") + " || "
                    "duration(self.timeout) < duration(self.interval)))",
                    "timeout must be greater than 0s and shorter than interval",
                    field_path=".timeout")],
    )

    scopes = array("Scopes the token must carry (all of them); otherwise the client gets "
                   "`403` with `error=\"insufficient_scope\"`.",
                   string("A scope.", 256, pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+$", min_len=1),
                   32, list_type="set")

    token_source = obj(
        "Where requests carry the token, when not in `Authorization: Bearer` (the default, "
        "kept for the backend). Exactly one of `header`, `cookie` and `queryParameter`; the "
        "token is removed from there before the request is forwarded.",
        {
            "header": header_name("A request header whose whole value is the token (not "
                                  "`Authorization` or `Cookie`)."),
            "cookie": string("A cookie, in the `Cookie` header, whose value is the token; the "
                             "other cookies are kept.", 256, pattern=HEADER_NAME, min_len=1),
            "queryParameter": string("A query parameter whose value is the token, as written "
                                     "(not percent-decoded); the other parameters are kept.",
                                     256, pattern=r"^[A-Za-z0-9._~-]+$", min_len=1),
        },
        rules=[rule("(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0) + "
                    "(has(self.queryParameter) ? 1 : 0) == 1",
                    "exactly one of header, cookie and queryParameter must be set")],
    )

    forward_claims = array(
        "Claims copied into request headers for the backend (any client-sent header "
        "of the same name is removed first).",
        obj("A claim and the header that carries it.", {
            "claim": string("Claim name (top-level claims only).", 256,
                            pattern=NO_CTL_NONEMPTY, min_len=1),
            "header": header_name("Request header to set."),
        }, required=["claim", "header"]),
        16, list_type="map", map_keys=["header"])

    jwt = obj(
        "Validates a bearer JWT (RFC 7519, checked as RFC 8725 says): the key decides the "
        "algorithm, `exp` is required, `iss` and `aud` must match, unknown `crit` fails, and "
        "keys named by the token (`jku`, `x5u`, `jwk`) are never fetched. A missing or bad "
        "token is answered `401` with `WWW-Authenticate: Bearer error=\"invalid_token\"`. "
        "Exactly one of `jwksUri` and `jwksSecretRef` must be set.",
        {
            "issuer": string("Expected `iss` claim, compared byte-for-byte.", 2048,
                             pattern=NO_CTL_NONEMPTY, min_len=1),
            "audiences": array("Accepted `aud` values; the token must name at least one.",
                               string("An audience.", 2048, pattern=NO_CTL_NONEMPTY,
                                      min_len=1), 16, min_items=1, list_type="set"),
            "jwksUri": string("URL of the JSON Web Key Set, fetched by the proxy itself (off "
                              "the request path, cached and refreshed). Use `https://`.",
                              2048, pattern=URL, fmt="uri"),
            "jwksSecretRef": secret_ref("A Secret holding the JSON Web Key Set. The controller "
                                        "reads it and ships the key set to the proxy; a change "
                                        "to the Secret reaches the proxy without touching the "
                                        "APIRoute.",
                                        "Key in the Secret's data holding the JWKS JSON.",
                                        "jwks.json"),
            "requiredScopes": scopes,
            "forwardClaims": forward_claims,
            "clockSkew": duration("Tolerance applied to `exp`, `nbf` and `iat`.",
                                  default="60s"),
            "tokenSource": token_source,
        },
        required=["issuer", "audiences"],
        rules=[rule("has(self.jwksUri) != has(self.jwksSecretRef)",
                    "exactly one of jwksUri and jwksSecretRef must be set")],
    )

    introspection = obj(
        "Validates an opaque bearer token with an OAuth 2.0 token introspection endpoint "
        "(RFC 7662). Inactive tokens are answered `401`; results are cached for `cacheTTL` "
        "(never beyond the token's `exp`).",
        {
            "endpoint": string("Introspection endpoint URL. Use `https://`.", 2048,
                               pattern=URL, fmt="uri"),
            "clientSecretRef": secret_ref("A Secret with the client credentials used to call "
                                          "the endpoint: keys `client-id` and "
                                          "`client-secret`."),
            "requiredScopes": scopes,
            "cacheTTL": duration("How long an introspection result is reused.",
                                 default="30s"),
            "tokenSource": token_source,
            "audiences": array("Accepted `aud` values: the endpoint's answer must name at "
                               "least one (a string or an array), else `401` "
                               "`invalid_token`. Unset: `aud` is not checked.",
                               string("An audience.", 2048, pattern=NO_CTL_NONEMPTY,
                                      min_len=1), 16, list_type="set"),
            "forwardClaims": forward_claims,
            "staleGracePeriod": duration(
                "While the endpoint is unreachable or answers 5xx, an active answer whose "
                "`cacheTTL` ran out less than this long ago is still used (never past the "
                "token's `exp`; an inactive answer never). 0s: fail closed at once (`503`).",
                default="0s"),
        },
        required=["endpoint", "clientSecretRef"],
    )

    api_key = obj(
        "Checks an API key sent in a request header against the keys in a Secret. A missing "
        "or unknown key is answered `401`. The proxy only ever holds digests of the keys.",
        {
            "header": header_name("Request header carrying the key. It is removed before "
                                  "the request goes to the backend."),
            "secretRef": secret_ref("A Secret whose data maps a key id (used for `APIKey` "
                                    "rate limits, logs and metrics) to the key. The proxy "
                                    "receives only SHA-256 digests of the keys."),
        },
        required=["secretRef"],
    )
    api_key["properties"]["header"]["default"] = "X-Api-Key"

    auth = obj(
        "Authenticates requests before they reach the rate limit and the backends. At most one "
        "of `jwt`, `oauth2Introspection` and `apiKey`. An empty `auth: {}` in a rule serves "
        "that rule without authentication even when `spec.defaults.auth` is set.",
        {"jwt": jwt, "oauth2Introspection": introspection, "apiKey": api_key},
        rules=[rule("(has(self.jwt) ? 1 : 0) + (has(self.oauth2Introspection) ? 1 : 0) + "
                    "(has(self.apiKey) ? 1 : 0) <= 1",
                    "at most one of jwt, oauth2Introspection and apiKey may be set")],
    )

    rate_limit = obj(
        "Limits the request rate per key with a token bucket of `requests + burst` tokens "
        "refilled at `requests` per `period` (a long period makes a rolling quota). A limited "
        "request gets `429` with `Retry-After` and the `RateLimit-Policy` and `RateLimit` "
        "fields of draft-ietf-httpapi-ratelimit-headers.",
        {
            "requests": integer("Requests allowed per period.", 1, 1000000000),
            "period": duration("Length of the period."),
            "burst": integer("Extra requests allowed at once above the steady rate.", 0,
                             1000000000, default=0),
            "key": string("What a bucket belongs to: `ClientIP`, `APIKey` (the key id of "
                          "`auth.apiKey`), `User` (the JWT `sub`, the introspection "
                          "`sub`/`username`, or the API key id) or `Header` (the value of "
                          "`header`). Requests without the key share one bucket.", 0,
                          enum=["ClientIP", "APIKey", "User", "Header"], default="ClientIP"),
            "header": header_name("Request header whose value is the key. Required when key "
                                  "is `Header`, not allowed otherwise."),
            "scope": string("`Local`: each proxy replica counts on its own, exactly across its "
                            "worker threads. `Global`: all replicas share one bucket per key in "
                            "Redis (the proxy's `--redis-address`), leased in slices so that "
                            "almost no request waits for Redis.", 0,
                            enum=["Local", "Global"], default="Local"),
            "fallback": string("What a `Global` limit does while Redis cannot be reached: "
                               "`Local` counts per replica, `Allow` lets requests through, "
                               "`Deny` answers `503`.", 0,
                               enum=["Local", "Allow", "Deny"], default="Local"),
            "headers": string("Which responses carry `RateLimit-Policy` and `RateLimit`: "
                              "`Always`, or `WhenLimited` (only the `429`).", 0,
                              enum=["Always", "WhenLimited"], default="Always"),
        },
        required=["requests", "period"],
        rules=[
            rule("!has(self.key) || self.key != 'Header' || has(self.header)",
                 "header is required when key is Header", field_path=".header",
                 reason="FieldValueRequired"),
            rule("(has(self.key) && self.key == 'Header') || !has(self.header)",
                 "header is only allowed when key is Header", field_path=".header",
                 reason="FieldValueForbidden"),
            rule(f"!{valid_dur('period')} || duration(self.period) > duration('0s')", "period must be longer than 0s",
                 field_path=".period"),
        ],
    )

    cache = obj(
        "Caches backend responses to GET and HEAD requests in the proxy. Backend "
        "`Cache-Control: no-store`, `private` and `max-age` are honoured; concurrent misses "
        "for one key make one backend request; responses carry `X-Cache: HIT`, `MISS` or "
        "`STALE`.",
        {
            "ttl": duration("How long a response is kept when the backend does not say "
                            "(`max-age` wins when shorter)."),
            "varyHeaders": array("Request headers that are part of the cache key, besides "
                                 "method, host, path and query.",
                                 header_name("Header name."), 16, list_type="set"),
            "maxBodyBytes": integer("Largest response body that is cached (bytes, up to 64 "
                                    "MiB); larger ones pass through uncached.", 0, 67108864,
                                    default=1048576),
            "cacheAuthorizedRequests": boolean("Also cache responses to requests that carry "
                                               "`Authorization` (off by default: such "
                                               "responses are usually per user).",
                                               default=False),
            "staleWhileRevalidate": duration("How long after it went stale a response is still "
                                             "served while one background request refreshes it "
                                             "(RFC 5861), when the backend's `Cache-Control` "
                                             "names no `stale-while-revalidate`. 0s: off.",
                                             default="0s"),
            "staleIfError": duration("How long after it went stale a response is served "
                                     "instead of a backend failure or a 500/502/503/504 "
                                     "(RFC 5861), when the backend's `Cache-Control` names no "
                                     "`stale-if-error`. 0s: off.", default="0s"),
            "cacheSetCookie": boolean("Also store responses that carry `Set-Cookie` (off by "
                                      "default: a cookie is usually meant for one client).",
                                      default=False),
        },
        required=["ttl"],
        rules=[rule(f"!{valid_dur('ttl')} || duration(self.ttl) > duration('0s')", "ttl must be longer than 0s",
                    field_path=".ttl")],
    )

    cors = obj(
        "Answers CORS preflight requests (`OPTIONS` with `Access-Control-Request-Method`) in "
        "the proxy and adds CORS headers to responses for allowed origins.",
        {
            "allowOrigins": array("Allowed origins: `*`, or `scheme://host[:port]` where the "
                                  "host may start with `*.`.",
                                  string("An origin.", 253, pattern=CORS_ORIGIN), 64,
                                  min_items=1, list_type="set"),
            "allowMethods": array("Methods allowed in cross-origin requests; `*` allows all.",
                                  string("A method.", 0, enum=METHODS + ["*"]), 10,
                                  list_type="set"),
            "allowHeaders": array("Request headers allowed in cross-origin requests; `*` "
                                  "allows all.", header_name("A header name."), 64,
                                  list_type="set"),
            "exposeHeaders": array("Response headers the browser may expose to scripts.",
                                   header_name("A header name."), 64, list_type="set"),
            "allowCredentials": boolean("Send `Access-Control-Allow-Credentials: true`. Not "
                                        "allowed with the `*` origin.", default=False),
            "maxAge": duration("How long a browser may cache a preflight answer."),
        },
        required=["allowOrigins"],
        rules=[rule("!has(self.allowCredentials) || !self.allowCredentials || "
                    "!('*' in self.allowOrigins)",
                    "allowCredentials cannot be used with the '*' origin",
                    field_path=".allowCredentials")],
    )

    return {
        "rewrite": rewrite,
        "requestHeaders": header_modifier("request sent to the backend"),
        "responseHeaders": header_modifier("response sent to the client"),
        "timeouts": timeouts,
        "retries": retries,
        "circuitBreaker": circuit_breaker,
        "loadBalancer": load_balancer,
        "healthCheck": health_check,
        "auth": auth,
        "rateLimit": rate_limit,
        "cache": cache,
        "cors": cors,
        "requestBody": body_mapping(
            "request before it goes to the backend",
            "`415` (not JSON), `413` (over `maxBytes`) or `422` (an operation does not fit)"),
        "responseBody": body_mapping(
            "backend's `2xx` responses before they go to the client (other statuses pass "
            "unchanged)", "`502`"),
    }


def match():
    path = obj(
        "Matches the request path (without the query string).",
        {
            "type": string("`Exact`: the whole path. `PathPrefix`: the path or any path "
                           "below it, on `/` boundaries (`/v1/orders` matches `/v1/orders` and "
                           "`/v1/orders/7`, not `/v1/ordersx`). `RegularExpression`: RE2 "
                           "syntax, must match the whole path. `Template`: segments in braces "
                           "match one segment each and name it (`/v1/orders/{id}`), for use "
                           "by `aggregate`.", 0,
                           enum=["Exact", "PathPrefix", "RegularExpression", "Template"],
                           default="PathPrefix"),
            "value": string("The path, prefix, expression or template. Must start with `/` "
                            "unless type is `RegularExpression`.", 1024,
                            pattern=NO_CTL_NONEMPTY, default="/"),
        },
        rules=[rule("!has(self.value) || (has(self.type) && self.type == 'RegularExpression') || "
                    "self.value.startsWith('/')",
                    "value must start with '/' unless type is RegularExpression",
                    field_path=".value")],
    )
    return obj(
        "One match. A request matches when it satisfies every field that is set.",
        {
            "path": path,
            "methods": array("Request methods; any method when empty.",
                             string("A method.", 0, enum=METHODS), 9, list_type="set"),
            "headers": array("Request header conditions, all of which must hold.",
                             header_match_list("header", header_name(
                                 "Header name (case-insensitive).")),
                             16, list_type="map", map_keys=["name"]),
            "queryParams": array("Query parameter conditions, all of which must hold.",
                                 header_match_list("query parameter", string(
                                     "Query parameter name (case-sensitive).", 256,
                                     pattern=NO_CTL_NONEMPTY, min_len=1)),
                                 16, list_type="map", map_keys=["name"]),
            "version": string("Only requests of this API version (a name in "
                              "`spec.versioning.versions`); any declared version when not "
                              "set. See docs/versioning.md.", 32, pattern=VERSION_NAME,
                              min_len=1),
        },
    )


def versioning():
    """spec.versioning: API version negotiation (docs/versioning.md)."""
    source = obj(
        "One place the version of a request is read from.",
        {
            "type": string("`Header`: the value of the header `name`. `Accept`: the media-type "
                           "parameter `parameter` of the `Accept` header (RFC 9110, the range "
                           "with the highest quality that carries it; `q=0` excludes). "
                           "`QueryParam`: the query parameter `name`. `PathSegment`: the first "
                           "path segment, written `<prefix><version>` (`/v2/orders`).", 0,
                           enum=["Header", "Accept", "QueryParam", "PathSegment"]),
            "name": string("Header or query parameter name (Header and QueryParam only).", 256,
                           pattern=NO_CTL_NONEMPTY, min_len=1),
            "mediaType": string("Accept only: the media type whose parameter counts "
                                "(`application/vnd.example+json`); `type/*` and `*/*` ranges "
                                "cover it. Any media range when not set.", 255,
                                pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+$"),
            "parameter": string("Accept only: the media-type parameter that carries the version "
                                "(case-insensitive). Default `version`.", 64,
                                pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"),
            "prefix": string("PathSegment only: what the segment starts with before the "
                             "version. Default `v`.", 16, pattern=r"^[A-Za-z0-9._-]*$"),
            "strip": boolean("PathSegment only: remove the version segment before forwarding "
                             "(`/v2/orders` reaches the backend as `/orders`), unless the rule "
                             "rewrites the path."),
        },
        required=["type"],
        rules=[
            rule("(self.type == 'Header' || self.type == 'QueryParam') == has(self.name)",
                 "name is required for Header and QueryParam, and only allowed there"),
            rule("self.type == 'Accept' || (!has(self.mediaType) && !has(self.parameter))",
                 "mediaType and parameter are only allowed for Accept"),
            rule("self.type == 'PathSegment' || (!has(self.prefix) && !has(self.strip))",
                 "prefix and strip are only allowed for PathSegment"),
        ],
    )
    brownout = obj(
        "A window during which the version answers `410 Gone`.",
        {
            "start": string("When the window opens (RFC 3339).", None, fmt="date-time"),
            "end": string("When it closes (RFC 3339), after start.", None, fmt="date-time"),
        },
        required=["start", "end"],
        rules=[rule("self.end > self.start", "end must be after start", field_path=".end")],
    )
    version = obj(
        "A version of the API this route serves.",
        {
            "name": string("The version as requests spell it (`1`, `2024-06-01`, `beta`).", 32,
                           pattern=VERSION_NAME, min_len=1),
            "deprecation": string("When the version is (or was) deprecated (RFC 3339). Its "
                                  "responses carry `Deprecation: @<unix seconds>` (RFC 9745).",
                                  None, fmt="date-time"),
            "sunset": string("When the version stops being served (RFC 3339). Its responses "
                             "carry `Sunset: <HTTP-date>` (RFC 8594).", None, fmt="date-time"),
            "link": string("Documentation of the deprecation: sent as `Link: <link>; "
                           "rel=\"deprecation\"` (and `rel=\"sunset\"` with a sunset).", 2048,
                           pattern=r'^https?://[^\s/?#<>"]+([/?#][^\s<>"]*)?$'),
            "brownouts": array("Scheduled windows during which this deprecated version answers "
                               "`410` with the JSON error body, so callers notice before the "
                               "sunset.", brownout, 16),
        },
        required=["name"],
        rules=[
            rule("!has(self.sunset) || !has(self.deprecation) || self.sunset > self.deprecation",
                 "sunset must be after deprecation", field_path=".sunset"),
            rule("!has(self.brownouts) || size(self.brownouts) == 0 || has(self.deprecation)",
                 "brownouts need deprecation", field_path=".brownouts"),
        ],
    )
    return obj(
        "API version negotiation for every rule of this route (docs/versioning.md): where a "
        "request's version is read from, the versions served, and each version's deprecation. "
        "Rules select a version with `matches[].version`.",
        {
            "sources": array("Where the version is read from, in this order: the first that "
                             "carries a version decides.", source, 4, min_items=1,
                             rules=[rule("self.all(s, self.exists_one(t, t.type == s.type))",
                                         "each source type may appear once")]),
            "versions": array("The versions served. A request naming another gets `400` "
                              "(`406` when it came from Accept) listing these.", version, 32,
                              min_items=1, list_type="map", map_keys=["name"]),
            "default": string("The version of a request that names none. When not set, such a "
                              "request gets `400`.", 32, pattern=VERSION_NAME, min_len=1),
        },
        required=["sources", "versions"],
        rules=[rule("!has(self.default) || self.versions.exists(v, v.name == self.default)",
                    "default must name one of versions", field_path=".default")],
    )


def rule_schema():
    pol = policies()
    props = {
        "name": string("Name of the rule, unique in the APIRoute. Appears in metrics "
                       "(`rule` label), access logs and status messages.", 63,
                       pattern=DNS_LABEL, min_len=1),
        "matches": array("Requests this rule serves: the rule applies when any match holds "
                         "(OR); the fields of one match must all hold (AND). When empty, "
                         "every request to the route's hostnames matches. Across rules and "
                         "routes the most specific match wins: Exact, then the longest "
                         "PathPrefix, then RegularExpression/Template, then the most "
                         "header, query and method conditions.", match(), 16,
                         default=[{"path": {"type": "PathPrefix", "value": "/"}}]),
        "backends": array("Services that serve the requests, chosen by weight. Exactly one of "
                          "backends, redirect, directResponse and aggregate must be set.",
                          service_backend("A Service port and its share of the traffic."),
                          16, min_items=1, list_type="map", map_keys=["name", "port"],
                          rules=[rule("self.exists(b, !has(b.weight) || b.weight > 0)",
                                      "at least one backend must have a weight above 0")]),
        "redirect": obj(
            "Answers with an HTTP redirect instead of calling a backend. Fields that are not "
            "set keep the request's value.",
            {
                "scheme": string("Scheme of the Location.", 0, enum=["http", "https"]),
                "hostname": string("Host of the Location.", 253, pattern=HOSTNAME),
                "port": integer("Port of the Location. By default the request's port when "
                                "scheme is not set, else the scheme's default port; a "
                                "scheme's default port is left out.", 1, 65535),
                "path": string("Path of the Location (the query string is kept).", 1024,
                               pattern=r"^/[^\x00-\x1f\x7f\s]*$"),
                "statusCode": integer("Redirect status code.", default=302,
                                      enum=[301, 302, 303, 307, 308]),
            },
            rules=[rule("has(self.scheme) || has(self.hostname) || has(self.port) || "
                        "has(self.path)",
                        "a redirect must set at least one of scheme, hostname, port and path")],
        ),
        "directResponse": obj(
            "Answers with a fixed response instead of calling a backend.",
            {
                "status": integer("Status code of the response.", 200, 599),
                "body": string("Body of the response (sent as `text/plain; charset=utf-8`).",
                               4096),
            },
            required=["status"],
        ),
        "aggregate": obj(
            "Composes one JSON object from several backend calls, made in parallel with GET: "
            "`{\"<part name>\": <part body>, ...}`. Path segments named in a `Template` match "
            "can be used in part paths (`{id}`). Use sparingly: it couples services at the "
            "gateway.",
            {
                "parts": array(
                    "The calls whose JSON bodies make up the response.",
                    obj("One backend call.", {
                        "name": string("Key of this part in the composed JSON object.", 63,
                                       pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", min_len=1),
                        "backend": service_backend("The Service to call.", weight=False),
                        "path": string("Path (and query) to request; `{name}` is replaced "
                                       "by the path segment of that name, percent-encoded.",
                                       1024, pattern=r"^/[^\x00-\x1f\x7f\s]*$"),
                        "timeout": duration("Longest wait for this part's whole answer, 1ms "
                                            "to 60s; past it the part has failed (timed out).",
                                            default="5s"),
                        "required": boolean("Whether a failure of this part fails the whole "
                                            "response with `502`. When not set: true if "
                                            "onPartialFailure is `Fail`, false if `Omit`."),
                        "maxBodyBytes": integer("Largest body accepted from this part (bytes, "
                                                "up to 8 MiB); a larger one is a part failure.",
                                                1, 8388608, default=1048576, fmt="int64"),
                    }, required=["name", "backend", "path"],
                        rules=[rule(f"!has(self.timeout) || !{valid_dur('timeout')} || "
                                    "(duration(self.timeout) >= duration('1ms') && "
                                    "duration(self.timeout) <= duration('60s'))",
                                    "timeout must be between 1ms and 60s",
                                    field_path=".timeout"),
                               rule("self.name != '_errors'",
                                    "_errors is reserved for the missing parts' problem details",
                                    field_path=".name")]),
                    8, min_items=1, list_type="map", map_keys=["name"]),
                "onPartialFailure": string("Default of each part's `required`. `Fail`: a "
                                           "failed part fails the request with `502`. `Omit`: "
                                           "a failed part is left out of the object, with its "
                                           "problem details under `_errors` and its name in "
                                           "the `Archway-Aggregate-Missing` header.", 0,
                                           enum=["Fail", "Omit"], default="Fail"),
                "forwardHeaders": array("Client request headers copied to every part. When "
                                        "not set: `Accept-Language`, `traceparent`, "
                                        "`tracestate` and `X-Request-Id`. `Authorization` "
                                        "cannot be listed: see forwardAuthorization.",
                                        header_name("Header name (case-insensitive)."), 16,
                                        list_type="set",
                                        rules=[rule("self.all(h, h.lowerAscii() != "
                                                    "'authorization')",
                                                    "authorization is forwarded only by "
                                                    "forwardAuthorization: true")]),
                "forwardAuthorization": boolean("Also copy the client's `Authorization` "
                                                "header to every part.", default=False),
            },
            required=["parts"],
        ),
    }
    props.update(pol)
    return obj(
        "A rule: which requests (matches), where they go (backends, redirect, directResponse "
        "or aggregate) and the policies applied on the way.",
        props,
        required=["name"],
        rules=[
            rule("(has(self.backends) ? 1 : 0) + (has(self.redirect) ? 1 : 0) + "
                 "(has(self.directResponse) ? 1 : 0) + (has(self.aggregate) ? 1 : 0) == 1",
                 "exactly one of backends, redirect, directResponse and aggregate must be set"),
            rule("!has(self.rewrite) || has(self.backends)",
                 "rewrite needs backends", field_path=".rewrite"),
            rule("!has(self.loadBalancer) || has(self.backends)",
                 "loadBalancer needs backends", field_path=".loadBalancer"),
            rule("!has(self.healthCheck) || has(self.backends)",
                 "healthCheck needs backends", field_path=".healthCheck"),
            rule("!has(self.rewrite) || !has(self.rewrite.pathPrefix) || "
                 "!has(self.matches) || "
                 "self.matches.all(m, !has(m.path) || !has(m.path.type) || "
                 "m.path.type == 'PathPrefix')",
                 "rewrite.pathPrefix needs every match to use a PathPrefix path",
                 field_path=".rewrite.pathPrefix"),
        ],
    )


def condition():
    return obj(
        "A condition (metav1.Condition).",
        {
            "type": string("Condition type: `Accepted`, `ResolvedRefs`, `Programmed` or "
                           "`Ready`.", 316, pattern=CONDITION_TYPE),
            "status": string("`True`, `False` or `Unknown`.", 0,
                             enum=["True", "False", "Unknown"]),
            "reason": string("Why the condition has its status, in CamelCase (see "
                             "docs/status.md for every reason).", 1024,
                             pattern=CONDITION_REASON, min_len=1),
            "message": string("What happened, for a person to act on.", 32768),
            "lastTransitionTime": string("When the status last changed.", None,
                                         fmt="date-time"),
            "observedGeneration": integer("`metadata.generation` the condition was computed "
                                          "from.", 0, fmt="int64"),
        },
        required=["type", "status", "reason", "message", "lastTransitionTime"],
    )


def crd():
    defaults = obj(
        "Policies applied to every rule that does not set the same policy itself. A policy "
        "set in a rule replaces the default one as a whole (fields are not merged).",
        policies(),
    )
    cond = condition()
    spec = obj(
        "Desired routing for a set of hostnames.",
        {
            "ingressClassName": string("IngressClass whose controller serves this route; the "
                                       "cluster's default IngressClass when not set.", 253,
                                       pattern=DNS_SUBDOMAIN),
            "hostnames": array("Hosts this route serves; a leading `*.` matches one or more "
                               "labels (`*.example.org`). Every host when empty.",
                               string("A hostname, lower case.", 253,
                                      pattern=HOSTNAME_WILDCARD), 16, list_type="set"),
            "tls": obj("Serves the hostnames over TLS on the HTTPS listener.", {
                "secretName": string("A `kubernetes.io/tls` Secret in the APIRoute's "
                                     "namespace (or in `secretNamespace`) with the "
                                     "certificate chain and key for the hostnames.", 253,
                                     pattern=DNS_SUBDOMAIN, min_len=1),
                "secretNamespace": ref_namespace("TLS Secret"),
            }, required=["secretName"]),
            "defaults": defaults,
            "versioning": versioning(),
            "rules": array("The rules of the route.", rule_schema(), 64, min_items=1,
                           list_type="map", map_keys=["name"]),
        },
        required=["rules"],
        rules=[rule("!has(self.tls) || (has(self.hostnames) && size(self.hostnames) > 0)",
                    "tls needs hostnames", field_path=".tls"),
               rule("self.rules.all(r, !has(r.matches) || r.matches.all(m, !has(m.version) || "
                    "(has(self.versioning) && "
                    "self.versioning.versions.exists(v, v.name == m.version))))",
                    "a match's version must name one of versioning.versions",
                    field_path=".rules")],
    )
    status = obj(
        "Observed state, written by the controller's leader.",
        {
            "observedGeneration": integer("`metadata.generation` of the last spec the "
                                          "controller processed.", 0, fmt="int64"),
            "programmedReplicas": string("Replicas whose proxy serves the current generation, "
                                         "out of the live replicas: `2/3` (docs/status.md).",
                                         16),
            "programmedSeconds": {"type": "number", "minimum": 0,
                                  "description": "Seconds from the controller's first sight of "
                                                 "this generation to the last replica's proxy "
                                                 "serving it."},
            "conditions": array("`Accepted` (the spec is valid and has no conflict), "
                                "`ResolvedRefs` (every Service and Secret it names exists), "
                                "`Programmed` (a proxy accepted a snapshot holding this "
                                "generation) and `Ready` (all three are True).",
                                cond, 8, list_type="map", map_keys=["type"]),
        },
    )
    schema = obj(
        "APIRoute routes HTTP requests for a set of hostnames to Services, with API gateway "
        "policies (auth, rate limits, caching, CORS, retries, header and path rewriting).",
        {
            "apiVersion": {"type": "string", "description": "APIVersion of this object: "
                           "`archway.dev/v1alpha1`."},
            "kind": {"type": "string", "description": "Kind of this object: `APIRoute`."},
            "metadata": {"type": "object"},
            "spec": spec,
            "status": status,
        },
        required=["spec"],
    )
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "apiroutes.archway.dev",
            "labels": {"app.kubernetes.io/part-of": "archway"},
        },
        "spec": {
            "group": "archway.dev",
            "names": {
                "kind": "APIRoute",
                "listKind": "APIRouteList",
                "plural": "apiroutes",
                "singular": "apiroute",
                "shortNames": ["ar"],
                "categories": ["archway"],
            },
            "scope": "Namespaced",
            "versions": [{
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Hosts", "type": "string", "jsonPath": ".spec.hostnames",
                     "description": "Hostnames the route serves."},
                    {"name": "Ready", "type": "string",
                     "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
                     "description": "Whether the route is accepted, resolved and "
                                    "programmed."},
                    {"name": "Reason", "type": "string",
                     "jsonPath": '.status.conditions[?(@.type=="Ready")].reason',
                     "description": "Reason of the Ready condition."},
                    {"name": "Replicas", "type": "string",
                     "jsonPath": ".status.programmedReplicas",
                     "description": "Replicas serving the current generation / live replicas."},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
                "schema": {"openAPIV3Schema": schema},
            }],
        },
    }


def reference_grant_crd():
    """ReferenceGrant: the shape of Gateway API's (from/to), for our kinds only."""
    from_item = obj(
        "Routes that may refer to objects of this namespace.",
        {
            "kind": string("Kind of the referring object.", 0, enum=["APIRoute"]),
            "namespace": string("Namespace of the referring objects.", 63, pattern=DNS_LABEL,
                                min_len=1),
        },
        required=["kind", "namespace"])
    to_item = obj(
        "Objects of this namespace that may be referred to.",
        {
            "kind": string("Kind of the referred object.", 0, enum=["Secret", "Service"]),
            "name": string("Name of the one object permitted; every object of `kind` in this "
                           "namespace when not set.", 253, pattern=DNS_SUBDOMAIN, min_len=1),
        },
        required=["kind"])
    spec = obj(
        "Who may refer to what. A reference is permitted when one `from` entry matches the "
        "referring route and one `to` entry matches the referred object.",
        {
            "from": array("Referring routes.", from_item, 16, min_items=1),
            "to": array("Objects that may be referred to.", to_item, 16, min_items=1),
        },
        required=["from", "to"])
    schema = obj(
        "ReferenceGrant lets APIRoutes of other namespaces refer to Services or Secrets of "
        "its own namespace (in the spirit of Gateway API's ReferenceGrant). Without one, a "
        "cross-namespace reference is not served and the route reports "
        "`ResolvedRefs=False`, reason `RefNotPermitted`.",
        {
            "apiVersion": {"type": "string", "description": "APIVersion of this object: "
                           "`archway.dev/v1alpha1`."},
            "kind": {"type": "string", "description": "Kind of this object: `ReferenceGrant`."},
            "metadata": {"type": "object"},
            "spec": spec,
        },
        required=["spec"])
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "referencegrants.archway.dev",
            "labels": {"app.kubernetes.io/part-of": "archway"},
        },
        "spec": {
            "group": "archway.dev",
            "names": {
                "kind": "ReferenceGrant",
                "listKind": "ReferenceGrantList",
                "plural": "referencegrants",
                "singular": "referencegrant",
                "shortNames": ["arg"],
                "categories": ["archway"],
            },
            "scope": "Namespaced",
            "versions": [{
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "additionalPrinterColumns": [
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
                "schema": {"openAPIV3Schema": schema},
            }],
        },
    }


HEADERS = {
    "apiroutes.archway.dev.yaml": "# APIRoute CustomResourceDefinition (archway.dev/v1alpha1).\n",
    "referencegrants.archway.dev.yaml":
        "# ReferenceGrant CustomResourceDefinition (archway.dev/v1alpha1).\n",
}
HEADER_TAIL = """\
# Generated by crds/generate.py: edit that script, then run it. The Helm chart
# ships a byte-identical copy in helm/archway/crds/ (a test checks it).
"""


def render(name):
    doc = crd() if name == "apiroutes.archway.dev.yaml" else reference_grant_crd()
    body = yaml.safe_dump(doc, sort_keys=True, width=100, default_flow_style=False,
                          allow_unicode=False)
    return HEADERS[name] + HEADER_TAIL + "---\n" + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the files are out of date")
    args = ap.parse_args()
    stale = []
    for name, path in [(n, p) for n in CRD_FILES
                       for p in (os.path.join(HERE, n),
                                 os.path.join(ROOT, "helm", "archway", "crds", n))]:
        text = render(name)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        if args.check:
            stale.append(os.path.relpath(path, ROOT))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("out of date (run crds/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
