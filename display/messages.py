"""Messages about what someone typed or sent: suggestions for a name they got wrong
(" (did you mean 'magma'?)") and their values shown safely in errors and log lines.

One wording everywhere a name is checked (config keys and values, presets, shapes,
colour maps, request fields), so every error reads alike; and one way to show an
outside value, so none can forge a second log line or fill a screen.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence

SHOWN_CHARS = 60  # an outside value is cut to this many characters in a message
_SUGGEST_MAX_CHARS = 100  # a longer "name" is no typo: comparing it would only cost time


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
    if not isinstance(word, str) or len(word) > _SUGGEST_MAX_CHARS:
        return ""
    return suggestion(difflib.get_close_matches(word, list(choices), n=n))


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """`value` as Python writes it (strings quoted, control characters escaped: one line
    whatever it holds), cut to about `limit` characters."""
    if isinstance(value, int) and value.bit_length() > 200:  # repr() refuses past 4300 digits
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return cut(repr(value), limit)


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` as it is when short, else its first `limit - 3` characters and '...'."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def escaped(text: object, limit: int = SHOWN_CHARS) -> str:
    """`text` on one line: as it is when printable, else with Python's escapes (and no
    quotes, as a name inside a message); cut to `limit` characters."""
    text = str(text)
    if not text.isprintable():
        text = repr(text)[1:-1]
    return cut(text, limit)
