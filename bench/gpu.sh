#!/usr/bin/env bash
# GPU benchmark, in one go, on a machine with one H100/H200 and no network (< 8 minutes):
# images/s of a GalleryGPT-sized random-weight LLaVA (7B language model, ViT-L/14-336, 576 image
# tokens, 256 generated tokens) one image per call, transformers batched (--batch 16,64), and
# vLLM, plus the fraction of the decode memory-bandwidth roofline reached. See bench/gpu.py;
# figures from an H100 are in bench/RESULTS.md.
#
#   bench/gpu.sh                 # needs torch with CUDA and transformers; vLLM rows need '[gpu]'
#   bench/gpu.sh --smoke         # tiny model on CPU in seconds (used by the tests)
#   bench/gpu.sh --json out.json # also keep the figures
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
# No network: nothing may try the hub, and no telemetry.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1
export VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 TOKENIZERS_PARALLELISM=false
export TRANSFORMERS_VERBOSITY=error
# A hard stop inside the 8-minute budget, so a stuck engine cannot hold the machine.
exec timeout --signal=TERM --kill-after=20 460 "$PYTHON" -m bench.gpu "$@"
