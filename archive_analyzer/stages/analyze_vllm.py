"""AnalyzeVLLM: the Analyze stage served by vLLM's async engine, for GPU clusters.

Same contract as `stages.analyze.Analyze` (a ModelConfig in, the same columns: both are a
`ModelStage`) and the same inputs to the model: the padded 336 px squares from Decode and LLaVA's
own prompt ids (`llava_prompt_ids` from the model's own tokenizer, one image token that vLLM
expands to its 576 positions). vLLM batches continuously and pages its KV cache, which is what
makes a GPU busy, but only while it has work: a synchronous `LLM.generate` per batch drains the
engine at the end of every batch. So the engine here is vLLM's AsyncLLMEngine on an event loop
of its own, and the stage declares `concurrent_batches`: the Ray engine then runs that many
calls of this stage at once on one actor, each submitting its batch's requests to the one
engine, which keeps several batches in flight. Each call waits for its own requests only and
returns them in row order. (ray.data.llm's processor would bring its own stages, columns and
failure handling instead of ModelStage's; the async engine keeps ours.) Needs the `gpu` extra.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
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


class EngineLoop:
    """An asyncio loop on a daemon thread: the engine lives on it; any thread submits to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="vllm-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine):
        """Run `coroutine` on the loop and wait for its result in the calling thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


class AnalyzeVLLM(ModelStage):
    """One vLLM engine per actor (one GPU); `engine_args` and `sampling_args` for benchmarks.

    Only the engine is vLLM's: out-of-memory halving, failure isolation and the output columns
    are ModelStage's, the same as the transformers stage's.
    """

    # Batches one actor hands to its engine at once (the Ray engine runs this many calls of the
    # stage concurrently on the actor): enough that the engine never waits for the next batch.
    concurrent_batches = 4

    def __init__(
        self,
        config: ModelConfig,
        engine_args: dict[str, Any] | None = None,
        sampling_args: dict[str, Any] | None = None,
    ) -> None:
        from transformers import AutoTokenizer

        vllm = _vllm()
        from vllm.sampling_params import RequestOutputKind

        path = str(local_model_dir(config.location, config.cache_dir))
        args = vllm.AsyncEngineArgs(
            model=path,
            dtype="bfloat16",
            limit_mm_per_prompt={"image": 1},
            max_model_len=2048 + config.max_new_tokens,
            seed=0,
            **(engine_args or {}),
        )
        self.loop = EngineLoop()
        self.engine = self.loop.run(_start_engine(vllm, args))
        # The transformers engine's tokenizer, so the prompt ids are the same as its own.
        tokenizer = AutoTokenizer.from_pretrained(path)
        image_token_id = tokenizer.convert_tokens_to_ids("<image>")
        # One image token: vLLM's LLaVA processor expands it to the feature positions itself.
        self.prompt_ids = llava_prompt_ids(tokenizer, config.prompt.text, image_token_id, 1)
        self.sampling = vllm.SamplingParams(
            temperature=0.0,
            max_tokens=config.max_new_tokens,
            stop_token_ids=[tokenizer.eos_token_id],
            output_kind=RequestOutputKind.FINAL_ONLY,
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
        outputs = self.loop.run(self._generate_all(requests))
        results = [
            Generation(
                text=clean_text(out.outputs[0].text or ""),
                prompt_tokens=len(out.prompt_token_ids or []),
                generated_tokens=len(out.outputs[0].token_ids),
            )
            for out in outputs
        ]
        return results, time.perf_counter() - started

    async def _generate_all(self, requests: list[dict]) -> list:
        # gather keeps the requests' order, whatever order the engine finishes them in.
        return await asyncio.gather(*(self._generate_one(r) for r in requests))

    async def _generate_one(self, request: dict):
        final = None
        async for output in self.engine.generate(request, self.sampling, uuid.uuid4().hex):
            final = output
        if final is None or not final.finished:
            raise RuntimeError("vLLM ended a request without a finished output")
        return final


async def _start_engine(vllm, args):
    # Built on the loop it will run on: the engine starts its output task there.
    return vllm.AsyncLLMEngine.from_engine_args(args)


def analyzer_class(model_engine: str) -> type[ModelStage]:
    """The Analyze stage class for a `model_engine` setting ('transformers', 'vllm', 'echo')."""
    if model_engine == "vllm":
        _vllm()  # fail before the run starts, naming the extra, not inside an actor
        return AnalyzeVLLM
    if model_engine == "transformers":
        return Analyze
    if model_engine == "echo":
        from archive_analyzer.stages.analyze_echo import AnalyzeEcho

        return AnalyzeEcho
    raise ValueError(
        f"unknown model engine {model_engine!r}: choose 'transformers', 'vllm' or 'echo'"
    )
