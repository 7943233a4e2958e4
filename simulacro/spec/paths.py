"""Where the example platform's files live: the one place that knows the repository layout.

Everything a spec refers to by a relative path (baselines, models, datasets) is resolved against the
spec's own folder; these are the defaults for the example spec that ships with Simulacro.
"""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "fixtures"
DEFAULT_SPEC = FIXTURES / "stack.yaml"
BASELINES = FIXTURES / "baselines"
DATASETS = FIXTURES / "datasets"
# The pre-promotion gate's example candidates; the healthy one stands in when the gate's calls are recorded.
CANDIDATES = FIXTURES / "candidates"
EXAMPLE_CANDIDATE = CANDIDATES / "healthy.yaml"
DOCS = REPO_ROOT / "docs"
