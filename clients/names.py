"""How names are normalised and coded for search. Used on every write and by bulk loaders."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

import jellyfish

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")


class NameKeys(NamedTuple):
    search_name: str
    first_name_phonetic: str
    last_name_phonetic: str


# A search scores a thousand candidate names, and the same names come up again and again
# (there are far fewer names than people): each is folded and coded once per process.
_MEMO_SIZE = 100_000


@functools.lru_cache(maxsize=_MEMO_SIZE)
def fold(text: str) -> str:
    """Lower case, accents stripped, punctuation removed: 'Zoë O'Brien-Smith' -> 'zoe obriensmith'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_only = ascii_only.replace("'", "").replace("\u2019", "").replace("-", "")
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_only)).strip()


@functools.lru_cache(maxsize=_MEMO_SIZE)
def phonetic(text: str) -> str:
    """A sound-alike code for a (folded) name: Metaphone, so Stephen ~ Steven, Smyth ~ Smith."""
    folded = fold(text).replace(" ", "")
    if not folded:
        return ""
    return jellyfish.metaphone(folded)[:20]


def name_keys(first_name: str, last_name: str) -> NameKeys:
    return NameKeys(
        search_name=f"{fold(first_name)} {fold(last_name)}".strip(),
        first_name_phonetic=phonetic(first_name),
        last_name_phonetic=phonetic(last_name),
    )
