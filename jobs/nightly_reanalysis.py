"""Ray job entrypoint: the nightly re-analysis of one or more collections.

    ray job submit --address http://HEAD:8265 --runtime-env jobs/runtime_env.yaml -- \
        python jobs/nightly_reanalysis.py s3://museum-images/paintings/ s3://museum-images/prints/

Takes exactly the arguments of `archive-analyzer nightly` (SOURCE [SOURCE ...], --engine,
--model, --config, ...). Each SOURCE is analysed incrementally (new, changed and stale images
only) as its own run and collection, and its morning report is printed. Settings (database URL,
model, prompt, S3 keys) come from the environment (ARCHIVE_ANALYZER_*, AWS_*) or --config.
Exit code: 0 all succeeded, 75 a collection was still being analysed, 1 a run failed.
"""

import sys

import _path  # noqa: F401  (puts the working_dir's package first on sys.path)

from archive_analyzer.cli import main

if __name__ == "__main__":
    sys.exit(main(["nightly", *sys.argv[1:]]))
