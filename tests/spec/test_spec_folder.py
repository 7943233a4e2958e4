"""A spec kept outside this repository finds its baselines, models and datasets beside itself, never in the
package's own fixtures."""

import shutil

from simulacro.spec import DEFAULT_SPEC, SpecError, load_stack
from simulacro.spec.paths import FIXTURES


def _spec_elsewhere(tmp_path):
    folder = tmp_path / "platform"
    shutil.copytree(FIXTURES, folder)
    return folder


def test_a_spec_loaded_from_a_file_resolves_from_its_folder(tmp_path):
    folder = _spec_elsewhere(tmp_path)
    stack = load_stack(folder / "stack.yaml")
    assert stack.folder == folder.resolve()
    assert stack.baselines == folder.resolve() / "baselines"
    assert stack.file("models/churn/v3.json") == folder.resolve() / "models" / "churn" / "v3.json"
    assert stack.in_environment("prod").folder == folder.resolve()  # copies keep it


def test_the_example_spec_resolves_from_fixtures():
    assert load_stack(DEFAULT_SPEC).folder == FIXTURES


def test_a_spec_elsewhere_without_its_baseline_is_refused_not_served_from_the_package(tmp_path):
    folder = _spec_elsewhere(tmp_path)
    shutil.rmtree(folder / "baselines")
    try:
        load_stack(folder / "stack.yaml")
    except SpecError as error:
        assert "no versioned baseline" in str(error)
    else:
        raise AssertionError("the package's baselines were used for a spec kept elsewhere")


def test_a_spec_elsewhere_uses_its_own_baseline_files(tmp_path):
    folder = _spec_elsewhere(tmp_path)
    (folder / "baselines" / "churn" / "v1" / "statistics.json").write_text("{")
    try:
        load_stack(folder / "stack.yaml")
    except SpecError as error:
        assert str(folder / "baselines" / "churn" / "v1" / "statistics.json") in str(error)
    else:
        raise AssertionError("the spec's own (broken) baseline was not the one checked")


def test_the_local_model_and_dataset_come_from_the_specs_folder(tmp_path):
    from simulacro.emulator import local_model
    from simulacro.target.request_sender import default_payloads

    folder = _spec_elsewhere(tmp_path)
    (folder / "datasets" / "churn" / "train.csv").write_text("h\nrow-from-elsewhere\n")
    stack = load_stack(folder / "stack.yaml")
    assert default_payloads(stack.model_copy(update={"endpoints": []}), "churn-staging", "staging") == [
        "row-from-elsewhere"
    ]
    previous = local_model.files_root()
    try:
        local_model.serve_files_from(stack.folder)
        assert local_model.files_root() == folder.resolve()
        local_model.load_model("models/churn/v3.json")
    finally:
        local_model.serve_files_from(previous)


def test_a_spec_elsewhere_without_its_dataset_gets_a_clear_error_not_the_packages_rows(tmp_path):
    import pytest

    from simulacro.errors import BadInput
    from simulacro.target.request_sender import default_payloads

    folder = _spec_elsewhere(tmp_path)
    shutil.rmtree(folder / "datasets")
    stack = load_stack(folder / "stack.yaml")
    with pytest.raises(BadInput, match=f"no dataset at {folder.resolve()}"):
        default_payloads(stack.model_copy(update={"endpoints": []}), "churn-staging", "staging")
