"""The prompt GalleryGPT sees, byte for byte, and the token ids LLaVA would build from it."""

from __future__ import annotations

import hashlib

import pytest
import sentencepiece as spm
from original_llava import sentencepiece_model, write_tokenizer

from archive_analyzer.errors import ConfigError, ModelError
from archive_analyzer.model.convert import llava_tokenizer, slow_tokenizer
from archive_analyzer.model.generate import llava_prompt_ids
from archive_analyzer.model.prompts import QUERIES, resolve_prompt, vicuna_v1

PAPER_PROMPT = (
    "A chat between a curious user and an artificial intelligence assistant. The assistant "
    "gives helpful, detailed, and polite answers to the user's questions. USER: <image>\n"
    "Please write a paragraph of formal analysis for this painting. ASSISTANT:"
)
IMAGE_TOKENS = 576
LLAVA_IMAGE_INDEX = -200  # LLaVA's IMAGE_TOKEN_INDEX placeholder


def conversation_two(system: str, turns: list[tuple[str, str | None]]) -> str:
    """LLaVA's SeparatorStyle.TWO prompt (vicuna_v1: sep " ", sep2 "</s>"), written out."""
    seps = (" ", "</s>")
    text = system + seps[0]
    for index, (role, message) in enumerate(turns):
        text += f"{role}: {message}{seps[index % 2]}" if message else f"{role}:"
    return text


def test_the_default_prompt_is_the_papers_vicuna_v1_prompt_byte_for_byte():
    prompt = resolve_prompt("formal_analysis")
    assert prompt.text.encode() == PAPER_PROMPT.encode()
    assert prompt.version == hashlib.sha256(PAPER_PROMPT.encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_named_prompt_follows_llavas_conversation_format(name):
    system = PAPER_PROMPT.split(" USER:")[0]
    turns = [("USER", "<image>\n" + QUERIES[name]), ("ASSISTANT", None)]
    assert vicuna_v1(QUERIES[name]) == conversation_two(system, turns)


def test_prompt_versions_follow_the_exact_text():
    versions = {resolve_prompt(name).version for name in QUERIES}
    assert len(versions) == len(QUERIES)
    custom = resolve_prompt("formal_analysis", "Describe the sky.")
    assert custom.name == "custom" and "USER: <image>\nDescribe the sky. ASSISTANT:" in custom.text
    assert custom.version != resolve_prompt("formal_analysis", "Describe the sky!").version
    with pytest.raises(ConfigError, match="prompt: unknown prompt 'colour'"):
        resolve_prompt("colour")
    with pytest.raises(ConfigError, match="custom_prompt must not contain <image>"):
        resolve_prompt("formal_analysis", "Compare <image> with the sketch.")


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    """The SentencePiece model itself, and the tokenizer `model convert` saves and we load."""
    from transformers import AutoTokenizer

    model = sentencepiece_model()
    base = tmp_path_factory.mktemp("base")
    write_tokenizer(base, model)
    saved = tmp_path_factory.mktemp("converted")
    llava_tokenizer(base).save_pretrained(saved)
    slow_tokenizer(base).save(saved)
    return spm.SentencePieceProcessor(model_proto=model), AutoTokenizer.from_pretrained(saved)


def llava_reference_ids(sp, prompt: str, image_id: int) -> list[int]:
    """LLaVA's tokenizer_image_token over a slow LlamaTokenizer (BOS + SentencePiece ids):
    each <image>-separated chunk tokenised alone, one BOS kept, placeholders between chunks;
    then the placeholder expanded to the image positions as the native model expects."""
    chunks = [[sp.bos_id(), *sp.encode(chunk)] for chunk in prompt.split("<image>")]
    ids = [sp.bos_id()]
    for index, chunk in enumerate(chunks):
        if index:
            ids.append(LLAVA_IMAGE_INDEX)
        ids.extend(chunk[1:])
    expanded = []
    for token in ids:
        expanded.extend([image_id] * IMAGE_TOKENS if token == LLAVA_IMAGE_INDEX else [token])
    return expanded


QUERIES_TO_CHECK = [
    *QUERIES.values(),
    "  Leading spaces, digits 1889 and 2024, and a second line:\nwhat does it show?",
    "Décrivez la composition de « La Nuit étoilée » de Van Gogh.",
]


@pytest.mark.parametrize("query", QUERIES_TO_CHECK)
def test_prompt_ids_equal_llavas_own_tokenisation(tokenizers, query):
    sp, tokenizer = tokenizers
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    assert image_id == sp.get_piece_size()  # appended after the SentencePiece vocabulary
    text = vicuna_v1(query)
    ours = llava_prompt_ids(tokenizer, text, image_id, IMAGE_TOKENS)
    assert ours == llava_reference_ids(sp, text, image_id)
    assert ours.count(image_id) == IMAGE_TOKENS and ours.count(sp.bos_id()) == 1


def test_the_chunk_after_the_image_starts_as_llava_tokenises_it(tokenizers):
    """A chunk starting with "\\n" gets SentencePiece's dummy-prefix piece: tokenising the whole
    prompt in one go would not, so only chunk-wise tokenisation gives GalleryGPT's ids."""
    sp, tokenizer = tokenizers
    text = resolve_prompt("formal_analysis").text
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    ids = llava_prompt_ids(tokenizer, text, image_id, IMAGE_TOKENS)
    after_image = ids[ids.index(image_id) + IMAGE_TOKENS :]
    assert sp.id_to_piece(after_image[:2]) == ["▁", "<0x0A>"]
    whole = tokenizer(text.replace("<image>", ""), add_special_tokens=False).input_ids
    assert whole != [t for t in ids[1:] if t != image_id]


def test_a_llama_tokenizer_without_its_sentencepiece_model_is_refused(tmp_path):
    """A conversion from before the slow tokenizer was saved would give other ids: say so."""
    from transformers import AutoTokenizer

    base = tmp_path / "base"
    base.mkdir()
    write_tokenizer(base, sentencepiece_model())
    llava_tokenizer(base).save_pretrained(tmp_path / "old")
    old = AutoTokenizer.from_pretrained(tmp_path / "old")
    with pytest.raises(ModelError, match="run `archive-analyzer model convert` again"):
        llava_prompt_ids(old, vicuna_v1("Describe it."), 400, 1)
