"""Ray job entrypoint: LoRA fine-tuning on the cluster's GPUs, merged into a new model version.

    ray job submit --address http://HEAD:8265 --runtime-env jobs/runtime_env.yaml -- \
        python jobs/finetune.py --data s3://training/paintingform/train.json \
        --base-model s3://models/gallerygpt-native --out s3://models/gallerygpt-house-v2 \
        --storage s3://training/checkpoints --name house-v2 --workers 4

Takes exactly the arguments of `archive-analyzer finetune`; resubmitting with the same
--storage and --name resumes from the newest checkpoint.
"""

import sys

import _path  # noqa: F401  (puts the working_dir's package first on sys.path)

from archive_analyzer.cli import main

if __name__ == "__main__":
    sys.exit(main(["finetune", *sys.argv[1:]]))
