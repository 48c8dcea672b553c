"""`archive-analyzer model tiny|info|convert`."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive_analyzer.model.loader import inspect_model, model_cache_dir
from archive_analyzer.model.tiny import write_tiny_model


def register(subparsers) -> None:
    parser = subparsers.add_parser("model", help="model tools: tiny, info, convert")
    actions = parser.add_subparsers(dest="model_action", required=True)
    tiny = actions.add_parser("tiny", help="write a tiny random-weight LLaVA (for tests, demos)")
    tiny.add_argument("out", help="output directory")
    tiny.add_argument("--seed", type=int, default=0)
    tiny.set_defaults(func=run_tiny)
    info = actions.add_parser("info", help="show a model directory's version and card")
    info.add_argument("location")
    info.set_defaults(func=run_info)
    _register_convert(actions)


def _register_convert(actions) -> None:
    convert = actions.add_parser(
        "convert",
        help="GalleryGPT as published (LLaVA base + LoRA adapter) -> transformers-native LLaVA",
    )
    convert.add_argument("--base", required=True, help="LLaVA-layout (or native) model dir/URI")
    convert.add_argument("--adapter", help="peft LoRA dir/URI with non_lora_trainables.bin")
    convert.add_argument("--vision-tower", help="CLIP vision tower dir (config, processor)")
    convert.add_argument("--out", required=True, help="output directory")
    convert.add_argument(
        "--dtype", choices=["float32", "float16", "bfloat16"], help="default: as the base"
    )
    convert.set_defaults(func=run_convert)


def run_tiny(args: argparse.Namespace) -> int:
    path = write_tiny_model(args.out, seed=args.seed)
    info = inspect_model(str(path))
    print(f"wrote tiny random-weight LLaVA to {path} (model version {info.version})")
    return 0


def run_info(args: argparse.Namespace) -> int:
    info = inspect_model(args.location)
    print(f"name: {info.name}\nversion: {info.version}\nmeaningful: {info.meaningful}")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from archive_analyzer.model.convert import ConvertRequest, convert
    from archive_analyzer.settings import load_settings

    settings = load_settings(args.config)
    request = ConvertRequest(
        base=args.base,
        out=Path(args.out),
        adapter=args.adapter,
        vision_tower=args.vision_tower,
        dtype=args.dtype,
    )
    path = convert(request, model_cache_dir(settings))
    info = inspect_model(str(path))
    print(f"wrote transformers-native GalleryGPT to {path} (model version {info.version})")
    return 0
