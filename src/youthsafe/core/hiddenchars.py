"""Characters an officer cannot see made visible: right-to-left and other direction controls (U+202E turns
``gpj.exe`` into what looks like ``exe.jpg``), zero-width characters (U+200B between the characters of a banned
word hides it from a reader and from a naive search), fillers that look blank (U+3164, a "blank" account name),
tag characters (invisible ASCII) and control characters. Where platform names, posts, report texts and
people's names are shown, each such character is shown as a badge with its code point (``U+202E``) and
name, in place of the character, so it neither reorders the text around it nor hides.

A zero-width joiner between two emoji (👨‍👩‍👧, one family) and the tag characters of a flag (🏴 England) are
left alone: there they are what makes one picture out of several.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe

HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters (tab and line breaks show as themselves)
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"  # soft hyphen, grapheme joiner, fillers
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"  # zero-width, direction marks and controls
    "\u3164\ufeff\uffa0\ufff9-\ufffb\ud800-\udfff"  # Hangul fillers, BOM, annotations, lone surrogates
    "\U000e0000-\U000e007f]"  # tag characters
)
_ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"


def _emoji(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x1F000 or 0x2190 <= code <= 0x2BFF or code == 0xFE0F


def _joins(text: str, at: int) -> bool:
    """Whether the character at ``at`` belongs to an emoji sequence (a joiner between emoji, a flag's tags)."""
    ch = text[at]
    if ch == _ZWJ:
        return 0 < at < len(text) - 1 and _emoji(text[at - 1]) and _emoji(text[at + 1])
    if 0xE0000 <= ord(ch) <= 0xE007F:
        start = at
        while start > 0 and 0xE0000 <= ord(text[start - 1]) <= 0xE007F:
            start -= 1
        return start > 0 and text[start - 1] == _BLACK_FLAG
    return False


def _badge(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "") if not 0xD800 <= ord(ch) <= 0xDFFF else "LONE SURROGATE"
    title = f"{code} {name}".strip() if name else code
    return f'<span class="hidden-char" title="{escape(title)}">{code}</span>'


def reveal_html(text: str) -> str:
    """``text`` escaped for HTML, with each hidden character as a visible badge (a plain ``str`` for callers
    that assemble HTML themselves, e.g. the evidence highlighting)."""
    if HIDDEN.search(text) is None:
        return str(escape(text))
    out: list[str] = []
    pos = 0
    for match in HIDDEN.finditer(text):
        if _joins(text, match.start()):
            continue
        out.append(escape(text[pos:match.start()]))
        out.append(_badge(match.group()))
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def reveal(value: object) -> SafeString:
    """The template filter ``reveal`` (``{% load ys %}``): ``value`` escaped, hidden characters shown. HTML a
    view already made safe is passed through unchanged."""
    if value is None:
        return mark_safe("")  # nosec B308, B703 - empty
    if isinstance(value, SafeData):
        return value  # type: ignore[return-value]
    return mark_safe(reveal_html(str(value)))  # escaped by reveal_html  # nosec B308, B703
