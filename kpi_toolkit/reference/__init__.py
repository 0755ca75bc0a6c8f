"""The reference of every YAML kind, generated from the models: JSON Schemas and pages.

Owns the table of what each key means (:mod:`.meanings`), the JSON Schema of each kind
built from its pydantic model (:mod:`.schema`), the pages of ``docs/reference``
(:mod:`.pages`) and the schemas shipped in the package, which ``kpi schema`` prints
(:func:`shipped_schema`). ``python -m kpi_toolkit.reference`` (``make reference``) writes
them; ``tests/test_reference.py`` fails when they differ from the models.

May import: the top-level shared modules, and the models of ``engine``, ``records`` (when
a schema is built, never on import: ``kpi schema`` reads the shipped files only).
"""

from .._lazy import lazy_exports
from .kinds import KINDS, YamlKind, shipped_schema

_EXPORTS = {
    "MEANINGS": ".meanings",
    "json_schema": ".schema",
    "schema_text": ".schema",
    "kind_page": ".pages",
    "reference_files": ".pages",
}
__all__ = [
    "KINDS",
    "MEANINGS",
    "YamlKind",
    "json_schema",
    "kind_page",
    "reference_files",
    "schema_text",
    "shipped_schema",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
