"""GalleryGPT's own tokenisation: LLaVA's slow SentencePiece LlamaTokenizer, id for id.

LLaVA loads its tokenizer with `use_fast=False` (transformers 4.37), so every id it trained on
came from the SentencePiece model itself. transformers 5 turns `tokenizer.model` into a BPE whose
merges are ordered differently: any run of whitespace (two spaces, a space beside a newline)
then gives other ids. `model convert` therefore keeps the SentencePiece model and the slow
tokenizer's settings beside the checkpoint (SP_MODEL, SP_CONFIG), and prompts are encoded and
answers decoded here, as the slow tokenizer did:

- text is split at the special tokens (`<s>`, `</s>`, `<unk>`), honouring their lstrip/rstrip;
- `legacy: true` (the default when a checkpoint says nothing) runs SentencePiece with its dummy
  prefix on every piece between special tokens, so a literal `</s>` is followed by `▁`;
- `legacy: false` turns the dummy prefix off, prefixes `▁` once to the whole text (a literal `▁`
  in it becoming a space) and encodes "<unk>" + piece to keep a leading space intact.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from archive_analyzer.errors import ModelError

SPIECE = "\u2581"
SP_MODEL = "sentencepiece.model"
SP_CONFIG = "sentencepiece.json"
# transformers 4.37's clean_up_tokenization, applied on decode when a tokenizer asks for it.
_CLEAN_UP = ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"))
_CLEAN_UP += ((" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"))


@dataclass(frozen=True)
class SpecialToken:
    content: str
    id: int
    lstrip: bool = False
    rstrip: bool = False


@dataclass(frozen=True)
class SlowSettings:
    """The slow LlamaTokenizer's settings that change ids or decoded text."""

    legacy: bool
    unk_token: str
    specials: tuple[SpecialToken, ...]
    clean_up_tokenization_spaces: bool = False

    @classmethod
    def from_json(cls, data: dict) -> SlowSettings:
        specials = tuple(SpecialToken(**token) for token in data["specials"])
        return cls(**{**data, "specials": specials})


class SlowLlamaTokenizer:
    """Encode (no BOS) and decode (special tokens skipped) as transformers 4.37's LlamaTokenizer."""

    def __init__(self, model_proto: bytes, settings: SlowSettings) -> None:
        import sentencepiece as spm

        self.settings = settings
        self.model_proto = model_proto
        if not settings.legacy:
            model_proto = _without_dummy_prefix(model_proto)
        self.sp = spm.SentencePieceProcessor(model_proto=model_proto)
        self._by_content = {token.content: token for token in settings.specials}
        self._special_ids = {token.id for token in settings.specials}
        contents = sorted(self._by_content, key=len, reverse=True)
        self._split = re.compile("(" + "|".join(map(re.escape, contents)) + ")")
        self._unk_length = len(self.sp.encode(settings.unk_token))

    @classmethod
    def load(cls, directory: Path) -> SlowLlamaTokenizer:
        settings = SlowSettings.from_json(json.loads((directory / SP_CONFIG).read_text()))
        return cls((directory / SP_MODEL).read_bytes(), settings)

    def save(self, directory: Path) -> None:
        (directory / SP_MODEL).write_bytes(self.model_proto)
        text = json.dumps(asdict(self.settings), indent=2, sort_keys=True, ensure_ascii=False)
        (directory / SP_CONFIG).write_text(text + "\n")

    def encode(self, text: str) -> list[int]:
        """`tokenizer(text, add_special_tokens=False).input_ids` of the slow tokenizer."""
        return [self._to_id(piece) for piece in self.tokenize(text)]

    def tokenize(self, text: str) -> list[str]:
        if self.settings.legacy or not text:
            return self._split_and_encode(text)
        pieces = self._split_and_encode(SPIECE + text.replace(SPIECE, " "))
        if len(pieces) > 1 and pieces[0] == SPIECE and pieces[1] in self._by_content:
            pieces = pieces[1:]
        return pieces

    def decode(self, ids: list[int]) -> str:
        """`decode(ids, skip_special_tokens=True)` of the slow tokenizer (not yet stripped)."""
        pieces = [self.sp.id_to_piece(i) for i in ids if i not in self._special_ids]
        if not pieces:
            return ""
        # The slow tokenizer drops the first piece's "▁", the space its prefix added.
        pieces[0] = pieces[0].removeprefix(SPIECE)
        text = self.sp.decode_pieces(pieces)
        if self.settings.clean_up_tokenization_spaces:
            for old, new in _CLEAN_UP:
                text = text.replace(old, new)
        return text

    def _split_and_encode(self, text: str) -> list[str]:
        parts = [part for part in self._split.split(text) if part]
        for index, part in enumerate(parts):
            token = self._by_content.get(part)
            if token is None:
                continue
            if token.rstrip and index + 1 < len(parts):
                parts[index + 1] = parts[index + 1].lstrip()
            if token.lstrip and index > 0:
                parts[index - 1] = parts[index - 1].rstrip()
        pieces: list[str] = []
        for part in parts:
            if part in self._by_content:
                pieces.append(part)
            elif part:
                pieces.extend(self._encode_piece(part))
        return pieces

    def _encode_piece(self, text: str) -> list[str]:
        if self.settings.legacy or not text.startswith((SPIECE, " ")):
            return self.sp.encode(text, out_type=str)
        # Without the dummy prefix SentencePiece drops a leading "▁"; "<unk>" in front keeps it.
        pieces = self.sp.encode(self.settings.unk_token + text, out_type=str)
        return pieces[self._unk_length :] if len(pieces) >= self._unk_length else pieces

    def _to_id(self, piece: str) -> int:
        token = self._by_content.get(piece)
        return token.id if token else self.sp.piece_to_id(piece)


def _without_dummy_prefix(model_proto: bytes) -> bytes:
    from sentencepiece import sentencepiece_model_pb2

    model = sentencepiece_model_pb2.ModelProto.FromString(model_proto)
    model.normalizer_spec.add_dummy_prefix = False
    return model.SerializeToString()


def _token_spec(value, added: dict) -> tuple[str, bool, bool]:
    """(content, lstrip, rstrip) of a special token, from any of the config's spellings."""
    if isinstance(value, dict):
        content = value["content"]
        return content, bool(value.get("lstrip")), bool(value.get("rstrip"))
    spec = added.get(value, {})
    return value, bool(spec.get("lstrip")), bool(spec.get("rstrip"))


def settings_from_base(base: Path, model_proto: bytes) -> SlowSettings:
    """The settings transformers 4.37 reads from a base's tokenizer_config.json."""
    import sentencepiece as spm

    path = base / "tokenizer_config.json"
    config = json.loads(path.read_text()) if path.exists() else {}
    sp = spm.SentencePieceProcessor(model_proto=model_proto)
    added = {v["content"]: v for v in (config.get("added_tokens_decoder") or {}).values()}
    specials = {}
    for key, default in (("unk_token", "<unk>"), ("bos_token", "<s>"), ("eos_token", "</s>")):
        content, lstrip, rstrip = _token_spec(config.get(key) or default, added)
        specials[content] = SpecialToken(content, sp.piece_to_id(content), lstrip, rstrip)
    extra = sorted(set(added) - set(specials))
    if extra:
        raise ModelError(
            f"{path} adds tokens {extra} to the SentencePiece vocabulary; "
            "only LLaMA's own <s>, </s> and <unk> are supported"
        )
    unk = _token_spec(config.get("unk_token") or "<unk>", added)[0]
    return SlowSettings(
        # transformers 4.37: no `legacy` key means the legacy behaviour.
        legacy=config.get("legacy") is None or bool(config["legacy"]),
        unk_token=unk,
        specials=tuple(specials.values()),
        clean_up_tokenization_spaces=bool(config.get("clean_up_tokenization_spaces", False)),
    )


@functools.lru_cache(maxsize=8)
def _load_cached(directory: str) -> SlowLlamaTokenizer:
    return SlowLlamaTokenizer.load(Path(directory))


def slow_tokenizer_for(tokenizer) -> SlowLlamaTokenizer | None:
    """The SentencePiece tokenizer saved beside a converted model, for the loaded `tokenizer`.

    None for tokenizers that never were SentencePiece ones (the tiny models' byte-level BPE):
    their own encoding is the reference. A Llama tokenizer without the saved model is a
    conversion from before this file existed, whose ids would differ from GalleryGPT's.
    """
    directory = Path(str(getattr(tokenizer, "name_or_path", "") or "."))
    if (directory / SP_CONFIG).exists():
        return _load_cached(str(directory.resolve()))
    if type(tokenizer).__name__.startswith("LlamaTokenizer"):
        raise ModelError(
            f"{directory} has a Llama tokenizer but no {SP_MODEL}: it was converted by an older "
            "archive-analyzer; run `archive-analyzer model convert` again"
        )
    return None
