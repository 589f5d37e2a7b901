"""The shape of the code base (issue 17): small modules and functions, one workflow kernel, core above the apps.

These read the source as text (ast): they need neither Django nor a database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "youthsafe"
APPS = ("alerts", "content", "leads", "outreach", "pipeline", "registry", "reports", "supervision")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _name(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, at any depth (lazy imports in functions included)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_no_module_is_over_400_lines() -> None:
    sizes = {_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    long = {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_over_60_lines() -> None:
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{_name(path)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_core_imports_no_app() -> None:
    """core is the layer every app builds on: it may load an installed app's plugin module by name
    (importlib, for app in settings.YOUTHSAFE_APPS), never import one."""
    found = []
    for path in sorted((SRC / "core").rglob("*.py")):
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == "youthsafe" and parts[1] in APPS:
                found.append(f"{_name(path)}:{line} imports {module}")
    assert found == []


def test_pipeline_imports_no_app_that_reacts_to_it() -> None:
    """Pipeline tells the apps about a scanned batch through its hook; it imports none of them (the old
    pipeline <-> alerts cycle)."""
    found = []
    for path in sorted((SRC / "pipeline").rglob("*.py")):
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.startswith("youthsafe.alerts"):
                found.append(f"{_name(path)}:{line} imports {module}")
    assert found == []


def test_one_invalid_transition_and_one_machine() -> None:
    """Every state machine is declared with core.workflow: no app defines its own InvalidTransition, Machine
    or Flip."""
    own = []
    for path in _modules():
        if path == SRC / "core" / "workflow.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in {"InvalidTransition", "Machine", "Flip"}:
                own.append(f"{_name(path)}:{node.lineno} class {node.name}")
    assert own == []


@pytest.mark.parametrize("helper", ["now_or", "label", "lock", "to_validation", "require_reason", "apply_transition"])
def test_service_helpers_are_the_kernels(helper: str) -> None:
    """The helpers every app's services used to copy exist once, in core.kernel."""
    copies = []
    for path in _modules():
        if path == SRC / "core" / "kernel.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == helper:
                first = node.args.args[0].arg if node.args.args else ""
                if helper == "label" and first != "actor":
                    continue  # an API route or a choice's label, not the actor's name for the history
                copies.append(f"{_name(path)}:{node.lineno}")
    assert copies == []
