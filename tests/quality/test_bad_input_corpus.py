"""The bad-input corpus (tests/quality/bad_inputs/corpus.yaml): every case exits non-zero with one paragraph that
names what and where, no traceback, and nothing provisioned.

Each case is `python -m <argv>` in a child forked from a server that has imported boto3, pytest and simulacro
once (the `python` fixture, support.forked_python) rather than in a new interpreter: the same output and exit
status for a fraction of the cost. A case marked `fresh_interpreter: <reason>` runs in a new interpreter;
`SIMULACRO_FORKSERVER=0` runs every case that way (to compare)."""

import os
import re
from pathlib import Path

import pytest
import yaml

from simulacro.spec import DEFAULT_SPEC
from support.drill_runner import ROOT
from support.example_spec import example_data, write_spec

FORKSERVER = os.environ.get("SIMULACRO_FORKSERVER", "1") != "0"
CORPUS = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "corpus.yaml").read_text())["cases"]
PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _patched_spec(spec: dict, folder: Path) -> Path:
    path = folder / "stack.yaml"
    if "text" in spec:
        path.write_bytes((spec["text"] * spec.get("repeat", 1)).encode(spec.get("encoding", "utf-8")))
        return path
    data = example_data()
    for dotted, value in (spec.get("set") or {}).items():
        parent, key = _locate(data, dotted)
        parent[key] = value
    for dotted in spec.get("delete") or []:
        parent, key = _locate(data, dotted)
        del parent[key]
    write_spec(data, folder)
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
def test_bad_input_gets_one_clear_paragraph_and_no_traceback(case, tmp_path, python):
    argv = list(case["argv"])
    _write_files(case.get("files") or {}, tmp_path)
    if case.get("spec"):
        spec = _patched_spec(case["spec"], tmp_path)
        argv = [str(spec) if a == "SPEC" else a for a in argv]
    argv = [a.replace("TMP/", f"{tmp_path}/") for a in argv]
    before = _tree(tmp_path)
    if argv[0] == "pytest":
        argv += ["-p", "no:cacheprovider"]
    run = python.run(argv, cwd=ROOT, timeout=120, fresh=not FORKSERVER or bool(case.get("fresh_interpreter")))
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "Traceback" not in output, output
    assert case["expect"] in output, output
    assert "passed" not in output and "Generated html report" not in output, "drills ran on bad input"
    assert _tree(tmp_path) == before, "bad input wrote files"
