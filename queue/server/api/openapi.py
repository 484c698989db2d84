"""The OpenAPI document (`GET /openapi.json`), built from the routes themselves.

Each operation takes its summary and description from the endpoint's docstring, and
whatever YAML follows a `---` line in it (responses, hand-written parameters). The rest
is derived, so that it cannot drift from the code:
- path parameters from the route's path (`{hall}`, `{window}`, `{id}`...; an `id` read
  with `path_int` is an integer unless the endpoint says otherwise);
- query parameters and the request body from what the endpoint declares with `@reads`
  (or `reads(...)(endpoint)` for endpoints made by a factory): the body's schema is the
  pydantic model the endpoint validates with (`model_json_schema()`).
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import yaml  # type: ignore[import-untyped]  # pyyaml ships no types
from pydantic import BaseModel
from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

ATTR = "__openapi__"
_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
# Database ids: the signed 64-bit range (path_int answers 404 outside it).
ID_SCHEMA = {"type": "integer", "format": "int64"}
PATH_SCHEMAS: dict[str, dict] = {
    "id": ID_SCHEMA,
    "hall": {"type": "string", "description": "a hall's id, e.g. eco"},
    "window": {"type": "string", "description": "a window's id, e.g. w1"},
    "number": {"type": "string", "description": "a ticket's number today, e.g. A001"},
}
RESPONSE_KEYS = {"description", "content", "headers", "links"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "code": {"type": "string"},
                   "field": {"type": "string", "description": "the request field at fault, if one"}},
}


def reads(body: type[BaseModel] | dict | None = None, query: dict[str, dict] | None = None,
          path: dict[str, dict] | None = None) -> Callable[[Callable], Callable]:
    """Say what an endpoint reads besides its path: `body`, the pydantic model it validates its
    JSON body with (or a JSON schema); `query`, {name: JSON schema} of its query parameters (a
    schema may carry `required: true` and a `description`); `path`, schemas for path parameters
    that are not what their name says by default (PATH_SCHEMAS)."""

    def mark(func: Callable) -> Callable:
        setattr(func, ATTR, {"body": body, "query": query or {}, "path": path or {}})
        return func

    return mark


def _docstring(func: Callable) -> dict[str, Any]:
    doc = inspect.getdoc(func) or ""
    text, sep, spec = doc.partition("\n---\n")
    parsed: dict[str, Any] = {}
    if sep:
        try:
            loaded = yaml.safe_load(spec)
        except yaml.YAMLError as exc:
            raise ValueError(f"{func.__qualname__}: the OpenAPI YAML in its docstring is malformed: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{func.__qualname__}: the part after --- in its docstring is not a YAML mapping")
        parsed = loaded
    summary, _, rest = text.strip().partition("\n")
    parsed.setdefault("summary", summary.strip() or func.__name__.replace("_", " "))
    if rest.strip() and "description" not in parsed:
        parsed["description"] = " ".join(rest.split())
    return parsed


class Schemas(SchemaGenerator):
    """The document: every included route, each operation complete (see the module's docstring)."""

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        doc: dict[str, Any] = {
            **self.base_schema,
            "paths": {},
            "components": {
                "schemas": {"Error": ERROR},
                "securitySchemes": {"bearer": {
                    "type": "http", "scheme": "bearer",
                    "description": "the token from POST /api/v1/auth/login (a browser sends it as a cookie)"}},
            },
            # Public operations take no token; staff ones answer 401 without one.
            "security": [{}, {"bearer": []}],
        }
        models: dict[str, type[BaseModel]] = {}
        for ep in self.get_endpoints(routes):
            op = self.operation(ep.path, ep.func, doc["components"]["schemas"], models)
            doc["paths"].setdefault(ep.path, {})[ep.http_method] = op
        return doc

    def operation(self, path: str, func: Callable, components: dict, models: dict) -> dict[str, Any]:
        op = _docstring(func)
        meta = getattr(func, ATTR, {"body": None, "query": {}, "path": {}})
        params: list[dict] = list(op.get("parameters") or [])
        named = {(p.get("in"), p.get("name")) for p in params}
        for name in _PATH_PARAM.findall(path):
            if ("path", name) not in named:
                schema = meta["path"].get(name) or PATH_SCHEMAS.get(name) or {"type": "string"}
                params.append({"name": name, "in": "path", "required": True, "schema": dict(schema)})
        for name, schema in meta["query"].items():
            if ("query", name) not in named:
                s = dict(schema)
                p: dict[str, Any] = {"name": name, "in": "query", "required": bool(s.pop("required", False))}
                if "description" in s:
                    p["description"] = s.pop("description")
                params.append({**p, "schema": s})
        if params:
            op["parameters"] = params
        if meta["body"] is not None and "requestBody" not in op:
            op["requestBody"] = self.request_body(meta["body"], components, models)
        responses = {str(code): r for code, r in (op.get("responses") or {"200": {"description": "OK"}}).items()}
        for code, r in responses.items():  # e.g. an unquoted comma in a flow mapping makes a stray key
            if not isinstance(r, dict) or not isinstance(r.get("description"), str) or set(r) - RESPONSE_KEYS:
                raise ValueError(f"{func.__qualname__}: response {code} in its docstring is malformed: {r!r}")
        responses.setdefault("default", {"description": "an error: {error, code, field?}", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        op["responses"] = responses
        return op

    @staticmethod
    def request_body(body: type[BaseModel] | dict, components: dict, models: dict) -> dict[str, Any]:
        if isinstance(body, dict):
            schema, required = body, bool(body.get("required"))
        else:
            name = body.__name__
            if models.setdefault(name, body) is not body:
                raise ValueError(f"two request models are named {name}: {models[name]} and {body}")
            full = body.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(full.pop("$defs", {}))
            components[name] = full
            schema, required = {"$ref": f"#/components/schemas/{name}"}, bool(full.get("required"))
        # An empty body reads as {}: the body is required only when the model has required fields.
        return {"required": required, "content": {"application/json": {"schema": schema}}}


schemas = Schemas({"openapi": "3.1.0", "info": {
    "title": "onewindow", "version": "1",
    "description": "Queue, ticketing and cases for one-window service halls. The stable v1 contract is in "
                   "docs/api.md; errors are JSON {error, code, field?}."}})
