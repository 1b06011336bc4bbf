"""Visible appearance of signatures, per Decree 30/2020/NĐ-CP Appendix I (digital signatures on
electronic documents): the signer's signature is shown by its image at the signature place;
the agency's signature is a red seal image that covers about a third of the signer's image, on
its left. Images are drawn with Pillow and the DejaVu fonts (Vietnamese needs a Unicode font).
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.stamp import StaticStampStyle

Box = tuple[float, float, float, float]


# Signature place: bottom right of the page, where Decree 30 Appendix I puts the signer's
# position, signature and name (points; A4 is 595 × 842).
SIGNATURE_SIZE = (200.0, 80.0)
SIGNATURE_MARGIN = (48.0, 72.0)  # from the right edge, from the bottom edge
SEAL_SIZE = 78.0
SEAL_RED = (218, 37, 29)


def _font_path(file_name: str) -> str:
    return str(Path(settings.CQS_PDF_FONT_DIR) / file_name)


def signature_box(page_width: float) -> Box:
    width, height = SIGNATURE_SIZE
    right, bottom = SIGNATURE_MARGIN
    x2 = page_width - right
    return (x2 - width, bottom, x2, bottom + height)


def seal_box(signature: Box) -> Box:
    """The seal overlaps the left third of the signer's image (Decree 30, Appendix I)."""
    x1, y1, x2, y2 = signature
    overlap_right = x1 + (x2 - x1) / 3
    middle = (y1 + y2) / 2
    return (
        overlap_right - SEAL_SIZE,
        middle - SEAL_SIZE / 2,
        overlap_right,
        middle + SEAL_SIZE / 2,
    )


@lru_cache(maxsize=256)
def signature_image(full_name: str) -> Image.Image:
    """A handwriting-like rendering of the signer's name, dark blue on transparent."""
    img = Image.new("RGBA", (400, 110), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    font = _font("DejaVuSans-Oblique.ttf", 40)
    given = full_name.rsplit(maxsplit=1)[-1] if full_name.split() else full_name
    ink = (20, 40, 140, 255)
    draw.text((28, 18), given, font=font, fill=ink)
    # a flourish under the name
    points = [(20 + i * 6, 80 + 8 * math.sin(i / 3.0)) for i in range(58)]
    draw.line(points, fill=ink, width=3)
    return img


@lru_cache(maxsize=256)
def seal_image(agency_name: str) -> Image.Image:
    """A red round seal with the agency's name, transparent around it."""
    size = 400
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    red = (*SEAL_RED, 235)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    draw.ellipse((44, 44, size - 44, size - 44), outline=red, width=5)
    # five-pointed star in the centre, as on Vietnamese state seals
    cx, cy, r_out, r_in = size / 2, size / 2 - 20, 46, 19
    star = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        angle = -math.pi / 2 + i * math.pi / 5
        star.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(star, fill=red)
    font = _font("DejaVuSans-Bold.ttf", 26)
    lines = _wrap(agency_name.upper(), 18)[:3]
    y = size / 2 + 36
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((size - width) / 2, y), line, font=font, fill=red)
        y += 32
    return img


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def _text_image(lines: list[str], size: tuple[int, int], *, border: bool) -> Image.Image:
    img = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    font = _font("DejaVuSans.ttf", 22)
    y = 8
    for line in lines:
        draw.text((10, y), line, font=font, fill=(0, 0, 0, 255))
        y += 28
    if border:
        draw.rectangle((1, 1, size[0] - 2, size[1] - 2), outline=(20, 40, 140, 255), width=3)
    return img


@lru_cache(maxsize=8)
def _font(file_name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(file_name), size)


def _static(img: Image.Image) -> StaticStampStyle:
    # Text is drawn into the image with Pillow: embedding and subsetting a TrueType font for
    # each signature costs ~400 ms, the image a few.
    return StaticStampStyle(
        background=PdfImage(img),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=0, right=0, top=0, bottom=0),
        ),
    )


@lru_cache(maxsize=256)
def _personal_base(full_name: str, organization: str) -> Image.Image:
    img = Image.new("RGBA", (500, 200), (255, 255, 255, 0))
    img.alpha_composite(signature_image(full_name).resize((300, 82)), (170, 0))
    text = _text_image(
        [f"Ký bởi: {full_name}", _shorten(organization, 40)], (500, 64), border=False
    )
    img.alpha_composite(text, (0, 90))
    return img


def personal_image(full_name: str, organization: str, when: datetime) -> Image.Image:
    """Signature image above the signer's name, organisation and signing time."""
    img = _personal_base(full_name, organization).copy()
    ImageDraw.Draw(img).text(
        (10, 154),
        f"Thời gian ký: {when:%H:%M:%S %d/%m/%Y}",
        font=_font("DejaVuSans.ttf", 22),
        fill=(0, 0, 0, 255),
    )
    return img


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def personal_style(full_name: str, organization: str, when: datetime) -> StaticStampStyle:
    return _static(personal_image(full_name, organization, when))


def seal_style(agency_name: str) -> StaticStampStyle:
    return _static(seal_image(agency_name))


def system_style(agency_name: str, when: datetime) -> StaticStampStyle:
    """Automatic agency signature on receipts: agency and time in a framed box."""
    return _static(
        _text_image(
            [f"Ký số bởi: {_shorten(agency_name, 34)}", f"Thời gian ký: {when:%H:%M:%S %d/%m/%Y}"],
            (460, 70),
            border=True,
        )
    )
