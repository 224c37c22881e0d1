"""Simplified Chinese and English complete: every string the code marks for translation has a Chinese
translation in the committed catalogue (and in the compiled one the server reads), and no template shows
English text outside a translation tag."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

SOURCE = Path(__file__).resolve().parents[1] / "src" / "zoneops"
CATALOGUE = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Words that are the same in both languages: names of products, formats and standards.
SAME_IN_BOTH = {
    "zoneops",
    "API",
    "Excel",
    "ECharts",
    "Open311",
    "GeoReport",
    "PDF",
    "ZIP",
    "CSV",
    "USCC",
    "OpenAPI",
    "Swagger",
    "YYYY-MM",
    "YYYY",
    "MM",
    "Gantt",
    # Economic complexity's measures keep their names in Chinese texts too.
    "RCA",
    "ECI",
    "PCI",
    "COI",
    "COG",
    # The language switch names each language in itself.
    "English",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


def _english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in SAME_IN_BOTH]


class _VisibleText(HTMLParser):
    """Text a person reads: element text (not scripts, styles, or code such as a field's name in
    <code>) and the attributes shown to them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value and _english_words(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden and _english_words(data):
            self.found.append(data.strip())


def _untranslated_template_text(path: Path) -> list[str]:
    """English words in a template outside {% translate %} / {% blocktranslate %} (variables and tags
    are left out: what they print is data or translated where it is made)."""
    tokens = Lexer(path.read_text(encoding="utf-8")).tokenize()
    outside: list[str] = []
    depth = 0  # inside blocktranslate or comment
    for token in tokens:
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth -= 1
            # A tag's place in the markup: keep the text around it joined as a person reads it.
            outside.append(" " if depth == 0 else "")
        elif token.token_type == TokenType.VAR:
            outside.append("0" if depth == 0 else "")
        elif token.token_type == TokenType.TEXT and depth == 0:
            outside.append(token.contents)
    parser = _VisibleText()
    parser.feed("".join(outside))
    return parser.found


def _templates() -> list[Path]:
    return sorted(p for p in SOURCE.glob("*/templates/**/*.html"))


def test_there_are_templates_to_check() -> None:
    assert len(_templates()) > 50


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_template_shows_english_outside_a_translation_tag(path: Path) -> None:
    assert _untranslated_template_text(path) == []


def test_the_check_finds_english_text_and_attributes(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Orders" %}</h1><p>Due soon</p><input placeholder="Search">'
        "{% blocktranslate %}All {{ n }}{% endblocktranslate %}<script>let a = 'fine';</script>"
        "<td>{{ o.number }}</td><span>zoneops API</span> (<code>period</code>)",
        encoding="utf-8",
    )
    assert _untranslated_template_text(page) == ["Due soon", 'placeholder="Search"']


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    """The catalogue as ``makemessages`` would write it from today's code, merged into the committed one
    (in a copy of the source, so the working tree is untouched)."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to extract messages (apt-get install gettext)")
    copy = tmp_path_factory.mktemp("source") / "zoneops"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "var"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "zoneops",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "ZONEOPS_DEBUG": "1", "ZONEOPS_VAR_DIR": str(copy.parent / "var")},
    )
    return polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def _missing(catalogue: polib.POFile) -> list[str]:
    return sorted(
        e.msgid
        for e in catalogue
        if not e.obsolete
        and ("fuzzy" in e.flags or not (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values()))))
    )


def test_every_string_in_the_code_has_a_chinese_translation(extracted: polib.POFile) -> None:
    assert _missing(extracted) == []


def test_the_committed_catalogue_holds_every_string_of_the_code(extracted: polib.POFile) -> None:
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    assert (
        sorted({(e.msgctxt or "", e.msgid) for e in extracted} - {(c or "", m) for c, m in committed}) == []
    )


def test_the_compiled_catalogue_is_the_committed_one() -> None:
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(CATALOGUE))}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(COMPILED))}
    translated = {key: value for key, value in source.items() if key[1]}
    assert {k: compiled.get(k) for k in translated} == translated
