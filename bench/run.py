"""``make bench``: the benchmark of bench/seed_and_query.py (arguments pass through; 200,000 members by default)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_and_query import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
