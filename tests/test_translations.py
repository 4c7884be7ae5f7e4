"""The English catalogue is complete: every msgid has a real English msgstr (not empty, not fuzzy,
no Chinese left in it, the same placeholders), every translatable string of the code and the
templates is in it, and nothing in it is stale.

Strings the code translates at run time from tables of app.domain (topics, kinds, states,
ladder levels …: plain Python, no Flask, so not marked for extraction) count as used."""
import gettext
import importlib
import io
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# CJK ideographs, CJK punctuation (。，、「」…) and full-width forms (：；？！（）)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdf]")


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as f:
        return read_po(f)


def test_no_entry_is_empty_fuzzy_or_obsolete(catalog):
    assert not catalog.obsolete, sorted(catalog.obsolete)
    empty = [m.id for m in catalog if m.id and not str(m.string).strip()]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert empty == [] and fuzzy == [], (empty, fuzzy)


def test_english_has_the_placeholders_of_the_chinese(catalog):
    wrong = [(m.id, m.string) for m in catalog if m.id
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert wrong == []


def test_the_compiled_catalogue_is_english_throughout(catalog, tmp_path):
    """Compiled as `pybabel compile` does, then read back the way Flask-Babel reads it."""
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    translations = gettext.GNUTranslations(buf)
    ids = sorted(_ids(catalog))
    assert len(ids) > 500  # the real catalogue, not an empty file
    untranslated = [i for i in ids if not translations.gettext(i).strip()]
    chinese = [(i, translations.gettext(i)) for i in ids if CJK.search(translations.gettext(i))]
    assert untranslated == [], untranslated
    assert chinese == [], chinese


def _domain_labels() -> set[str]:
    """Chinese strings in the upper-case tables of app.domain (translated with gettext(value))."""
    import app.domain

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, tuple | list):
            for v in value:
                yield from strings(v)

    found = set()
    for info in pkgutil.walk_packages(app.domain.__path__, "app.domain."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, dict | tuple | list):
                found |= {s for s in strings(value) if CJK.search(s)}
    return found


def test_the_catalogue_holds_exactly_the_strings_in_use(catalog, tmp_path):
    pot = tmp_path / "messages.pot"
    # The same extraction as `make translations-update`, into a temporary file.
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "-o", str(pot), "app", "templates"],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        in_code = _ids(read_po(f))
    in_catalogue = _ids(catalog)
    missing = sorted(in_code - in_catalogue)
    stale = sorted(in_catalogue - in_code - _domain_labels())
    assert missing == [], f"translatable strings without an English entry: {missing}"
    assert stale == [], f"catalogue entries no code or template uses: {stale}"


def test_chinese_messages_use_full_width_punctuation(catalog):
    """House rule: ，。：；？！（） in Chinese text — no half-width mark next to a Chinese character."""
    half = re.compile(r"[\u4e00-\u9fff][,:;?!()]|[,;?!(]\s*[\u4e00-\u9fff]|\)[\u4e00-\u9fff]")
    wrong = sorted(m.id for m in catalog if m.id and half.search(m.id))
    assert wrong == []


def test_chinese_messages_have_no_half_width_semicolon_or_marks(catalog):
    """；？！ have no half-width use inside a Chinese message, even between Latin words ("10MB；PDF"):
    placeholders and addresses aside, a ; ? or ! in a message with Chinese text is a typo."""
    chinese = re.compile(r"[\u4e00-\u9fff]")
    wrong = sorted(m.id for m in catalog if m.id and chinese.search(m.id)
                   and re.search(r"[;?!]", re.sub(r"%\(\w+\)[sd]|https?://\S+", "", m.id)))
    assert wrong == []


def test_templates_put_no_half_width_mark_beside_chinese():
    """The same rule for what templates write around their messages: a literal ，：；（ beside a
    Chinese message or value is written full-width, or through a message (`_('：')`) that English
    turns into ": "."""
    beside = re.compile(r"(%\}|\}\})[:;,](?=\s*(\{\{|[\u4e00-\u9fff]))|[\u4e00-\u9fff][:;,?!]|[:;,?!(]\s*\{\{ *_\(")
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in beside.finditer(text)]
    assert offenders == []



def test_templates_write_chinese_only_through_messages():
    """An English page shows whatever a template writes outside `_()` as it is: a literal ：（）、 there
    reaches English readers. Allowed: the language switch's 中文, and 《》 around a plan's (Chinese) title."""
    allowed = {"中文", "《", "》"}
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)  # expressions and tags: their strings are code
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}"
                      for m in re.finditer(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", text)
                      if m.group(0) not in allowed]
    assert offenders == []


def test_no_message_is_in_the_catalogue_twice():
    """Babel reads a repeated msgid without a word and keeps one of its translations."""
    ids = re.findall(r'^msgid "(.+)"$', PO.read_text(encoding="utf-8"), flags=re.M)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
