"""AnalyzeVLLM: the Analyze stage served by vLLM's offline engine, for GPU clusters.

Same contract as `stages.analyze.Analyze` (a ModelConfig in, the same columns: both are a
`ModelStage`) and the same inputs to the model: the padded 336 px squares from Decode and LLaVA's
own prompt ids (`llava_prompt_ids`, one image token that vLLM expands to its 576 positions). vLLM
batches continuously and pages its KV cache, which is what makes a GPU busy; the transformers
stage stays the default and the CPU path. Needs the `gpu` extra (vLLM brings its CUDA torch).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from archive_analyzer.errors import MissingExtraError
from archive_analyzer.model.generate import Generation, clean_text, llava_prompt_ids
from archive_analyzer.model.loader import inspect_model, local_model_dir
from archive_analyzer.stages.analyze import Analyze, ModelConfig, ModelStage


def _vllm():
    try:
        import vllm
    except ImportError as exc:
        raise MissingExtraError("vllm", "gpu") from exc
    return vllm


class AnalyzeVLLM(ModelStage):
    """One vLLM engine per actor (one GPU); `engine_args` and `sampling_args` for benchmarks.

    Only the engine is vLLM's: out-of-memory halving, failure isolation and the output columns
    are ModelStage's, the same as the transformers stage's.
    """

    def __init__(
        self,
        config: ModelConfig,
        engine_args: dict[str, Any] | None = None,
        sampling_args: dict[str, Any] | None = None,
    ) -> None:
        vllm = _vllm()
        path = str(local_model_dir(config.location, config.cache_dir))
        self.llm = vllm.LLM(
            model=path,
            dtype="bfloat16",
            limit_mm_per_prompt={"image": 1},
            max_model_len=2048 + config.max_new_tokens,
            seed=0,
            **(engine_args or {}),
        )
        tokenizer = self.llm.get_tokenizer()
        image_token_id = tokenizer.convert_tokens_to_ids("<image>")
        # One image token: vLLM's LLaVA processor expands it to the feature positions itself.
        self.prompt_ids = llava_prompt_ids(tokenizer, config.prompt.text, image_token_id, 1)
        self.sampling = vllm.SamplingParams(
            temperature=0.0,
            max_tokens=config.max_new_tokens,
            stop_token_ids=[tokenizer.eos_token_id],
            **(sampling_args or {}),
        )
        super().__init__(config, inspect_model(config.location).version, self._generate)

    def _generate(self, pixels: np.ndarray) -> tuple[list[Generation], float]:
        from PIL import Image

        started = time.perf_counter()
        requests = [
            {"prompt_token_ids": self.prompt_ids, "multi_modal_data": {"image": Image.fromarray(p)}}
            for p in pixels
        ]
        outputs = self.llm.generate(requests, self.sampling, use_tqdm=False)
        results = [
            Generation(
                text=clean_text(out.outputs[0].text or ""),
                prompt_tokens=len(out.prompt_token_ids or []),
                generated_tokens=len(out.outputs[0].token_ids),
            )
            for out in outputs
        ]
        return results, time.perf_counter() - started


def analyzer_class(model_engine: str) -> type[ModelStage]:
    """The Analyze stage class for a `model_engine` setting ('transformers' or 'vllm')."""
    if model_engine == "vllm":
        _vllm()  # fail before the run starts, naming the extra, not inside an actor
        return AnalyzeVLLM
    if model_engine == "transformers":
        return Analyze
    raise ValueError(f"unknown model engine {model_engine!r}: choose 'transformers' or 'vllm'")
