"""The API reference's reader (api/reference.py): an OpenAPI schema into the page's rows,
without a database."""

from api.reference import Choice, read_schema

THING = {"$ref": "#/components/schemas/Thing"}
SCHEMA = {
    "info": {"title": "Things API", "version": "2.0"},
    "paths": {
        "/api/things/": {
            "get": {
                "operationId": "things_list",
                "tags": ["things"],
                "summary": "List things",
                "description": "Your things.",
                "parameters": [
                    {
                        "in": "query",
                        "name": "status",
                        "schema": {"type": "string", "enum": ["a", "b", ""]},
                        "description": "Status\n\n* `a` - alpha\n* `b` - beta",
                    }
                ],
                "responses": {
                    "200": {"content": {"application/json": {"schema": THING}}, "description": ""}
                },
            },
            "post": {
                "operationId": "things_create",
                "tags": ["things"],
                "description": "Your things.",
                "requestBody": {"content": {"application/json": {"schema": THING}}},
                "responses": {"201": {"description": ""}},
            },
        },
        "/api/things/{id}/": {
            "patch": {
                "operationId": "things_partial_update",
                "tags": ["things"],
                "description": "Your things.",
                "parameters": [
                    {"in": "path", "name": "id", "schema": {"type": "integer"}, "required": True}
                ],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Patched"}}
                    }
                },
                "responses": {"200": {"description": "Changed."}},
            }
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "name", "kind"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "title": "Name of it"},
                    "kind": {"allOf": [{"$ref": "#/components/schemas/KindEnum"}]},
                    "site": {
                        "anyOf": [
                            {"type": "string", "format": "uri"},
                            {"type": "string", "maxLength": 0},
                        ]
                    },
                    "level": {"type": "integer", "nullable": True, "description": "1 to 9."},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Patched": {"type": "object", "properties": {"name": {"type": "string"}}},
            "KindEnum": {
                "enum": ["x", "y"],
                "type": "string",
                "description": "* `x` - ex\n* `y` - why",
            },
        }
    },
}


def test_reference_says_a_shared_description_once_per_resource():
    reference = read_schema(SCHEMA)
    assert (reference.title, reference.version) == ("Things API", "2.0")
    [section] = reference.sections
    assert (section.name, section.anchor, section.description) == (
        "things",
        "api-things",
        "Your things.",
    )
    assert [(op.method, op.path, op.description) for op in section.operations] == [
        ("GET", "/api/things/", ""),
        ("POST", "/api/things/", ""),
        ("PATCH", "/api/things/{id}/", ""),
    ]


def test_reference_shows_enums_as_their_values_with_labels():
    from django.utils import translation

    with translation.override("en"):  # "Status" is also a word of the portal's catalogue
        [status] = read_schema(SCHEMA).sections[0].operations[0].parameters
    assert (status.where, status.type, status.required, status.description) == (
        "query",
        "string",
        False,
        "Status",
    )
    assert status.choices == (Choice("a", "alpha"), Choice("b", "beta"), Choice("", ""))


def test_reference_body_leaves_read_only_fields_out_and_spells_types():
    create = read_schema(SCHEMA).sections[0].operations[1]
    body = {f.name: f for f in create.body}
    assert list(body) == ["name", "kind", "site", "level", "tags"]  # not id: read-only
    assert body["name"].required and body["name"].description == "Name of it"
    assert body["kind"].type == "string"
    assert body["kind"].choices == (Choice("x", "ex"), Choice("y", "why"))
    assert body["site"].type == 'string (uri) | ""'
    assert body["level"].type == "integer | null" and body["level"].description == "1 to 9."
    assert body["tags"].type == "array[string]"
    assert create.example_body == '{"name": "string", "kind": "x"}'


def test_reference_examples_fill_the_path_and_a_patch_sends_one_field():
    reference = read_schema(SCHEMA)
    listing, _, patch = reference.sections[0].operations
    assert patch.example_path == "/api/things/1/"  # curl would read {id} as a pattern
    assert patch.example_body == '{"name": "string"}'
    assert listing.body is None and listing.example_body == ""
    assert [(a.code, a.body) for a in listing.answers] == [("200", "Thing")]
    assert [(a.code, a.description, a.body) for a in patch.answers] == [("200", "Changed.", "")]


def test_reference_says_the_portals_texts_in_the_readers_language():
    """The API's own help texts and error descriptions (gettext_noop where written) and DRF's
    id description read in Vietnamese; a text the portal never translated stays as written."""
    from django.utils import translation

    from api.reference import _said

    with translation.override("vi"):
        assert _said("Missing or invalid token.") == "Thiếu mã truy cập hoặc mã không hợp lệ."
        assert _said("A unique integer value identifying this nhu cầu công nghệ.") == (
            "Mã số của bản ghi (id)."
        )
        assert _said("Name of it") == "Name of it"
    with translation.override("en"):
        assert _said("Missing or invalid token.") == "Missing or invalid token."
