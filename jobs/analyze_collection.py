"""Ray job entrypoint: one analyze run over one collection.

    ray job submit --address http://HEAD:8265 --runtime-env jobs/runtime_env.yaml -- \
        python jobs/analyze_collection.py s3://museum-images/paintings/ --force

Takes exactly the arguments of `archive-analyzer analyze` (SOURCE, --plan, --force, --model,
--manifest, ...); runs on the cluster (RAY_ADDRESS, set by Ray for a job's driver) without a
progress bar, and exits with analyze's code (75: the collection is busy).
"""

import sys

import _path  # noqa: F401  (puts the working_dir's package first on sys.path)

from archive_analyzer.cli import main

if __name__ == "__main__":
    sys.exit(main(["analyze", "--engine=ray", "--no-progress", *sys.argv[1:]]))
