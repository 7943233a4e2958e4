"""The bad-input corpus (tests/quality/bad_inputs/corpus.yaml): every case exits non-zero with one paragraph that
names what and where, no traceback, and nothing provisioned."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulacro.spec import DEFAULT_SPEC
from support.drill_runner import ROOT

CORPUS = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "corpus.yaml").read_text())["cases"]
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _patched_spec(spec: dict, folder: Path) -> Path:
    path = folder / "stack.yaml"
    if "text" in spec:
        path.write_bytes((spec["text"] * spec.get("repeat", 1)).encode(spec.get("encoding", "utf-8")))
        return path
    data = yaml.safe_load(DEFAULT_SPEC.read_text())
    for dotted, value in (spec.get("set") or {}).items():
        parent, key = _locate(data, dotted)
        parent[key] = value
    for dotted in spec.get("delete") or []:
        parent, key = _locate(data, dotted)
        del parent[key]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    for name in ("models", "baselines", "datasets"):
        if not (folder / name).exists():
            (folder / name).symlink_to(DEFAULT_SPEC.parent / name)
    return path


def _write_files(files: dict[str, str], folder: Path) -> None:
    """`files: {relative path: text}` beside the spec; a file under baselines/ copies the example's baselines first."""
    import shutil

    if any(name.startswith("baselines/") for name in files):
        shutil.copytree(DEFAULT_SPEC.parent / "baselines", folder / "baselines")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _locate(data, dotted):
    parts = [name if name else int(index) for name, index in PATH_PART.findall(dotted)]
    node = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def test_the_corpus_has_at_least_twenty_cases():
    assert len(CORPUS) >= 20


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_bad_input_gets_one_clear_paragraph_and_no_traceback(case, tmp_path):
    argv = list(case["argv"])
    _write_files(case.get("files") or {}, tmp_path)
    if case.get("spec"):
        spec = _patched_spec(case["spec"], tmp_path)
        argv = [str(spec) if a == "SPEC" else a for a in argv]
    argv = [a.replace("TMP/", f"{tmp_path}/") for a in argv]
    before = _tree(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", *argv, "-p", "no:cacheprovider"]
        if argv[0] == "pytest"
        else [sys.executable, "-m", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "Traceback" not in output, output
    assert case["expect"] in output, output
    assert "passed" not in output and "Generated html report" not in output, "drills ran on bad input"
    assert _tree(tmp_path) == before, "bad input wrote files"
