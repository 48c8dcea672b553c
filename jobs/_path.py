"""Make the job's working_dir importable: `ray job submit --working-dir .` ships the package
next to jobs/, but Python puts only jobs/ itself on the path of a script run from there."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
