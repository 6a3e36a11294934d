"""The shape of a document's data payload, free of Django.

Documents typed in by people are stored as ``{"text": "...", "sections": [{"heading": ..., "text": ...}]}``;
documents produced by other apps (protocols, score sheets) carry arbitrary JSON objects. This
module converts between the typed text and the payload, and lays any payload out as blocks
(headed text, key–value tables, tables of rows, lists) for the generic PDF and page templates.
"""

from __future__ import annotations

import json
from typing import Any

SECTION_MARK = "## "
#: Keys with a fixed meaning in a typed-in document; every other key becomes its own block.
TEXT_KEY = "text"
SECTIONS_KEY = "sections"


def text_to_payload(text: str) -> dict[str, Any]:
    """Split typed text into the introduction and sections started by lines beginning with ``## ``."""
    intro: list[str] = []
    sections: list[dict[str, Any]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith(SECTION_MARK) and line[len(SECTION_MARK):].strip():
            sections.append({"heading": line[len(SECTION_MARK):].strip(), "lines": []})
        elif sections:
            sections[-1]["lines"].append(line)
        else:
            intro.append(line)
    payload: dict[str, Any] = {TEXT_KEY: "\n".join(intro).strip()}
    if sections:
        payload[SECTIONS_KEY] = [
            {"heading": s["heading"], "text": "\n".join(s["lines"]).strip()} for s in sections
        ]
    return payload


def payload_to_text(data: dict[str, Any]) -> str:
    """The inverse of :func:`text_to_payload` for typed-in documents (used to prefill the edit form)."""
    parts: list[str] = []
    text = data.get(TEXT_KEY)
    if isinstance(text, str) and text:
        parts.append(text)
    sections = data.get(SECTIONS_KEY)
    if isinstance(sections, list):
        for section in sections:
            if isinstance(section, dict):
                heading = str(section.get("heading", "")).strip()
                body = str(section.get("text", "")).strip()
                parts.append(f"{SECTION_MARK}{heading}\n{body}".rstrip())
    return "\n\n".join(parts)


def is_text_document(data: dict[str, Any]) -> bool:
    """Whether the payload is the typed-in shape, so it can be edited as text without losing anything."""
    if not set(data) <= {TEXT_KEY, SECTIONS_KEY} or not isinstance(data.get(TEXT_KEY, ""), str):
        return False
    sections = data.get(SECTIONS_KEY, [])
    return isinstance(sections, list) and all(
        isinstance(s, dict) and set(s) <= {"heading", "text"}
        and isinstance(s.get("heading", ""), str) and isinstance(s.get("text", ""), str)
        for s in sections
    )


def humanize_key(key: str) -> str:
    """``"jury_members"`` → ``"Jury members"``; Russian keys stay as they are apart from the capital."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


def scalar_text(value: Any) -> str:
    """A scalar as a person reads it (booleans in Russian, nested values as compact JSON)."""
    if value is None:
        return "—"
    if value is True:
        return "да"
    if value is False:
        return "нет"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def value_block(heading: str, value: Any) -> dict[str, Any]:
    """One block of the layout for a value under a heading."""
    if isinstance(value, str):
        return {"kind": "text", "heading": heading, "text": value}
    if isinstance(value, dict):
        return {"kind": "pairs", "heading": heading,
                "pairs": [(humanize_key(k), scalar_text(v)) for k, v in value.items()]}
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        columns: list[str] = []
        for item in value:
            for key in item:
                if key not in columns:
                    columns.append(key)
        return {"kind": "table", "heading": heading, "columns": [humanize_key(c) for c in columns],
                "rows": [[scalar_text(item.get(c, "")) if c in item else "" for c in columns] for item in value]}
    if isinstance(value, list):
        return {"kind": "list", "heading": heading, "items": [scalar_text(item) for item in value]}
    return {"kind": "text", "heading": heading, "text": scalar_text(value)}


def payload_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Lay a payload out as blocks, in its own key order: the typed text first, then its sections,
    then every other key as a headed block chosen by the value's shape."""
    blocks: list[dict[str, Any]] = []
    text = data.get(TEXT_KEY)
    if isinstance(text, str):
        if text.strip():
            blocks.append({"kind": "text", "heading": "", "text": text})
    elif TEXT_KEY in data:
        blocks.append(value_block(humanize_key(TEXT_KEY), text))
    sections = data.get(SECTIONS_KEY)
    if isinstance(sections, list) and all(isinstance(s, dict) and "heading" in s for s in sections):
        for section in sections:
            blocks.append(value_block(scalar_text(section.get("heading")), section.get("text", "")))
    elif SECTIONS_KEY in data:
        blocks.append(value_block(humanize_key(SECTIONS_KEY), sections))
    for key, value in data.items():
        if key in {TEXT_KEY, SECTIONS_KEY}:
            continue
        blocks.append(value_block(humanize_key(key), value))
    return blocks
