"""The import directions of docs/architecture.md hold in the code.

The doc's `imports` block is the one declaration; this test reads it, so the two cannot drift.
No database: it only parses source files.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
NOT_APPS = {"tests", "bench"}  # top-level packages outside the graph
FRAMEWORKS = {"django", "rest_framework", "celery", "kombu"}


@dataclass
class Graph:
    allowed: dict[str, set[str]] = field(default_factory=dict)  # source -> targets
    pure: set[str] = field(default_factory=set)

    def rule_for(self, module: str) -> str:
        """The most specific declared source that `module` belongs to."""
        sources = [s for s in self.allowed if _within(module, s)]
        return max(sources, key=len)


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name of the statement's module
    names: tuple[str, ...]  # what it binds: `from a import b` gives a.b (b may be a module)
    path: str
    line: int

    def allowed_by(self, targets) -> bool:
        """The module is within a target, or else each imported name is."""
        if any(_within(self.module, t) for t in targets):
            return True
        return all(any(_within(n, t) for t in targets) for n in self.names)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def read_graph(text: str) -> Graph:
    block = re.search(r"^```imports\n(.*?)^```", text, re.M | re.S)
    assert block, f"{DOC.relative_to(ROOT)} has no ```imports block"
    graph = Graph()
    for raw in block.group(1).splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("pure:"):
            graph.pure |= {n.strip() for n in line[5:].split(",") if n.strip()}
            continue
        source, arrow, targets = line.partition("->")
        assert arrow, f"not `A -> B, C`: {raw!r}"
        names = {t.strip() for t in targets.split(",") if t.strip()}
        graph.allowed.setdefault(source.strip(), set()).update(names)
    return graph


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    """Every import in the file, at any depth (functions, `if TYPE_CHECKING`, try blocks),
    with relative imports resolved against the file's package."""
    rel = path.relative_to(root)
    package = list(rel.parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(rel))):
        if isinstance(node, ast.Import):
            found += [Import(a.name, (a.name,), str(rel), node.lineno) for a in node.names]
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            names = tuple(f"{module}.{a.name}" for a in node.names)
            found.append(Import(module, names, str(rel), node.lineno))
    return found


def source_files(package: str, root: Path = ROOT):
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).parts
        if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
            continue
        yield path


def top_level_packages(root: Path = ROOT) -> set[str]:
    return {p.parent.name for p in root.glob("*/__init__.py")}


def violations(graph: Graph, root: Path = ROOT) -> list[str]:
    apps = {s for s in graph.allowed if "." not in s}
    project = top_level_packages(root)
    found = []
    for app in sorted(apps):
        for path in source_files(app, root):
            for imp in imports_of(path, root):
                top = imp.module.split(".")[0]
                module = ".".join(path.relative_to(root).with_suffix("").parts)
                source = graph.rule_for(module)
                where = f"({imp.path}:{imp.line} {imp.module})"
                if source in graph.pure and top in FRAMEWORKS:
                    found.append(f"{source} imports {top}, and it is pure {where}")
                if top not in project or imp.allowed_by([source]):
                    continue
                if top == app and source == app:
                    continue
                if not imp.allowed_by(graph.allowed[source]):
                    found.append(f"{source} imports {top} {where}")
    return found


def cycles(graph: Graph) -> list[list[str]]:
    """Cycles among whole-app edges (dotted exceptions are the declared way round)."""
    edges = {s: {t for t in ts if "." not in t} for s, ts in graph.allowed.items() if "." not in s}
    found, done = [], set()

    def visit(node, trail):
        if node in trail:
            found.append([*trail[trail.index(node) :], node])
            return
        if node in done:
            return
        for nxt in sorted(edges.get(node, ())):
            visit(nxt, [*trail, node])
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
    return found


# --- the tree --------------------------------------------------------------------------------


GRAPH = read_graph(DOC.read_text(encoding="utf-8"))


def test_every_import_follows_the_documented_directions():
    found = violations(GRAPH)
    assert not found, (
        "imports against docs/architecture.md (move the code, or declare the edge there "
        "with the reason):\n  " + "\n  ".join(found)
    )


def test_every_app_has_a_line_and_every_line_an_app():
    apps = {s for s in GRAPH.allowed if "." not in s}
    assert top_level_packages() - NOT_APPS == apps
    for source, targets in GRAPH.allowed.items():
        for name in {source, *targets}:
            module = ROOT.joinpath(*name.split("."))
            assert module.is_dir() or module.with_suffix(".py").is_file(), name


def test_the_layers_have_no_cycle():
    assert not cycles(GRAPH), cycles(GRAPH)


def test_the_engine_is_pure_python_on_its_own():
    assert "matching.engine" in GRAPH.pure
    assert GRAPH.allowed["matching.engine"] <= {"vitext"}


# --- the checker itself ----------------------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path):
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/services.py": "def f():\n    from high.models import Thing\n",
            "low/engine/__init__.py": "",
            "low/engine/core.py": "import django\nfrom ..models import Row\n",
            "low/models.py": "",
            "low/migrations/0001_initial.py": "import high\n",
            "high/__init__.py": "",
            "high/models.py": "from low import services\n",
            "high/views.py": "from low import models, services\n",
        },
    )
    graph = read_graph("```imports\nlow ->\nlow.engine ->\nhigh -> low\npure: low.engine\n```\n")
    assert sorted(violations(graph, root)) == [
        "low imports high (low/services.py:2 high.models)",
        "low.engine imports django, and it is pure (low/engine/core.py:1 django)",
        "low.engine imports low (low/engine/core.py:2 low.models)",
    ]
    graph.allowed["low"].add("high.models")
    assert all(v.startswith("low.engine") for v in violations(graph, root))
    # a dotted target allows that module only, not its neighbours in the same statement
    graph = read_graph("```imports\nlow ->\nlow.engine ->\nhigh -> low.models\n```\n")
    assert "high imports low (high/views.py:1 low)" in violations(graph, root)


def test_the_checker_finds_a_cycle():
    graph = read_graph("```imports\na -> b\nb -> c\nc -> a\nd -> a.x\n```\n")
    assert cycles(graph) == [["a", "b", "c", "a"]]
