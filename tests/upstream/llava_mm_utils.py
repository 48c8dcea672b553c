"""Vendored from haotian-liu/LLaVA (identical in steven640pixel/GalleryGPT), commit
c121f0432da27facab705978f83c4ada465e46fd, llava/mm_utils.py and llava/constants.py: `expand2square`
and `tokenizer_image_token` verbatim, except that the `return_tensors` branch (torch) is dropped.
A test fixture only: runs inside the transformers 4.37.2 subprocess (tests/upstream/reference.py).
"""

from PIL import Image

IMAGE_TOKEN_INDEX = -200


def expand2square(pil_img, background_color):
    width, height = pil_img.size
    if width == height:
        return pil_img
    elif width > height:
        result = Image.new(pil_img.mode, (width, width), background_color)
        result.paste(pil_img, (0, (width - height) // 2))
        return result
    else:
        result = Image.new(pil_img.mode, (height, height), background_color)
        result.paste(pil_img, ((height - width) // 2, 0))
        return result


def tokenizer_image_token(prompt, tokenizer, image_token_index=IMAGE_TOKEN_INDEX):
    prompt_chunks = [tokenizer(chunk).input_ids for chunk in prompt.split("<image>")]

    def insert_separator(X, sep):  # noqa: N803
        return [ele for sublist in zip(X, [sep] * len(X)) for ele in sublist][:-1]  # noqa: B905

    input_ids = []
    offset = 0
    if (
        len(prompt_chunks) > 0
        and len(prompt_chunks[0]) > 0
        and prompt_chunks[0][0] == tokenizer.bos_token_id
    ):
        offset = 1
        input_ids.append(prompt_chunks[0][0])

    for x in insert_separator(prompt_chunks, [image_token_index] * (offset + 1)):
        input_ids.extend(x[offset:])
    return input_ids
