"""Where the drill catalogue and the example platform live: the one place that knows the layout.

In a checkout they are `drills/` and `fixtures/` beside the package; in an installed package they ship
inside it as `simulacro/catalogue` and `simulacro/example` (setup.py copies them at build time).
Everything a spec refers to by a relative path (baselines, models, datasets) is resolved against the
spec's own folder; these are the defaults for the example spec.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE.parent
_IN_CHECKOUT = (REPO_ROOT / "fixtures" / "stack.yaml").is_file() and (REPO_ROOT / "drills").is_dir()

CATALOGUE = REPO_ROOT / "drills" if _IN_CHECKOUT else PACKAGE / "catalogue"
FIXTURES = REPO_ROOT / "fixtures" if _IN_CHECKOUT else PACKAGE / "example"
DEFAULT_SPEC = FIXTURES / "stack.yaml"
BASELINES = FIXTURES / "baselines"
DATASETS = FIXTURES / "datasets"
# The pre-promotion gate's example candidates; the healthy one stands in when the gate's calls are recorded.
CANDIDATES = FIXTURES / "candidates"
EXAMPLE_CANDIDATE = CANDIDATES / "healthy.yaml"
DOCS = REPO_ROOT / "docs"
