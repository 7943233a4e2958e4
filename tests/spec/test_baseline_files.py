"""Baselines stay in their folder and are whole: model and version are plain names, a truncated or malformed
statistics/constraints file is reported, and a dataset with no data row writes nothing."""

import json
import shutil

import pytest

from simulacro.errors import BadInput
from simulacro.spec import DEFAULT_SPEC
from simulacro.spec.baselines import Baseline, baseline, build_baseline, read_columns

EXAMPLE = DEFAULT_SPEC.parent / "baselines"
DATASET = DEFAULT_SPEC.parent / "datasets" / "churn" / "train.csv"


@pytest.mark.parametrize(
    "model, version",
    [
        ("../x", "v1"),
        ("churn", "../../v1"),
        ("churn", "a/b"),
        ("/etc", "v1"),
        ("churn", ".."),
        ("churn", ""),
        (".hidden", "v1"),
        ("churn", "v1\x00"),
    ],
)
def test_model_and_version_must_be_plain_names(tmp_path, model, version):
    with pytest.raises(BadInput, match="must be a plain name"):
        baseline(model, version, tmp_path)
    with pytest.raises(BadInput):
        build_baseline(DATASET, model, version, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_header_only_dataset_writes_no_baseline(tmp_path):
    dataset = tmp_path / "header.csv"
    dataset.write_text(DATASET.read_text().splitlines()[0] + "\n")
    with pytest.raises(BadInput, match="a header but no data row"):
        build_baseline(dataset, "churn", "v9", tmp_path / "baselines")
    assert not (tmp_path / "baselines").exists()


@pytest.mark.parametrize(
    "content, expected",
    [
        ("", "empty"),
        ("a,,c\n1,2,3\n", "has no name"),
        ("a,a\n1,2\n", "repeats a"),
        ("a,b\n1,2,3\n", "row 2 has 3 cells"),
    ],
)
def test_malformed_datasets_are_refused(tmp_path, content, expected):
    dataset = tmp_path / "d.csv"
    dataset.write_text(content)
    with pytest.raises(BadInput, match=expected):
        read_columns(dataset)


def test_a_non_utf8_dataset_is_refused(tmp_path):
    dataset = tmp_path / "d.csv"
    dataset.write_bytes("a,b\ncafé,1\n".encode("latin-1"))
    with pytest.raises(BadInput, match="not UTF-8"):
        read_columns(dataset)


def _copy(tmp_path) -> Baseline:
    shutil.copytree(EXAMPLE, tmp_path / "baselines")
    return baseline("churn", "v1", tmp_path / "baselines")


def test_the_example_baseline_is_intact():
    assert baseline("churn", "v1").checksum_problems() == []


def test_a_truncated_statistics_file_is_reported_even_with_a_matching_manifest(tmp_path):
    version = _copy(tmp_path)
    statistics = version.directory / "statistics.json"
    statistics.write_text(statistics.read_text()[:200])
    manifest = version.manifest
    from simulacro.spec.baselines import sha256

    manifest["files"]["statistics.json"] = sha256(statistics.read_bytes())
    (version.directory / "manifest.json").write_text(json.dumps(manifest))
    problems = version.checksum_problems()
    assert any("statistics.json: not valid JSON" in p and "truncated" in p for p in problems), problems


def test_constraints_not_in_model_monitors_format_are_reported(tmp_path):
    version = _copy(tmp_path)
    (version.directory / "constraints.json").write_text(
        json.dumps({"features": [{"name": "x", "inferred_type": "Number"}]})
    )
    assert any("not in Model Monitor's format" in p for p in version.checksum_problems())


@pytest.mark.parametrize("manifest", ['{"files": {"../../etc/passwd": "0"}}', "[]", "{not json", '{"files": {}}'])
def test_a_manifest_cannot_point_outside_its_folder_or_be_malformed(tmp_path, manifest):
    version = _copy(tmp_path)
    (version.directory / "manifest.json").write_text(manifest)
    problems = version.checksum_problems()
    assert problems and all("etc/passwd" not in p or "manifest.json" in p for p in problems), problems


@pytest.mark.parametrize(
    "name, change, expected",
    [
        ("statistics.json", lambda d: d["dataset"].update(item_count=-1), "dataset.item_count"),
        ("statistics.json", lambda d: d.pop("dataset"), "dataset"),
        ("statistics.json", lambda d: d["features"].append(dict(d["features"][0])), "a name no other feature has"),
        (
            "statistics.json",
            lambda d: d["features"][0]["numerical_statistics"].update(mean="12.5"),
            "mean: expected a finite number",
        ),
        (
            "statistics.json",
            lambda d: d["features"][0]["numerical_statistics"]["common"].update(num_missing=True),
            "num_missing",
        ),
        (
            "constraints.json",
            lambda d: d["features"][0].update(num_constraints={"is_non_negative": "yes"}),
            "is_non_negative",
        ),
        (
            "constraints.json",
            lambda d: next(f for f in d["features"] if "string_constraints" in f)["string_constraints"].update(
                domains="a,b"
            ),
            "domains: expected a list of strings",
        ),
        ("constraints.json", lambda d: d.update(version="zero"), "version"),
    ],
)
def test_documents_follow_model_monitors_documented_schema(tmp_path, name, change, expected):
    version = _copy(tmp_path)
    document = json.loads((version.directory / name).read_text())
    change(document)
    (version.directory / name).write_text(json.dumps(document))
    assert any(expected in p for p in version.content_problems()), version.content_problems()


def test_the_baseline_command_writes_beside_the_spec_it_is_given(tmp_path, capsys):
    from simulacro.cli import main

    (tmp_path / "stack.yaml").write_text("version: 1\n")
    assert (
        main(
            [
                "baseline",
                "--dataset",
                str(DATASET),
                "--model",
                "churn",
                "--version",
                "v2",
                "--spec",
                str(tmp_path / "stack.yaml"),
            ]
        )
        == 0
    )
    assert (tmp_path / "baselines" / "churn" / "v2" / "manifest.json").is_file()


@pytest.mark.parametrize("document", ["statistics", "constraints", "manifest"])
def test_a_baseline_document_that_is_not_a_json_object_is_refused_naming_the_file(tmp_path, document):
    (tmp_path / f"{document}.json").write_text("[1, 2, 3]")
    with pytest.raises(BadInput, match=rf"{document}\.json: expected a JSON object, got list"):
        getattr(Baseline("churn", "v1", tmp_path), document)
