"""Schemathesis hooks of the API contract test (test/integration/api-contract.test.ts).

Idempotency keys: every generated request that may carry an Idempotency-Key gets a fresh one.
Generated keys repeat across cases (the shortest valid key is a single character), and the API
rightly answers a key reused for a different request with 422 and a repeated one with the first
answer: either would hide the operation's own behaviour. A key that was generated invalid on
purpose (negative testing) is left alone, so that its refusal is still checked.

Business rules the document cannot state: see RULES_THE_DOCUMENT_CANNOT_STATE.
"""

import json
import re
import uuid

import schemathesis

IDEMPOTENCY_KEY = "Idempotency-Key"
# The pattern api/openapi.ts publishes for the header.
VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")


@schemathesis.hook
def before_call(context, case, kwargs):
    """A fresh Idempotency-Key for every request of an operation that takes one."""
    if case.operation.get_parameter(IDEMPOTENCY_KEY, "header") is None:
        return
    headers = case.headers if case.headers is not None else {}
    current = headers.get(IDEMPOTENCY_KEY)
    if current is None or (isinstance(current, str) and VALID_KEY.fullmatch(current)):
        headers[IDEMPOTENCY_KEY] = f"contract-{uuid.uuid4()}"
        case.headers = headers


# Refusals of schema-valid requests that are right: each rule below compares values in a way
# JSON Schema cannot state (or depends on the machine), so the document says it in words and a
# generated request may break it. Matched by operation, status and every pointer of the problem's
# errors: a refusal for any other reason still fails the run. Rules JSON Schema *can* state are
# in the document instead (enumerated ids, patterns, if/then: domain/schema-rules.ts).
RULES_THE_DOCUMENT_CANNOT_STATE = [
    # Approval quorum: a number compared with the length of the approvers list.
    ("POST /programmes", 400, r"/body/config/approvalGates/[^/]+/quorum"),
    # AI system ids unique: uniqueItems compares whole items, not one property of them.
    ("PUT /programmes/{id}/scope", 400, r"/body/aiSystems"),
    # Every Annex A control exactly once: a coverage rule over the whole list.
    ("PUT /programmes/{id}/soa", 400, r"/body/entries"),
    # Auditor independence: the auditor's own areas compared with the audit's scope.
    ("POST /programmes/{id}/audits", 400, r"/body/independence/auditorResponsibleFor"),
    ("PUT /programmes/{id}/audit-programme", 400, r"/body/audits/\d+/auditorResponsibleFor"),
    # Planned audit ids unique: again one property of each item.
    ("PUT /programmes/{id}/audit-programme", 400, r"/body/audits"),
    # Whether a report takes a key, and which formats it comes in, depend on its kind, a path
    # parameter: OpenAPI cannot make one parameter's values depend on another's.
    ("GET /programmes/{id}/reports/{kind}", 400, r"/query/(key|format)"),
    ("POST /programmes/{id}/reports/{kind}", 400, r"/query/key"),
    # An upload's metadata is JSON inside a multipart field, and the file's media type must agree
    # with its name and its first bytes: nothing a generator can be told.
    ("POST /programmes/{id}/evidence/files", 400, r"/body/(metadata|file)(/.*)?"),
    ("POST /programmes/{id}/evidence/files", 415, None),
    # The register is CSV, JSON or YAML inside a string.
    ("POST /programmes/{id}/inventory/import", 400, r"/body/content(/.*)?"),
    # The path must be an existing directory inside SCAN_ROOTS: a fact of the machine.
    ("POST /programmes/{id}/inventory/scans", 400, r"/body/path"),
]


def _pointers(response):
    try:
        problem = json.loads(response.content)
    except ValueError:
        return None
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if not isinstance(errors, list):
        return []
    return [e.get("pointer", "") for e in errors if isinstance(e, dict)]


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except a refusal of valid data by the rules above alone."""
    if failure.code != "ST202":
        return True
    label = f"{case.method.upper()} {case.operation.path}"
    rules = [p for (op, status, p) in RULES_THE_DOCUMENT_CANNOT_STATE if op == label and status == response.status_code]
    if not rules:
        return True
    if None in rules:
        return False
    pointers = _pointers(response)
    explained = pointers and all(any(re.fullmatch(rule, p) for rule in rules) for p in pointers)
    return not explained
