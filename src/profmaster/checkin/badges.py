"""Accreditation badges as PDF (OP-7): name, category, competency, the code and its QR code.

The QR code holds the badge's link (``/checkin/b/<code>/`` on ``SITE_URL``, :mod:`profmaster.core.links`), so
the venue's device camera or any phone reads it; the code printed beside it can be typed instead. Rendered
by WeasyPrint with the bundled fonts, fed with plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import qrcode
from django.template.loader import render_to_string
from django.urls import reverse
from qrcode.image.svg import SvgPathImage

from profmaster.core.links import absolute_url
from profmaster.documents.rendering import font_dir, html_to_pdf

from .models import Accreditation


def badge_url(code: str) -> str:
    return absolute_url(reverse("checkin:badge_link", args=[code]))


def qr_svg(data: str) -> str:
    """The QR code as inline SVG: WeasyPrint draws it without fetching anything (its fetcher loads only the
    bundled fonts)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2, mask_pattern=0,
                         image_factory=SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    return svg[svg.index("<svg"):].replace(' id="qr-path"', "")  # many badges on one page: no duplicate ids


def badge_data(accreditation: Accreditation) -> dict[str, Any]:
    url = badge_url(accreditation.code)
    return {"name": accreditation.full_name, "kind": str(accreditation.get_kind_display()),
            "organisation": accreditation.organisation, "competency": accreditation.competency.name,
            "championship": accreditation.championship.name, "code": accreditation.display_code, "url": url,
            "qr": qr_svg(url), "revoked": accreditation.revoked_at is not None,
            "days": (f"{accreditation.valid_from:%d.%m.%Y}–{accreditation.valid_to:%d.%m.%Y}"
                     if accreditation.valid_from and accreditation.valid_to else "")}


def badges_pdf(accreditations: Iterable[Accreditation]) -> bytes:
    fonts = font_dir()
    html = render_to_string("checkin/badges_pdf.html", {
        "badges": [badge_data(a) for a in accreditations],
        "fonts": {"regular": (fonts / "DejaVuSans.ttf").as_uri(), "bold": (fonts / "DejaVuSans-Bold.ttf").as_uri()},
    })
    return html_to_pdf(html)
