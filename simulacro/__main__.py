import sys

from simulacro.cli import main

sys.exit(main())
