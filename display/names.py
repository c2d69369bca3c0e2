"""Suggestions for a name someone got wrong: " (did you mean 'magma'?)".

One wording everywhere a name is checked (config keys and values, presets, shapes,
colour maps, request fields), so every error reads alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence


def spoken_list(names: Sequence[str]) -> str:
    """ "'a'", "'a' or 'b'", "'a', 'b' or 'c'": names quoted and joined as in a sentence."""
    quoted = [repr(str(name)) for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def suggestion(names: Sequence[str]) -> str:
    """ " (did you mean 'a' or 'b'?)" for these names, or '' when there are none."""
    return f" (did you mean {spoken_list(names)}?)" if names else ""


def did_you_mean(word: object, choices: Iterable[str], n: int = 1) -> str:
    """ " (did you mean 'x'?)" with up to `n` close choices, or '' when nothing is close."""
    if not isinstance(word, str):
        return ""
    return suggestion(difflib.get_close_matches(word, list(choices), n=n))
