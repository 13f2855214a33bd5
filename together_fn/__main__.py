"""``python -m together_fn``: the ``together-fn`` command line."""

import sys

from together_fn.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
