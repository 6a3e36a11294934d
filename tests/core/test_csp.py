"""X-5 (issue 13 §6, CSP): a Content-Security-Policy with no inline script and no eval.

Every script is a static file; data and translated strings reach it through ``json_script``. The
template scan below fails on any inline ``<script>`` (also a hand-written JSON block: translations
pasted into it were not escaped), any ``on…=`` handler, ``javascript:`` URL, ``hx-on`` or ``<style>``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

import profmaster

TEMPLATE_ROOT = Path(profmaster.__file__).parent


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("accounts:login"), "/api/v1/championships"])
def test_x5_csp_header_forbids_inline_script_and_eval(client, url):
    directives = _policy(client.get(url))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    for name in ("script-src", "default-src", "script-src-elem", "script-src-attr"):
        assert "'unsafe-inline'" not in directives.get(name, [])
        assert "'unsafe-eval'" not in directives.get(name, [])


def _web_templates() -> list[Path]:
    """Templates a browser renders (the PDF templates go to WeasyPrint, which runs no script)."""
    found = []
    for path in sorted(TEMPLATE_ROOT.glob("*/templates/**/*.html")):
        if "/pdf/" in path.as_posix() or path.name.endswith("_pdf.html"):
            continue
        found.append(path)
    return found


SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
FORBIDDEN = [
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
    (re.compile(r"\shx-on[:-]", re.IGNORECASE), "hx-on handler (evaluated code)"),
    (re.compile(r"<style\b", re.IGNORECASE), "inline <style>"),
    (re.compile(r"""hx-(vals|vars)\s*=\s*["']\s*js:""", re.IGNORECASE), "htmx js: expression"),
]


def inline_script_problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    for tag in SCRIPT_TAG.findall(text):
        if not re.search(r"\ssrc\s*=", tag):
            problems.append(f"inline script {tag}")
    problems += [f"inline handler {m.group(0).strip()}" for m in HANDLER.finditer(text)]
    for pattern, what in FORBIDDEN:
        if pattern.search(text):
            problems.append(what)
    return problems


def test_x5_no_template_has_an_inline_script_or_handler():
    templates = _web_templates()
    names = {p.relative_to(TEMPLATE_ROOT).as_posix() for p in templates}
    assert len(templates) > 60 and {  # the scan really reads the project's templates
        "core/templates/base.html", "exams/templates/exams/attempt.html", "exams/templates/exams/statistics.html",
        "marking/templates/marking/entry.html", "results/templates/results/championship.html"} <= names
    problems = {str(p.relative_to(TEMPLATE_ROOT)): found for p in templates if (found := inline_script_problems(p))}
    assert problems == {}


def test_x5_template_scan_catches_what_it_forbids(tmp_path):
    sample = tmp_path / "bad.html"
    sample.write_text(
        '<script src="/static/ok.js"></script><script>alert(1)</script>'
        '<script type="application/json" id="m">{"a": "{% translate \'x\' %}"}</script>'
        '<select onchange="this.form.submit()"></select><a href="javascript:void(0)">x</a>'
        '<div hx-on:click="go()"></div><style>p{}</style>', encoding="utf-8")
    assert inline_script_problems(sample) == [
        "inline script <script>", 'inline script <script type="application/json" id="m">',
        'inline handler onchange="', "javascript: URL", "hx-on handler (evaluated code)", "inline <style>"]


def test_x5_json_data_escapes_translated_strings_for_scripts():
    text = Template('{% load page_data %}{% json_data "msg" a=_("Сохранено") b=quote %}').render(
        Context({"quote": 'Он сказал "нет" </script><script>alert(1)</script>'}))
    opening, body = text.removesuffix("</script>").split(">", 1)
    assert opening == '<script id="msg" type="application/json"'
    assert "<" not in body and ">" not in body  # nothing can close the block or open another
    assert json.loads(body) == {"a": "Сохранено", "b": 'Он сказал "нет" </script><script>alert(1)</script>'}


@pytest.mark.django_db
def test_x5_htmx_is_told_not_to_inject_styles_or_eval(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>""" in page
    css = (TEMPLATE_ROOT / "core/static/profmaster/app.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css
