"""`python -m bench`: run the benchmark suite (same as `python bench/run.py`)."""

import sys

from bench.run import main

sys.exit(main())
