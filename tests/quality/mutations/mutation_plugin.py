"""pytest plugin: apply the mutation named by SIMULACRO_MUTATION to the local stack right after provisioning.

The catalogue is the file named by SIMULACRO_CATALOGUE (selfcheck's --catalogue), the default one otherwise.
A mutation's `spec` part was applied by selfcheck before the run (through --spec); its `apply` part is applied here.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from operations import apply_mutation

CATALOGUE = Path(__file__).with_name("catalogue.yaml")


def catalogue_path() -> Path:
    return Path(os.environ.get("SIMULACRO_CATALOGUE") or CATALOGUE)


def load_catalogue(path: Path | None = None) -> list[dict]:
    return yaml.safe_load((path or catalogue_path()).read_text())["mutations"]


def pytest_simulacro_provisioned(target) -> None:
    wanted = os.environ.get("SIMULACRO_MUTATION")
    if not wanted:
        return
    mutation = next((m for m in load_catalogue() if m["id"] == wanted), None)
    if mutation is None:
        raise ValueError(f"no mutation {wanted!r} in {catalogue_path()}")
    if mutation.get("apply"):
        apply_mutation(target, mutation)
