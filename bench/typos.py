"""One typing mistake in a name: a letter inserted, dropped, changed, or two swapped."""

from __future__ import annotations

import random
import string

from clients.names import fold

OPERATIONS = ("insert", "delete", "substitute", "transpose")
# Typists hit neighbouring keys more often than far ones.
_NEIGHBOURS = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
    "i": "uok", "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv",
    "g": "fhtb", "h": "gjyn", "j": "hkum", "k": "jli", "l": "kop", "z": "asx", "x": "zsc",
    "c": "xdv", "v": "cfb", "b": "vgn", "n": "bhm", "m": "nj",
}  # fmt: skip


def _letter(rng: random.Random, near: str | None) -> str:
    lowered = (near or "").lower()
    if lowered in _NEIGHBOURS and rng.random() < 0.7:
        return rng.choice(_NEIGHBOURS[lowered])
    return rng.choice(string.ascii_lowercase)


def _match_case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter


def one_typo(rng: random.Random, word: str, operation: str | None = None) -> tuple[str, str]:
    """`word` with exactly one mistake that changes how it reads; and which mistake it was."""
    positions = [i for i, ch in enumerate(word) if ch.isalpha()]
    for _ in range(100):
        op = operation or rng.choice(OPERATIONS)
        if op in ("delete", "transpose") and len(positions) < 3:
            op = "substitute"
        if op == "insert":
            at = rng.randint(0, len(word))
            near = word[at - 1] if at > 0 else word[0]
            typed = word[:at] + _match_case(_letter(rng, near), near) + word[at:]
        elif op == "delete":
            at = rng.choice(positions)
            typed = word[:at] + word[at + 1 :]
        elif op == "substitute":
            at = rng.choice(positions)
            typed = word[:at] + _match_case(_letter(rng, word[at]), word[at]) + word[at + 1 :]
        else:
            pairs = [i for i in positions[:-1] if i + 1 in positions]
            if not pairs:
                continue
            at = rng.choice(pairs)
            typed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            if at == 0 and word[0].isupper():
                typed = typed[0].upper() + typed[1].lower() + typed[2:]
        if fold(typed) != fold(word) and fold(typed):
            return typed, op
        operation = None
    return word + _letter(rng, None), "insert"
