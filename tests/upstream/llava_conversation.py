"""Vendored from haotian-liu/LLaVA (identical in steven640pixel/GalleryGPT), commit
c121f0432da27facab705978f83c4ada465e46fd: llava/conversation.py's `conv_vicuna_v1` and the
SeparatorStyle.TWO branch of `Conversation.get_prompt`, and how llava/eval/run_llava.py builds
a single-image question from them. A test fixture only.
"""

SYSTEM = (
    "A chat between a curious user and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the user's questions."
)
ROLES = ("USER", "ASSISTANT")
SEP, SEP2 = " ", "</s>"


def get_prompt(messages):
    seps = [SEP, SEP2]
    ret = SYSTEM + seps[0]
    for i, (role, message) in enumerate(messages):
        if message:
            ret += role + ": " + message + seps[i % 2]
        else:
            ret += role + ":"
    return ret


def run_llava_prompt(qs):
    """run_llava.py without mm_use_im_start_end: DEFAULT_IMAGE_TOKEN + "\\n" + qs."""
    qs = "<image>" + "\n" + qs
    return get_prompt([[ROLES[0], qs], [ROLES[1], None]])
