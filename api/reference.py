"""The API reference of /api/docs/: the OpenAPI schema drf-spectacular generates, read into
plain rows for a server-rendered page (no script: it passes axe and fits a phone).

Only the reading is here; the page (api/schema.py DocsView, templates/api/docs.html) adds the
host and the portal's own words. The schema's texts stay as written (help texts, docstrings),
but for the resources' names and the operations' summaries, which the API modules mark with
gettext_noop: the page shows them in the reader's language, the schema file in English.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from drf_spectacular.generators import SchemaGenerator

BODY_METHODS = ("POST", "PUT", "PATCH")
# drf-spectacular appends an enum's choices to its description as "* `value` - label" lines
CHOICE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<label>.*)$", re.M)
SAMPLE = {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}
# DRF's own words in the schema, listed so that makemessages finds them for the page
gettext_noop("A page number within the paginated result set.")
gettext_noop("Number of results to return per page.")
# DRF describes each path's id as "A unique integer value identifying this <model name>."
PATH_ID = re.compile(r"^A unique integer value identifying this .*\.$")
TAG_NAMES = {
    "demands": gettext_noop("Demands"),
    "matches": gettext_noop("Matches"),
    "offers": gettext_noop("Offers"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """A parameter or a field of a request body."""

    name: str
    type: str
    required: bool
    description: str
    choices: tuple[Choice, ...] = ()
    where: str = ""  # a parameter's place: path, query, header, cookie


@dataclass(frozen=True)
class Answer:
    code: str
    description: str
    body: str  # the schema's component name, or the shape of an inline body; "" for none


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: tuple[Field, ...]
    body: tuple[Field, ...] | None  # None: the operation takes no body
    answers: tuple[Answer, ...]
    example_path: str  # the path with sample values, for the curl example
    example_body: str  # JSON, quoted for a POSIX shell's single quotes; "" for none


@dataclass(frozen=True)
class Section:
    """One tag of the schema: a resource such as offers."""

    name: str
    anchor: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    sections: tuple[Section, ...]


@functools.lru_cache(maxsize=8)
def api_reference(language: str) -> Reference:
    """The reference in `language`, generated once per process: the schema cannot change
    while the process runs, and it is the same for every user (SERVE_PUBLIC)."""
    with translation.override(language):  # model labels in the schema follow the reader
        return read_schema(SchemaGenerator().get_schema(request=None, public=True))


def read_schema(schema: dict[str, Any]) -> Reference:
    reader = _Reader(schema.get("components", {}).get("schemas", {}))
    sections: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue  # "parameters", "servers": shared keys, not operations
            tag = (operation.get("tags") or ["api"])[0]
            sections.setdefault(tag, []).append(reader.operation(path, method.upper(), operation))
    tag_texts = {t["name"]: t.get("description", "") for t in schema.get("tags", [])}
    return Reference(
        title=schema.get("info", {}).get("title", ""),
        version=schema.get("info", {}).get("version", ""),
        sections=tuple(
            _section(tag, operations, tag_texts.get(tag, ""))
            for tag, operations in sections.items()
        ),
    )


def _section(tag: str, operations: list[Operation], description: str) -> Section:
    # A viewset's docstring is the description of each of its operations: say it once, above.
    if not description and len({op.description for op in operations}) == 1:
        description = operations[0].description
    if description:
        operations = [
            replace(op, description="") if op.description == description else op
            for op in operations
        ]
    return Section(
        name=gettext(TAG_NAMES.get(tag, tag)),
        anchor=f"api-{_slug(tag)}",
        description=description,
        operations=tuple(operations),
    )


class _Reader:
    def __init__(self, components: dict[str, Any]):
        self.components = components

    def operation(self, path: str, method: str, operation: dict[str, Any]) -> Operation:
        body = self.request_body(operation) if method in BODY_METHODS else None
        return Operation(
            method=method,
            path=path,
            anchor=f"op-{_slug(operation.get('operationId') or method + path)}",
            summary=gettext(operation.get("summary", "")) if operation.get("summary") else "",
            description=operation.get("description", ""),
            parameters=tuple(self.parameter(p) for p in operation.get("parameters", [])),
            body=body,
            answers=tuple(
                self.answer(code, answer)
                for code, answer in sorted(operation.get("responses", {}).items())
            ),
            example_path=self.example_path(path, operation.get("parameters", [])),
            example_body=_shell_quoted(self.example_body(body, method)) if body else "",
        )

    def parameter(self, parameter: dict[str, Any]) -> Field:
        schema = parameter.get("schema", {})
        return Field(
            name=parameter["name"],
            type=self.type_of(schema),
            required=bool(parameter.get("required")),
            description=_said(_without_choices(parameter.get("description", ""))),
            choices=self.choices(schema, parameter.get("description", "")),
            where=parameter.get("in", ""),
        )

    def request_body(self, operation: dict[str, Any]) -> tuple[Field, ...]:
        content = operation.get("requestBody", {}).get("content", {})
        schema = self.resolve(content.get("application/json", {}).get("schema", {}))
        required = set(schema.get("required", []))
        return tuple(
            Field(
                name=name,
                type=self.type_of(field),
                required=name in required,
                description=_said(_without_choices(field.get("description", "")))
                or field.get("title", ""),
                choices=self.choices(field, field.get("description", "")),
            )
            for name, field in schema.get("properties", {}).items()
            if not field.get("readOnly")
        )

    def answer(self, code: str, answer: dict[str, Any]) -> Answer:
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            body = ""
        elif "$ref" in schema:
            body = schema["$ref"].rsplit("/", 1)[-1]
        elif "properties" in schema:
            body = "{" + ", ".join(schema["properties"]) + "}"
        elif "additionalProperties" in schema:
            body = "{field: [string]}"  # a 400's messages by field name
        else:
            body = self.type_of(schema)
        return Answer(code=code, description=_said(answer.get("description", "")), body=body)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A $ref followed, and an allOf of one schema (how a described enum is written)
        merged into the keys beside it."""
        if "$ref" in schema:
            schema = {
                **self.components.get(schema["$ref"].rsplit("/", 1)[-1], {}),
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        if len(schema.get("allOf", ())) == 1:
            inner = self.resolve(schema["allOf"][0])
            schema = {**inner, **{k: v for k, v in schema.items() if k != "allOf"}}
        return schema

    def type_of(self, schema: dict[str, Any]) -> str:
        schema = self.resolve(schema)
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if alternatives:
            texts = [self.type_of(a) for a in alternatives if not _is_blank_enum(self.resolve(a))]
            text = " | ".join(dict.fromkeys(texts)) or "string"
        elif schema.get("type") == "array":
            text = f"array[{self.type_of(schema.get('items', {}))}]"
        elif schema.get("type") == "string" and schema.get("maxLength") == 0:
            text = '""'
        else:
            text = schema.get("type", "object")
            if schema.get("format"):
                text += f" ({schema['format']})"
        return text + " | null" if schema.get("nullable") else text

    def choices(self, schema: dict[str, Any], description: str) -> tuple[Choice, ...]:
        """An enum's values (a blank one included), each with its label where the schema
        gives one."""
        values: list[str] = []
        labels = dict(CHOICE.findall(description))
        for part in self._enum_parts(schema):
            values += [str(v) for v in part["enum"] if v is not None]
            labels.update(CHOICE.findall(part.get("description", "")))
        return tuple(Choice(v, labels.get(v, "")) for v in dict.fromkeys(values))

    def _enum_parts(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        schema = self.resolve(schema)
        if "enum" in schema:
            return [schema]
        alternatives = schema.get("anyOf") or schema.get("oneOf") or []
        return [p for a in alternatives for p in self._enum_parts(a)]

    def example_path(self, path: str, parameters: list[dict[str, Any]]) -> str:
        samples = {
            p["name"]: p.get("example", SAMPLE.get(p.get("schema", {}).get("type"), "abc"))
            for p in parameters
            if p.get("in") == "path"
        }
        # a literal {id} would be read by curl as a pattern: put a sample value there
        return re.sub(r"\{(\w+)\}", lambda m: str(samples.get(m.group(1), 1)), path)

    def example_body(self, body: tuple[Field, ...], method: str) -> str:
        # The fields a request must send; a PATCH sends any one of them.
        fields = [f for f in body if f.required] or (list(body[:1]) if method == "PATCH" else [])
        return json.dumps(
            {f.name: self.sample(f) for f in fields}, ensure_ascii=False, separators=(", ", ": ")
        )

    @staticmethod
    def sample(field: Field) -> Any:
        if field.choices:
            return next((c.value for c in field.choices if c.value), "")
        base = field.type.split(" ", 1)[0]
        if base.startswith("array"):
            return []
        return SAMPLE.get(base, "string")


def _is_blank_enum(schema: dict[str, Any]) -> bool:
    return schema.get("enum") in ([""], [None], ["", None])


def _said(text: str) -> str:
    """A text of the schema in the reader's language where the portal translated it (the API
    modules mark theirs with gettext_noop), else as written."""
    if PATH_ID.match(text):
        return gettext("The record's number (its id).")
    return gettext(text) if text else ""


def _without_choices(description: str) -> str:
    return CHOICE.sub("", description).strip()


def _shell_quoted(text: str) -> str:
    return text.replace("'", "'\\''")  # the curl example puts the JSON inside '...'


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()
