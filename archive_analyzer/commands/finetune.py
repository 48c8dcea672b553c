"""`archive-analyzer finetune`: LoRA fine-tuning on Ray Train, merged into a new model version."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from archive_analyzer.errors import ConfigError
from archive_analyzer.model.loader import model_cache_dir
from archive_analyzer.settings import load_settings
from archive_analyzer.train.recipe import Recipe

# flag -> Recipe field; absent flags keep GalleryGPT's recipe.
RECIPE_FLAGS = {
    "epochs": int,
    "learning_rate": float,
    "lora_r": int,
    "lora_alpha": float,
    "batch_size": int,
    "max_length": int,
    "warmup_ratio": float,
    "schedule": str,
    "precision": str,
    "gradient_checkpointing": str,
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("finetune", help="LoRA fine-tuning with Ray Train")
    flag = parser.add_argument
    flag("--data", required=True, help="conversation JSON/JSONL (local or s3://...)")
    flag("--image-root", help="folder or URI the records' image paths are relative to")
    flag("--base-model", required=True, help="native LLaVA directory or URI to start from")
    flag("--out", required=True, help="merged model directory (local or s3://...)")
    flag("--storage", required=True, help="checkpoint storage: folder or s3://bucket/prefix")
    flag("--name", default="finetune", help="run name; the same name resumes its checkpoints")
    flag("--workers", type=int, default=2, help="Ray Train workers (one GPU each when present)")
    flag("--device", choices=["auto", "cpu", "cuda"], default="auto")
    flag("--model-name", help="name written on the new model's card")
    for name, kind in RECIPE_FLAGS.items():
        flag("--" + name.replace("_", "-"), type=kind, help=f"recipe {name}")
    parser.set_defaults(func=run)


def recipe_from(args: argparse.Namespace) -> Recipe:
    values = {name: getattr(args, name) for name in RECIPE_FLAGS if getattr(args, name) is not None}
    try:
        return Recipe(**values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ConfigError(f"invalid recipe: {problem['loc'][0]}: {problem['msg']}") from None


def run(args: argparse.Namespace) -> int:
    from archive_analyzer.train.finetune import FinetuneRequest, finetune

    settings = load_settings(args.config)
    try:
        request = FinetuneRequest(
            data=args.data,
            image_root=args.image_root,
            base_model=args.base_model,
            out=args.out,
            storage=args.storage,
            name=args.name,
            num_workers=args.workers,
            device=args.device,
            model_name=args.model_name,
            recipe=recipe_from(args),
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ConfigError(f"finetune: {problem['loc'][0]}: {problem['msg']}") from None
    cache = model_cache_dir(settings)
    result = finetune(request, cache, settings.ray_address)
    for epoch in result.history:
        print(f"epoch {epoch['epoch']}: loss {epoch['loss']:.4f} ({epoch['steps']} steps)")
    if result.started_epoch:
        print(f"resumed after epoch {result.started_epoch} from {request.storage}/{request.name}")
    print(f"model {result.out}\nmodel version {result.model_version}")
    print(f"use it: archive-analyzer analyze SOURCE --model {result.out}")
    return 0
