"""X-2 / DOC-2 (issue 13 §5, «one canonical-JSON function shared by documents and the ledger»): the one
canonical JSON of :mod:`profmaster.core.canonical` gives exactly the bytes both former implementations
gave, so every stored document hash and ledger hash still verifies."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.core import canonical
from profmaster.documents import hashing
from profmaster.marking import ledger


def _former_documents(value):  # documents/hashing.py before issue 13
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _former_ledger_hash(prev_hash, fields):  # marking/ledger.py before issue 13
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20)

ledger_fields = st.fixed_dictionaries({
    "scheme": st.integers(1, 10**6), "seq": st.integers(1, 10**6), "kind": st.sampled_from(["mark", "check", "resolve"]),
    "aspect": st.integers(1, 10**6), "team": st.integers(1, 10**6), "expert": st.none() | st.integers(1, 10**6),
    "old": st.none() | st.integers(0, 99), "new": st.none() | st.integers(0, 99), "reason": st.text(),
    "by": st.integers(1, 10**6),
    "at": st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat())})


@given(json_values)
def test_x2_canonical_json_is_byte_identical_to_the_former_documents_one(value):
    assert canonical.canonical_json(value) == _former_documents(value)
    assert hashing.canonical_json is canonical.canonical_json


@given(st.text(min_size=64, max_size=64, alphabet="0123456789abcdef"), ledger_fields)
def test_x2_ledger_hash_is_identical_to_the_former_ledger_one(prev_hash, fields):
    assert ledger.entry_hash(prev_hash, fields) == _former_ledger_hash(prev_hash, fields)


@given(st.dictionaries(st.text(), json_values, max_size=5))
def test_x2_canonical_json_does_not_depend_on_key_order(value):
    reordered = dict(reversed(list(value.items())))
    assert canonical.canonical_json(reordered) == canonical.canonical_json(value)
    assert json.loads(canonical.canonical_json(value)) == value


def test_x2_canonical_json_exact_text_and_refusals():
    assert canonical.canonical_json({"б": [1, 2.5, None], "а": "ё"}) == '{"а":"ё","б":[1,2.5,null]}'
    with pytest.raises(ValueError):
        canonical.canonical_json(math.nan)
    with pytest.raises(TypeError):
        canonical.canonical_json(decimal.Decimal("1.5"))
    assert canonical.canonical_json([decimal.Decimal("1.50")], default=str) == '["1.50"]'


def test_x2_stored_hashes_stay_the_same():
    """Pinned values computed with the implementations before issue 13."""
    assert hashing.content_hash("Протокол", "free", {"text": "Ёлка"}) == hashlib.sha256(
        '{"data":{"text":"Ёлка"},"doc_type":"free","title":"Протокол"}'.encode()).hexdigest()
    fields = {"scheme": 1, "seq": 1, "kind": "mark", "aspect": 2, "team": 3, "expert": None, "old": None, "new": 2,
              "reason": "опечатка", "by": 4, "at": "2026-12-02T10:00:00+00:00"}
    assert ledger.entry_hash(ledger.GENESIS, fields) == _former_ledger_hash(ledger.GENESIS, fields)
    assert ledger.entry_hash(ledger.GENESIS, fields) == canonical.chain_hash(ledger.GENESIS, fields)


def test_x2_verify_chain_reports_each_break():
    first = {"n": 1}
    h1 = canonical.chain_hash(canonical.GENESIS, first)
    h2 = canonical.chain_hash(h1, {"n": 2})
    assert canonical.verify_chain([(1, canonical.GENESIS, h1, first), (2, h1, h2, {"n": 2})]) == []
    problems = canonical.verify_chain([(1, canonical.GENESIS, h1, first), (3, h1, h2, {"n": 3})])
    assert [p.message for p in problems] == ["entry #3 where #2 was expected (entry missing)",
                                             "entry #3 was altered after it was written"]
