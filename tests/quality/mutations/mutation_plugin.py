"""pytest plugin: apply the mutation named by SIMULACRO_MUTATION to the local stack right after provisioning."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from operations import apply_mutation

CATALOGUE = Path(__file__).with_name("catalogue.yaml")


def load_catalogue(path: Path = CATALOGUE) -> list[dict]:
    return yaml.safe_load(path.read_text())["mutations"]


def pytest_simulacro_provisioned(target) -> None:
    wanted = os.environ.get("SIMULACRO_MUTATION")
    if not wanted:
        return
    mutation = next((m for m in load_catalogue() if m["id"] == wanted), None)
    if mutation is None:
        raise ValueError(f"no mutation {wanted!r} in {CATALOGUE}")
    apply_mutation(target, mutation)
