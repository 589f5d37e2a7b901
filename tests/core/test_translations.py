"""Every Chinese catalogue entry reaches the pages: the compiled catalogues (.mo) hold every translated entry of
their sources (.po), plural ones included (an entry with an empty plural form is left out of a .mo, and its
English shows through: "391 alerts" on the Chinese queue page)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "youthsafe"
CATALOGUES = sorted(SRC.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
_ENTRY = re.compile(r'^msgid "(.*)"\nmsgid_plural "(.*)"\n((?:msgstr\[\d\] ".*"\n)+)', re.MULTILINE)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_plural_entries_are_compiled(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = _ENTRY.findall(po.read_text(encoding="utf-8"))
    for singular, plural, forms in entries:
        first = re.search(r'msgstr\[0\] "(.*)"', forms)
        assert first is not None
        assert first.group(1), f"{po}: {singular!r} has no Chinese form"
        assert "msgstr[1]" not in forms, f"{po}: {singular!r}: Chinese has one plural form (nplurals=1)"
        for n in (1, 2, 391):
            assert compiled.ngettext(singular, plural, n) == first.group(1).replace('\\"', '"'), (po, singular)


def test_catalogues_and_plural_entries_are_found() -> None:
    assert len(CATALOGUES) >= 5
    assert any(_ENTRY.search(po.read_text(encoding="utf-8")) for po in CATALOGUES)
