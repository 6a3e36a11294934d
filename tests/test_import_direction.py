"""STYLE §1 (issue 13 §7, «Celery tasks and domain modules import each other in circles»): imports flow one
way. Task modules call the domain; no other module imports a ``tasks`` module — the domain queues a job by
its name (``profmaster.core.queue``) — and ``permissions`` decides *whether*, never computes results."""

from __future__ import annotations

import ast
from pathlib import Path

import profmaster

ROOT = Path(profmaster.__file__).parent


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (anywhere in it, functions included)."""
    package = ".".join(("profmaster", *path.relative_to(ROOT).with_suffix("").parts[:-1]))
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _modules() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


def test_style_no_module_imports_a_tasks_module():
    offenders = {}
    for path in _modules():
        if path.name == "tasks.py":
            continue
        found = sorted(name for name in _imports(path) if name.split(".")[-1] == "tasks" and name.startswith("profmaster."))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_style_tasks_modules_call_their_domain():
    """The negative case of the rule above: the check sees a task module's imports (it would see a domain's)."""
    assert "profmaster.documents.rendering.render_document_pdf" in _imports(ROOT / "documents" / "tasks.py")
    assert "profmaster.results.diplomas.run_batch" in _imports(ROOT / "results" / "tasks.py")
    assert "profmaster.marking.marks.render_locked_sheets" in _imports(ROOT / "marking" / "tasks.py")


def test_style_permissions_never_import_the_results_computation():
    """Permissions decide whether; ``results.visibility`` computes what (no back-dependency)."""
    found = sorted(name for name in _imports(ROOT / "permissions.py") if name.startswith("profmaster.results"))
    assert found == []
