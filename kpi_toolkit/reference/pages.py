"""The reference pages (``docs/reference/*.md``), rendered from the JSON Schemas.

One page per YAML kind: a section per model the kind reaches (in the order a reader meets
them, each with the key path where it is first met), a row per key with its type, default,
whether it is required, its meaning and an example. :func:`reference_files` gives every
generated file, pages and schemas, as ``make reference`` writes them.
"""

from __future__ import annotations

import json
from typing import Any

from .kinds import KINDS, SCHEMA_DIR, YamlKind
from .schema import PARAMETER_REF, json_schema, schema_text

__all__ = ["GENERATED", "index_page", "kind_page", "reference_files", "type_text"]

GENERATED = (
    "<!-- Generated from the models by `make reference` (python -m kpi_toolkit.reference): "
    "do not edit. -->"
)
DOCS = "docs/reference"


def reference_files() -> dict[str, str]:
    """Every generated file, by its path from the checkout's root, with its text."""
    files = {f"{DOCS}/README.md": index_page()}
    package = SCHEMA_DIR.relative_to(SCHEMA_DIR.parents[2]).as_posix()
    for name in KINDS:
        text = schema_text(name)
        files[f"{DOCS}/{name}.md"] = kind_page(name)
        files[f"{DOCS}/schema/{name}.json"] = text
        files[f"{package}/{name}.json"] = text
    return files


def kind_page(kind: str) -> str:
    """The reference page of one YAML kind (Markdown)."""
    spec = KINDS[kind]
    schema = json_schema(kind)
    defs = schema["$defs"]
    lines = [GENERATED, "", f"# {spec.title}: `{kind}`", "", *_introduction(spec, schema)]
    for name, path in _sections(schema).items():
        node = schema if name == "" else defs[name]
        lines += ["", *_section(name or kind, path, node, defs)]
    if kind in ("scheme", "scenario"):
        lines += ["", *_parameters_note()]
    return "\n".join(lines) + "\n"


def index_page() -> str:
    """``docs/reference/README.md``: the kinds, and how an editor validates and completes."""
    rows = [
        f"| [{k.name}]({k.name}.md) | {k.title} | `{k.folder}/` | {k.summary} | "
        f"[schema/{k.name}.json](schema/{k.name}.json) |"
        for k in KINDS.values()
    ]
    settings = {
        f"./docs/reference/schema/{k.name}.json": f"{k.folder}/*.yaml" for k in KINDS.values()
    }
    return "\n".join(
        [
            GENERATED,
            "",
            "# Reference: every YAML kind",
            "",
            "Each kind of YAML file kpi-toolkit reads, key by key: type, default, whether it is "
            "required, what it means, an example. The pages and the JSON Schemas are generated "
            "from the models that read the files (`make reference`), and a test fails when "
            "they differ, so they say what the code accepts.",
            "",
            "| kind | what | built-in files | holds | JSON Schema |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "`kpi schema KIND` prints a kind's JSON Schema (the same as `schema/KIND.json`), "
            "for an installed package without this folder: `kpi schema scheme > scheme.json`.",
            "",
            "## Validation and completion in the editor",
            "",
            "The YAML language server (`yaml-language-server`) validates a file against a JSON "
            "Schema and completes its keys, with each key's meaning on hover. Name the schema on "
            "the file's first line, relative to the file (or an absolute path, or a URL):",
            "",
            "```yaml",
            "# yaml-language-server: $schema=../../docs/reference/schema/scheme.json",
            "id: my_scheme",
            "```",
            "",
            "(`../../` from a file in `params/schemes/`; elsewhere, the path from that file to "
            "`docs/reference/schema/`, or a file written by `kpi schema`.)",
            "",
            "- **VS Code**: install the *YAML* extension (Red Hat), which runs the server. "
            "Instead of a first line in each file, the workspace's `.vscode/settings.json` may "
            "map the folders:",
            "",
            "  ```json",
            *(f"  {line}" for line in _settings_json(settings)),
            "  ```",
            "",
            "- **JupyterLab**: install `jupyterlab-lsp` (`pip install jupyterlab-lsp`) and the "
            "server (`npm install -g yaml-language-server`, or `jlpm add yaml-language-server` "
            "in the Jupyter environment); a YAML file opened in the editor is then checked and "
            "completed, its first line naming the schema as above.",
            "",
            "The schemas follow JSON Schema draft 2020-12. Where a model accepts a shorthand "
            "(a plain string for a name, a header for a field, a number for a parameter), the "
            "schema accepts it too; in a scheme, any number may be `{param: NAME}`.",
            "",
        ]
    )


def _settings_json(settings: dict[str, str]) -> list[str]:
    text = json.dumps({"yaml.schemas": settings}, indent=2, ensure_ascii=False)
    return text.splitlines()


def _introduction(spec: YamlKind, schema: dict[str, Any]) -> list[str]:
    model = spec.model.replace(":", ".")
    return [
        f"{spec.summary[0].upper()}{spec.summary[1:]}. {schema['description']}",
        "",
        f"Built-in files: `{spec.folder}/`. Read by `{model}`. JSON Schema: "
        f"[schema/{spec.name}.json](schema/{spec.name}.json) (also `kpi schema {spec.name}`). "
        "For validation and completion in the editor, the file's first line:",
        "",
        "```yaml",
        f"# yaml-language-server: $schema=../../docs/reference/schema/{spec.name}.json",
        "```",
    ]


def _sections(schema: dict[str, Any]) -> dict[str, str]:
    """Model name ("" for the file itself) → the key path where a reader first meets it."""
    found: dict[str, str] = {"": ""}
    queue: list[tuple[dict[str, Any], str]] = [(schema, "")]
    while queue:
        node, path = queue.pop(0)
        for key, value in _object(node).get("properties", {}).items():
            where = f"{path}.{key}" if path else key
            for name, suffix in _refs(value):
                if name not in found and name != PARAMETER_REF:
                    found[name] = where + suffix
                    queue.append((schema["$defs"][name], where + suffix))
    return found


def _refs(node: Any, suffix: str = "") -> list[tuple[str, str]]:
    """The models a key's value names, each with the path suffix to reach it."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        return [(node["$ref"].rsplit("/", 1)[1], suffix)]
    found = [
        r for member in node.get("anyOf", []) + node.get("oneOf", []) for r in _refs(member, suffix)
    ]
    if isinstance(node.get("items"), dict):
        found += _refs(node["items"], suffix + "[]")
    if isinstance(node.get("additionalProperties"), dict):
        found += _refs(node["additionalProperties"], suffix + ".<key>")
    return found


def _object(node: dict[str, Any]) -> dict[str, Any]:
    """The mapping form of a model that also has a shorthand (``anyOf``)."""
    forms = [m for m in node.get("anyOf", []) if "properties" in m]
    return forms[0] if forms else node


def _section(name: str, path: str, node: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    body = _object(node)
    top = path == ""
    heading = "The file" if top else f"{name}: `{path}`"
    lines = [f'<a id="{name.lower()}"></a>', "", f"## {heading}", ""]
    if node.get("description") and not top:
        lines += [node["description"], ""]
    shorthands = [m for m in node.get("anyOf", []) if "properties" not in m]
    for shorthand in shorthands:
        lines += [f"Also written as {type_text(shorthand)}: {shorthand['description']}.", ""]
    required = set(body.get("required", []))
    lines += [
        "| key | type | default | required | meaning | example |",
        "|---|---|---|---|---|---|",
    ]
    for key, value in body.get("properties", {}).items():
        cells = [
            f"`{key}`",
            type_text(value),
            _value(value["default"]) if "default" in value else "",
            "yes" if key in required else "",
            value.get("description", ""),
            _value(value["examples"][0]) if value.get("examples") else "",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _parameters_note() -> list[str]:
    return [
        '<a id="parameterref"></a>',
        "",
        "## Parameters: `{param: NAME}`",
        "",
        "Any number of a scheme (outside `parameters`) may be written `{param: NAME}`, NAME "
        "a parameter declared under `parameters`; the scheme cannot score while its value is "
        "blank, and `--set NAME=VALUE` fills it on the command line.",
    ]


def type_text(node: dict[str, Any]) -> str:
    """A schema node as a reader says it (``list of [Band](#band)``, ``number > 0``).

    Examples
    --------
    >>> type_text({"type": "array", "items": {"$ref": "#/$defs/Band"}, "minItems": 1})
    'list of [Band](#band), at least 1'
    >>> type_text({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]})
    'number > 0 or null'
    """
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    members = node.get("anyOf", []) + node.get("oneOf", [])
    if members:
        shown = [type_text(m) for m in members if m.get("$ref", "").split("/")[-1] != PARAMETER_REF]
        return " or ".join(dict.fromkeys(shown))
    if "const" in node:
        return f"`{_plain(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{_plain(v)}`" for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(type_text({**node, "type": k}) for k in kind)
    return _typed(kind, node) + _bounds(node)


def _typed(kind: str | None, node: dict[str, Any]) -> str:
    if kind == "array" and "prefixItems" in node:
        return "[" + ", ".join(type_text(item) for item in node["prefixItems"]) + "]"
    if kind == "array":
        return f"list of {type_text(node.get('items', {}))}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        keys = node.get("propertyNames", {})
        key = type_text(keys) if keys else "text"
        return f"map of {key} → {type_text(node['additionalProperties'])}"
    if kind == "string" and "format" in node:
        return f"{kind} ({node['format']})"
    if kind == "string" and "pattern" in node:
        return f"{kind} matching `{node['pattern']}`"
    return {"number": "number", "integer": "whole number", "boolean": "true/false"}.get(
        kind or "", kind or "any"
    )


def _bounds(node: dict[str, Any]) -> str:
    words = {
        "exclusiveMinimum": "> {}",
        "minimum": "≥ {}",
        "exclusiveMaximum": "< {}",
        "maximum": "≤ {}",
    }
    if "minimum" in node and "maximum" in node:
        words = {"minimum": "from {}", "maximum": "to {}"}
    bounds = [text.format(_plain(node[key])) for key, text in words.items() if key in node]
    if "minItems" in node and "prefixItems" not in node:
        bounds.append(f", at least {node['minItems']}")
    return "".join(f" {b}" if not b.startswith(",") else b for b in bounds)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
