"""Pure helpers: content hashing (DOC-2) and the layout of payloads (DOC-3). No database."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from profmaster.documents.content import (
    is_text_document,
    payload_blocks,
    payload_to_text,
    text_to_payload,
)
from profmaster.documents.hashing import canonical_json, content_hash, pdf_version, short_hash

json_scalars = st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=12)


def test_doc2_hash_is_sha256_of_canonical_json():
    data = {"b": 1, "a": "Кондитерское дело"}
    expected = hashlib.sha256(
        '{"data":{"a":"Кондитерское дело","b":1},"doc_type":"other","title":"Протокол"}'.encode()).hexdigest()
    assert content_hash("Протокол", "other", data) == expected
    assert canonical_json({"ё": [1, 2]}) == '{"ё":[1,2]}'


def test_doc2_hash_ignores_key_order_but_not_content():
    base = content_hash("Протокол", "other", {"a": 1, "b": [1, 2]})
    assert content_hash("Протокол", "other", {"b": [1, 2], "a": 1}) == base
    assert content_hash("Протокол ", "other", {"a": 1, "b": [1, 2]}) != base
    assert content_hash("Протокол", "unlock", {"a": 1, "b": [1, 2]}) != base
    assert content_hash("Протокол", "other", {"a": 1, "b": [2, 1]}) != base
    assert content_hash("Протокол", "other", {"a": "1", "b": [1, 2]}) != base
    assert len(base) == 64


@given(title=st.text(max_size=30), data=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_doc2_hash_deterministic_property(title, data):
    reordered = dict(reversed(list(data.items())))
    assert content_hash(title, "other", data) == content_hash(title, "other", reordered)


def test_doc3_pdf_version_lists_sorted_signature_ids():
    assert pdf_version("ab" * 32, [12, 3, 3]) == "ab" * 32 + ":3,12"
    assert pdf_version("ab" * 32, []) == "ab" * 32 + ":"
    assert short_hash("0123456789abcdef0123") == "0123456789abcdef"


def test_doc3_typed_text_splits_into_sections_and_back():
    text = "Вступление.\n\n## Состав жюри\nИванов, Петров\n## Решение\nУтвердить."
    payload = text_to_payload(text)
    assert payload == {"text": "Вступление.", "sections": [
        {"heading": "Состав жюри", "text": "Иванов, Петров"}, {"heading": "Решение", "text": "Утвердить."}]}
    assert is_text_document(payload)
    assert text_to_payload(payload_to_text(payload)) == payload
    assert text_to_payload("Просто текст\r\nв две строки") == {"text": "Просто текст\nв две строки"}


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=200))
def test_doc3_text_payload_roundtrip_property(text):
    payload = text_to_payload(text)
    assert text_to_payload(payload_to_text(payload)) == payload


def test_doc3_payload_blocks_follow_value_shapes():
    data = {
        "text": "Вступление",
        "sections": [{"heading": "Итоги", "text": "Всё хорошо"}],
        "jury_members": [{"name": "Иванов", "role": "эксперт"}, {"name": "Петров", "score": 7}],
        "venue": {"address": "Москва", "accepted": True},
        "notes": ["первое", None],
    }
    assert payload_blocks(data) == [
        {"kind": "text", "heading": "", "text": "Вступление"},
        {"kind": "text", "heading": "Итоги", "text": "Всё хорошо"},
        {"kind": "table", "heading": "Jury members", "columns": ["Name", "Role", "Score"],
         "rows": [["Иванов", "эксперт", ""], ["Петров", "", "7"]]},
        {"kind": "pairs", "heading": "Venue", "pairs": [("Address", "Москва"), ("Accepted", "да")]},
        {"kind": "list", "heading": "Notes", "items": ["первое", "—"]},
    ]
    assert not is_text_document(data)
