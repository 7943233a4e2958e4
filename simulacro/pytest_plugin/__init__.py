"""The pytest glue: options, markers, fixtures, the run session, the report hooks, dry run and
interrupt-each-phase. Loaded through `conftest.py` (or the `pytest11` entry point of an installed package)."""
