"""The package layout is the architecture: few root modules, no import cycle (imports inside functions
included), and the layers load only what they may (the pure semantics no SDK, the emulator no drill code)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "simulacro"
ROOT_MODULES_AT_MOST = 4


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every simulacro module `path` imports, at any depth of the file (functions included)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("simulacro")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.startswith("simulacro"):
                found |= {
                    f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base for alias in node.names
                }
    return {_owning_module(m) for m in found}


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _owning_module(dotted: str) -> str:
    while not _is_module(dotted) and "." in dotted:
        dotted = dotted.rsplit(".", 1)[0]
    return dotted


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) - {_module_name(p)} for p in PACKAGE.rglob("*.py")}


def test_at_most_four_modules_stay_at_the_package_root():
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= ROOT_MODULES_AT_MOST, root


def test_no_module_imports_another_that_imports_it_back_at_any_depth():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            # A package's __init__ importing its own submodules is how packages re-export; not a cycle of concepts.
            if nxt.startswith(node + ".") and _is_package(node):
                continue
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt] if nxt in path else path + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def _is_package(dotted: str) -> bool:
    return (PACKAGE / Path(*dotted.split(".")[1:]) / "__init__.py").is_file()


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    return set(run.stdout.split())


@pytest.mark.parametrize("module", ["simulacro.alarms", "simulacro.events", "simulacro.monitor"])
def test_the_pure_layers_load_no_aws_sdk_emulator_or_test_framework(module):
    loaded = _loaded_after_import(module)
    assert not {m for m in loaded if m.split(".")[0] in {"boto3", "botocore", "moto", "pytest", "_pytest", "tenacity"}}


def test_the_emulator_loads_no_test_framework_retry_library_or_drill_code():
    loaded = _loaded_after_import("simulacro.emulator")
    forbidden = {"pytest", "_pytest", "tenacity"}
    above = ("simulacro.drill", "simulacro.gameday", "simulacro.pytest_plugin", "simulacro.cli", "simulacro.runbooks")
    assert not {m for m in loaded if m.split(".")[0] in forbidden or m.startswith(above)}
