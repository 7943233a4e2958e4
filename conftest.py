"""Simulacro's pytest plugin, for the drills and the suite's own tests."""

pytest_plugins = ["simulacro.pytest_plugin.plugin"]
