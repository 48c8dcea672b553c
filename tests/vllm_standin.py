"""A stand-in for the few parts of vLLM that AnalyzeVLLM uses (vLLM needs a GPU; not installed).

`install(monkeypatch)` puts a `vllm` module in sys.modules with AsyncEngineArgs,
AsyncLLMEngine.from_engine_args, SamplingParams and sampling_params.RequestOutputKind. Its
engine answers each request with the mark in the image's first pixel, after holding the
request until a second batch has arrived (or a timeout), and finishing requests in reverse of
their arrival, so a test sees both how many requests were in flight at once and whether each
answer came back to its own row.
"""

from __future__ import annotations

import asyncio
import enum
import sys
import types
from dataclasses import dataclass, field

import numpy as np

HOLD_SECONDS = 2.0


class RequestOutputKind(enum.Enum):
    CUMULATIVE = 0
    DELTA = 1
    FINAL_ONLY = 2


@dataclass
class SamplingParams:
    temperature: float = 1.0
    max_tokens: int = 16
    stop_token_ids: list[int] = field(default_factory=list)
    output_kind: RequestOutputKind = RequestOutputKind.CUMULATIVE


class AsyncEngineArgs:
    def __init__(self, model: str, **kwargs) -> None:
        self.model, self.kwargs = model, kwargs


@dataclass
class Completion:
    text: str
    token_ids: list[int]


@dataclass
class RequestOutput:
    request_id: str
    prompt_token_ids: list[int]
    outputs: list[Completion]
    finished: bool


class Engine:
    """Records every request, the most in flight at once, and the loop it was built on."""

    def __init__(self, args: AsyncEngineArgs, wait_for: int) -> None:
        self.args, self.wait_for = args, wait_for
        self.loop = asyncio.get_running_loop()  # vLLM's engine needs a running loop too
        self.requests: list[dict] = []
        self.in_flight = self.max_in_flight = 0
        self.arrived = asyncio.Event()

    async def generate(self, request: dict, sampling: SamplingParams, request_id: str):
        assert asyncio.get_running_loop() is self.loop, "called from another event loop"
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.in_flight >= self.wait_for:
            self.arrived.set()
        try:
            await asyncio.wait_for(self.arrived.wait(), HOLD_SECONDS)
        except TimeoutError:
            pass  # a lone batch: answer anyway, the test reads max_in_flight
        order = len(self.requests)
        await asyncio.sleep(0.001 * (64 - order % 64))  # later arrivals finish first
        mark = int(np.asarray(request["multi_modal_data"]["image"])[0, 0, 0])
        self.in_flight -= 1
        text = f"square {mark}"
        yield RequestOutput(
            request_id, request["prompt_token_ids"], [Completion(f" {text} ", [mark, 2])], True
        )


def install(monkeypatch, wait_for: int) -> dict:
    """Put the stand-in `vllm` in sys.modules; the returned dict gets the engine once built."""
    built: dict = {}

    class AsyncLLMEngine:
        @staticmethod
        def from_engine_args(args: AsyncEngineArgs) -> Engine:
            built["engine"] = Engine(args, wait_for)
            return built["engine"]

    vllm = types.ModuleType("vllm")
    vllm.AsyncEngineArgs, vllm.AsyncLLMEngine = AsyncEngineArgs, AsyncLLMEngine
    vllm.SamplingParams = SamplingParams
    sampling = types.ModuleType("vllm.sampling_params")
    sampling.RequestOutputKind = RequestOutputKind
    vllm.sampling_params = sampling
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.sampling_params", sampling)
    return built
