"""GET /openapi.json is a complete, valid OpenAPI 3.1 document: every route, its path and
query parameters, its request body from the pydantic model the endpoint validates with,
and the bearer security scheme. (The fuzz run, tests/server/test_fuzz.py, is driven by it.)"""
from __future__ import annotations

import inspect
import re

import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from onewindow.server.api import tickets, windows
from onewindow.server.api.openapi import Schemas, reads


@pytest.fixture(scope="module")
def app_and_doc(tmp_path_factory):
    from support.halls import demo_config

    from onewindow.server.app import create_app
    from onewindow.server.settings import Settings

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("data"), admin_password="x" * 12, speech="fake",
                              printer="none"), demo_config())
    # The document is built from the routes alone: no need to start the app to read it.
    from onewindow.server.api.openapi import schemas

    return app, schemas.get_schema(app.routes)


def operations(app):
    for r in app.routes:
        if isinstance(r, Route) and r.include_in_schema:
            for m in sorted(r.methods - {"HEAD"}):
                yield r, m.lower()


def test_served_and_valid(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # openapi-spec-validator: raises on the first error


def test_every_route_is_an_operation(app_and_doc):
    app, doc = app_and_doc
    missing = [(r.path, m) for r, m in operations(app) if m not in doc["paths"].get(r.path, {})]
    assert not missing
    assert sum(len(ops) for ops in doc["paths"].values()) == len(list(operations(app))) >= 65


def test_path_parameters_declared(app_and_doc):
    _, doc = app_and_doc
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
            assert set(declared) == names, (method, path)
            assert all(p["required"] is True for p in declared.values())
            if "id" in declared:  # database ids are integers; an export's id is a string
                want = "string" if path.startswith("/api/v1/exports/") else "integer"
                assert declared["id"]["schema"]["type"] == want, (method, path)


def _source(func) -> str:
    return inspect.getsource(func)


def test_query_parameters_declared(app_and_doc):
    app, doc = app_and_doc
    for route, method in operations(app):
        src = _source(route.endpoint)
        read = set(re.findall(r"query_params(?:\.get\(|\[)\"(\w+)\"", src))
        read |= set(re.findall(r"_(?:int_|list_)?param\(request, \"(\w+)\"", src))
        op = doc["paths"][route.path][method]
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert read <= declared, (method, route.path, read - declared)
    # those read through a helper
    for path in ("/api/v1/halls/{hall}/reports", "/api/v1/halls/{hall}/reports.csv"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert params["from"]["schema"] == {"type": "string", "format": "date"}


def test_request_bodies_from_the_validation_models(app_and_doc):
    app, doc = app_and_doc
    comps = doc["components"]["schemas"]
    for route, method in operations(app):
        src = _source(route.endpoint)
        reads_body = "body(request" in src
        op = doc["paths"][route.path][method]
        if reads_body and "<locals>" not in route.endpoint.__qualname__:  # factories: per action below
            assert "requestBody" in op, (method, route.path)
        if "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            if "$ref" in schema:
                assert schema["$ref"].removeprefix("#/components/schemas/") in comps
    p = doc["paths"]
    body = {path: p[path]["post"]["requestBody"]["content"]["application/json"]["schema"].get("$ref", "").split("/")[-1]
            for path in p if "post" in p[path] and "requestBody" in p[path]["post"]}
    assert body["/api/v1/halls/{hall}/tickets"] == "IssueBody"
    assert body["/api/v1/tickets/{id}/complete"] == "CompleteBody"
    assert body["/api/v1/tickets/{id}/transfer"] == "TransferBody"
    assert body["/api/v1/halls/{hall}/windows/{window}/away"] == "AwayBody"
    assert body["/api/v1/cases/{id}/suspend"] == "SuspendBody"
    assert body["/api/v1/auth/login"] == "Login"
    assert "/api/v1/tickets/{id}/recall" not in body  # no body read
    assert comps["IssueBody"] == tickets.IssueBody.model_json_schema(ref_template="#/components/schemas/{model}")
    # a nested model is its own component
    assert comps["CompleteBody"]["properties"]["case"]["anyOf"][0] == {"$ref": "#/components/schemas/CaseBody"}
    assert "CaseBody" in comps
    assert p["/api/v1/halls/{hall}/windows/{window}/posts"]["put"]["requestBody"]["content"][
        "application/json"]["schema"] == {"$ref": "#/components/schemas/PostsBody"}
    assert windows.PostsBody.__name__ in comps
    # required only when the model has required fields (an empty body reads as {})
    assert p["/api/v1/auth/login"]["post"]["requestBody"]["required"] is True
    assert p["/api/v1/tickets/{id}/park"]["post"]["requestBody"]["required"] is False


def test_security_scheme_and_responses(app_and_doc):
    _, doc = app_and_doc
    bearer = doc["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert {"bearer": []} in doc["security"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and op["responses"], (method, path)
            assert all(isinstance(code, str) for code in op["responses"])


def test_malformed_docstring_yaml_is_refused():
    async def bad(request):
        """Summary.
        ---
        responses:
          422: {description: unknown category, or a bad body}
        """

    async def not_a_mapping(request):
        """Summary.
        ---
        - a list
        """

    gen = Schemas({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}})
    for func in (bad, not_a_mapping):
        with pytest.raises(ValueError, match=func.__name__):
            gen.get_schema([Route("/x", reads()(func), methods=["POST"])])
