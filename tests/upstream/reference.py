"""Run GalleryGPT's upstream code under transformers 4.37.2 (a subprocess; see runner.py).

Reads a JSON request, writes a JSON answer: the prompt text and ids `tokenizer_image_token`
builds with the slow tokenizer (`use_fast=False`, as LLaVA's model builder loads it), the text
`batch_decode(..., skip_special_tokens=True)[0].strip()` gives, and the pixels of
`Image.open(path).convert("RGB")` -> expand2square(mean colour) -> CLIPImageProcessor.
"""

import json
import sys

import numpy as np
import transformers
from llava_conversation import run_llava_prompt
from llava_mm_utils import expand2square, tokenizer_image_token
from PIL import Image


def clip_processor(size, mean, std):
    # openai/clip-vit-large-patch14-336's preprocessor_config.json, which LLaVA loads.
    return transformers.CLIPImageProcessor(
        size={"shortest_edge": size},
        crop_size={"height": size, "width": size},
        resample=3,
        do_center_crop=True,
        do_convert_rgb=True,
        do_normalize=True,
        do_rescale=True,
        rescale_factor=1 / 255,
        image_mean=mean,
        image_std=std,
    )


def pixels(request):
    processor = clip_processor(**request["processor"])
    fill = tuple(int(x * 255) for x in processor.image_mean)
    out = []
    for path in request["images"]:
        image = Image.open(path).convert("RGB")
        image = expand2square(image, fill)
        out.append(processor.preprocess(image, return_tensors="np")["pixel_values"][0])
    return np.stack(out) if out else np.zeros((0,))


def main():
    request = json.loads(open(sys.argv[1]).read())
    answer = {"transformers": transformers.__version__}
    if request.get("tokenizer"):
        tokenizer = transformers.AutoTokenizer.from_pretrained(request["tokenizer"], use_fast=False)
        answer["slow"] = type(tokenizer).__name__
        prompts = [run_llava_prompt(q) for q in request.get("questions", [])]
        answer["prompts"] = prompts
        answer["ids"] = [tokenizer_image_token(p, tokenizer) for p in prompts]
        answer["texts"] = [
            tokenizer.batch_decode([ids], skip_special_tokens=True)[0].strip()
            for ids in request.get("decode", [])
        ]
    if request.get("images"):
        np.save(request["pixels_out"], pixels(request))
    json.dump(answer, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
