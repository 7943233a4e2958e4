"""Helpers shared by the suite's own tests: running drills in process, a moto server posing as an account, rehearsals."""
