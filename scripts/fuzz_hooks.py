"""Schemathesis hooks for scripts/fuzz-api.

docs/openapi.yaml states two request rules in prose that JSON Schema cannot
express, because one value constrains another:

1. Step ids are unique within an automation definition, branches included
   (`POST /api/v1/automations`, `PATCH /api/v1/automations/{id}`).
2. `POST /api/v1/upsert-object` with an explicit `upsert_key`: `data` holds a
   non-empty string or a number at that path. The same holds for the
   `object` of `POST /api/v1/create-phone-call`.
3. `POST /api/v1/executions/bulk-replay`: with `from: failed_step`,
   `filter.status` holds only `failed` and `dead_letter`; and
   `filter.created_after` is before `filter.created_before`.

A schema-valid request that breaks one of them is rightly answered `400`.
So that `positive_data_acceptance` tests what the schema can say, these
hooks make each *positive* case satisfy the rules (renaming repeated
step ids, putting a key where `upsert_key` points). Negative cases are left
exactly as generated, and no check, failure or operation is filtered out.
"""

import re
from datetime import datetime

import schemathesis

STEP_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


def _steps(steps):
    """Every step object in a definition's step list, branches included."""
    if not isinstance(steps, list):
        return
    for step in steps:
        if isinstance(step, dict):
            yield step
            yield from _steps(step.get("then"))
            yield from _steps(step.get("otherwise"))


def _unique_step_ids(body):
    definition = body.get("definition") if isinstance(body, dict) else None
    if not isinstance(definition, dict):
        return
    seen = set()
    for step in _steps(definition.get("steps")):
        step_id = step.get("id")
        if not isinstance(step_id, str) or not STEP_ID.match(step_id):
            continue
        if step_id in seen:
            n = 1
            while True:
                suffix = f"-{n}"
                candidate = step_id[: 64 - len(suffix)] + suffix
                if candidate not in seen:
                    break
                n += 1
            step["id"] = step_id = candidate
        seen.add(step_id)


def _key_at_upsert_key(body):
    if not isinstance(body, dict):
        return
    path, data = body.get("upsert_key"), body.get("data")
    if not isinstance(path, str) or not path.startswith("$.") or not isinstance(data, dict):
        return
    # The server splits on "." and skips empty names, as here.
    names = [name for name in path[2:].split(".") if name]
    if not names:
        return
    node = data
    for name in names[:-1]:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    value = node.get(names[-1])
    valid = (isinstance(value, str) and value != "") or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )
    if not valid:
        node[names[-1]] = "key-1"


def _bulk_replay_rules(body):
    if not isinstance(body, dict):
        return
    flt = body.get("filter")
    if not isinstance(flt, dict):
        return
    statuses = flt.get("status")
    if body.get("from") == "failed_step" and isinstance(statuses, list):
        kept = [s for s in statuses if s in ("failed", "dead_letter")]
        flt["status"] = kept or ["dead_letter"]
    after, before = flt.get("created_after"), flt.get("created_before")
    if isinstance(after, str) and isinstance(before, str):
        # A window that is empty or inverted (or not comparable here) loses its end.
        try:
            ordered = datetime.fromisoformat(after.replace("z", "Z")) < datetime.fromisoformat(before.replace("z", "Z"))
        except (ValueError, TypeError):
            ordered = False
        if not ordered:
            del flt["created_before"]


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    method, path = case.operation.method.upper(), case.operation.path
    if path == "/api/v1/upsert-object" and method == "POST":
        _key_at_upsert_key(case.body)
    elif path == "/api/v1/create-phone-call" and method == "POST" and isinstance(case.body, dict):
        _key_at_upsert_key(case.body.get("object"))
    elif (path, method) in (("/api/v1/automations", "POST"), ("/api/v1/automations/{id}", "PATCH")):
        _unique_step_ids(case.body)
    elif path == "/api/v1/executions/bulk-replay" and method == "POST":
        _bulk_replay_rules(case.body)
    return case
