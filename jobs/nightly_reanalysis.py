"""Ray job entrypoint: the nightly re-analysis of one or more collections.

    ray job submit --address http://HEAD:8265 --runtime-env jobs/runtime_env.yaml -- \
        python jobs/nightly_reanalysis.py s3://museum-images/paintings/ s3://museum-images/prints/

Each SOURCE is analysed incrementally (new, changed and stale images only) as its own run and
collection, and its morning report is printed. Settings (database URL, model, prompt, S3
keys) come from the environment (ARCHIVE_ANALYZER_*, AWS_*) or --config, as for the CLI.
Exit code: 0 all succeeded, 75 a collection was still being analysed, 1 a run failed.
"""

import argparse
import sys

import _path  # noqa: F401  (puts the working_dir's package first on sys.path)

from archive_analyzer.commands import SETTINGS_FLAGS, add_settings_flags
from archive_analyzer.errors import ArchiveAnalyzerError
from archive_analyzer.run.nightly import nightly
from archive_analyzer.settings import load_settings


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Nightly incremental re-analysis.")
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--config", help="TOML settings file (or ARCHIVE_ANALYZER_CONFIG)")
    parser.add_argument("--engine", choices=["ray", "local"], default="ray")
    add_settings_flags(parser)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    flags = {name: getattr(args, name, None) for name in SETTINGS_FLAGS if name != "source"}
    try:
        collections = [load_settings(args.config, source=s, **flags) for s in args.sources]
        return nightly(collections, engine=args.engine)
    except ArchiveAnalyzerError as exc:
        print(f"nightly: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
