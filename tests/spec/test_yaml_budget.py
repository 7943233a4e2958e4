"""Hostile YAML costs a bounded amount to refuse: size, bytes, nesting and alias expansion are capped before
anything is built, and each refusal is one problem naming the file (and the line, where there is one)."""

import time

import pytest

from simulacro.spec import SpecError, load_stack
from simulacro.spec.yaml_budget import MAX_BYTES, MAX_DEPTH, MAX_NODES, OverBudget, check_yaml_budget

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9)
)


def _refusal(tmp_path, content: bytes) -> str:
    path = tmp_path / "stack.yaml"
    path.write_bytes(content)
    started = time.monotonic()
    with pytest.raises(SpecError) as raised:
        load_stack(path)
    assert time.monotonic() - started < 10, "refusing hostile YAML must stay cheap"
    assert len(raised.value.problems) == 1
    return str(raised.value)


@pytest.mark.parametrize(
    "content, expected",
    [
        (LAUGHS.encode(), f"more than {MAX_NODES:,} YAML nodes"),
        (b"a: " + b"[" * 20_000, "nesting depth"),
        (b"a:\n" + b"".join(b" " * (i + 1) + b"b:\n" for i in range(MAX_DEPTH + 5)), "nesting depth exceeds"),
        (b"# " + b"x" * (MAX_BYTES + 10), f"larger than {MAX_BYTES:,} bytes"),
        (b"version: 1\x00\n", "NUL bytes"),
        ("version: 1\nname: café\n".encode("latin-1"), "not UTF-8 text"),
        ("version: 1\n".encode("utf-16"), "NUL bytes"),
        (b"- a\n- b\n", "expected a mapping"),
        (b"42\n", "expected a mapping"),
        (b"version: !!python/object/apply:os.system [id]\n", "could not determine a constructor"),
        (b"? [a, b]\n: c\n", "unhashable key"),
        (b"version: 1\x07\n", "not valid YAML"),
    ],
    ids=[
        "billion-laughs",
        "deep-flow",
        "deep-block",
        "too-large",
        "nul",
        "latin-1",
        "utf-16",
        "list",
        "scalar",
        "python-tag",
        "unhashable-key",
        "control-character",
    ],
)
def test_hostile_yaml_is_refused_with_one_clear_problem(tmp_path, content, expected):
    assert expected in _refusal(tmp_path, content)


def test_the_refusal_names_the_line_where_expansion_went_over(tmp_path):
    assert f"{tmp_path / 'stack.yaml'}:" in _refusal(tmp_path, LAUGHS.encode())


def test_a_folder_and_an_unreadable_path_are_named(tmp_path):
    with pytest.raises(SpecError, match="is a folder"):
        load_stack(tmp_path)


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\n")
    with pytest.raises(SpecError) as raised:
        load_stack(path)
    assert "required field is missing" in str(raised.value)  # read as YAML, not refused as bytes


def test_aliases_within_budget_are_fine():
    check_yaml_budget("base: &base {owner: x, environment: staging}\na: *base\nb: {<<: *base, name: b}\n")
    with pytest.raises(OverBudget):
        check_yaml_budget(LAUGHS)


def test_a_pipe_or_device_is_refused_without_reading_it(tmp_path):
    import os

    fifo = tmp_path / "stack.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SpecError, match="not a regular file"):
        load_stack(fifo)
    with pytest.raises(SpecError, match="not a regular file"):
        load_stack("/dev/zero")
