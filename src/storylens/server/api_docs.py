"""Turn the OpenAPI schema into a plain list of operations for the ``/docs`` page.

FastAPI's default docs load Swagger UI from a CDN, which breaks offline use and a strict
CSP; this server renders its reference itself, from the same schema ``/openapi.json``
serves, so the page can never drift from the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(slots=True)
class Param:
    name: str
    where: str
    required: bool
    type: str
    description: str


@dataclass(slots=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    auth: bool
    params: list[Param] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """An HTML id for linking to this operation."""
        slug = "".join(c if c.isalnum() else "-" for c in self.path).strip("-")
        return f"{self.method.lower()}-{slug}"


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def operations(schema: dict[str, Any]) -> list[Operation]:
    """Every operation in ``schema``, in path order."""
    ops: list[Operation] = []
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                Param(name=p["name"], where=p.get("in", ""), required=bool(p.get("required")),
                      type=_type_of(p.get("schema", {})),
                      description=p.get("description") or p.get("schema", {}).get(
                          "description", ""))
                for p in op.get("parameters", [])
            ]
            body = None
            content = op.get("requestBody", {}).get("content", {})
            for media, spec in content.items():
                body = f"{media}: {_type_of(spec.get('schema', {}))}"
                desc = spec.get("schema", {}).get("description")
                if desc:
                    body += f" — {desc}"
            ops.append(Operation(
                method=method.upper(), path=path, summary=op.get("summary", ""),
                description=op.get("description", ""), tag=(op.get("tags") or ["other"])[0],
                auth=bool(op.get("security")), params=params, body=body,
                responses=[(str(code), str(r.get("description", "")))
                           for code, r in sorted(op.get("responses", {}).items())],
            ))
    return ops
