"""Ships the drill catalogue (drills/) and the example platform (fixtures/) inside the package, as
`simulacro/catalogue` and `simulacro/example`, so `pip install` gives a team the drills without a clone.
Everything else about the package is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = {"drills": "catalogue", "fixtures": "example"}


class BuildWithCatalogue(build_py):
    def run(self) -> None:
        super().run()
        for source, name in SHIPPED.items():
            if Path(source).is_dir():
                shutil.copytree(
                    source,
                    Path(self.build_lib) / "simulacro" / name,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                )
        # A package, so `pytest --pyargs simulacro.catalogue` finds the installed drills.
        (Path(self.build_lib) / "simulacro" / "catalogue" / "__init__.py").write_text('"""The drill catalogue."""\n')


setup(cmdclass={"build_py": BuildWithCatalogue})
