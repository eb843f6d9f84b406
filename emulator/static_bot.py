"""Files the scripted bot links to or sends, built in code and served by the emulator itself.

A client renders card images and downloads attachments for real, and a demo or a test must
never reach outside 127.0.0.1, so nothing here points elsewhere: the logo and the card images
are plain routes (`/static-bot/...`); the photo and the PDF are sent as attachments and so are
downloaded through the signed, expiring `/uploads/...` links (attachments.bot_file).
"""
import functools
import math
import struct
import zlib

from starlette.responses import PlainTextResponse, Response

LOGO_PATH = "/static-bot/logo.png"
CARD_IMAGE_PATH = "/static-bot/cards/{name}.png"


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png_from_rows(width, height, rows):
    """An 8-bit RGB PNG from `height` rows of `width * 3` bytes each."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    data = b"".join(b"\x00" + bytes(row) for row in rows)  # filter 0 per row
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(data, 9))
            + _chunk(b"IEND", b""))


def _png(width, height, pixel):
    """An RGB PNG of one colour; enough for a renderer to decode and show."""
    return _png_from_rows(width, height, [pixel * width] * height)


def _paint(width, height, background, shapes):
    """Rows of a picture: `background(y)` gives a row's colour, then each (colour, span) in
    `shapes` paints the pixels `span(y)` returns ((x0, x1) or None) over it, in order."""
    rows = []
    for y in range(height):
        row = bytearray(background(y) * width)
        for colour, span in shapes:
            covered = span(y)
            if covered:
                x0, x1 = max(0, int(covered[0])), min(width, int(math.ceil(covered[1])))
                if x1 > x0:
                    row[x0 * 3:x1 * 3] = colour * (x1 - x0)
        rows.append(row)
    return rows


def _circle(cx, cy, r):
    def span(y):
        dy = y + 0.5 - cy
        if abs(dy) >= r:
            return None
        dx = math.sqrt(r * r - dy * dy)
        return cx - dx, cx + dx
    return span


def _square(cx, cy, r):
    return lambda y: (cx - r, cx + r) if abs(y + 0.5 - cy) < r else None


def _triangle(cx, top, bottom, half_base):
    """Pointing up: apex at (cx, top), base from cx - half_base to cx + half_base at `bottom`."""
    def span(y):
        if not top <= y < bottom:
            return None
        half = half_base * (y + 0.5 - top) / (bottom - top)
        return cx - half, cx + half
    return span


def _diamond(cx, cy, r):
    def span(y):
        half = r - abs(y + 0.5 - cy)
        return (cx - half, cx + half) if half > 0 else None
    return span


LOGO_PNG = _png(16, 16, b"\xff\x4f\x1f")  # the demo deployment's primary colour

# Card and carousel images: 320x180, a different colour and shape each, so a tester sees at a
# glance that each card shows its own picture.
CARD_W, CARD_H = 320, 180
_CARD_SHAPES = {
    "product": (b"\x1f\x8a\x70", b"\xf4\xf1\xe8", _circle(160, 90, 60)),
    "basic": (b"\x3a\x5a\x8c", b"\xf4\xf1\xe8", _square(160, 90, 52)),
    "plus": (b"\xff\x4f\x1f", b"\xf4\xf1\xe8", _triangle(160, 30, 150, 70)),
    "pro": (b"\x5b\x2a\x86", b"\xf2\xc1\x4e", _diamond(160, 90, 70)),
}
CARD_IMAGES = sorted(_CARD_SHAPES)


@functools.lru_cache(maxsize=None)
def card_png(name):
    background, colour, shape = _CARD_SHAPES[name]
    return _png_from_rows(CARD_W, CARD_H, _paint(CARD_W, CARD_H, lambda y: background, [(colour, shape)]))


def card_image_url(base, name):
    return base + CARD_IMAGE_PATH.format(name=name)


# The "picture" attachment: a 400x300 landscape (sky gradient, sun, two hills).
PHOTO_W, PHOTO_H = 400, 300
PHOTO_NAME = "demo-photo.png"


def _sky(y):
    t = y / (PHOTO_H - 1)
    return bytes((int(90 + 120 * t), int(160 + 70 * t), int(235 - 15 * t)))


@functools.lru_cache(maxsize=None)
def photo_png():
    shapes = [
        (b"\xff\xd2\x3f", _circle(300, 80, 38)),
        (b"\x4f\x8f\x3a", _triangle(110, 120, 300, 260)),
        (b"\x2f\x6f\x2a", _triangle(300, 160, 300, 220)),
        (b"\x3c\x5a\x2a", lambda y: (0, PHOTO_W) if y >= 270 else None),
    ]
    return _png_from_rows(PHOTO_W, PHOTO_H, _paint(PHOTO_W, PHOTO_H, _sky, shapes))


# The "pdf" attachment: a one-page PDF 1.4 with a title, two lines of text and a coloured bar.
PDF_NAME = "demo-document.pdf"


def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def _pdf(title, lines):
    stream = [b"0.12 0.54 0.44 rg 72 742 451 6 re f", b"BT /F1 24 Tf 72 700 Td (" + _pdf_text(title) + b") Tj ET"]
    for number, line in enumerate(lines):
        stream.append(b"BT /F1 12 Tf 72 %d Td (" % (664 - 18 * number) + _pdf_text(line) + b") Tj ET")
    content = b"\n".join(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = _pdf("Demo document", ["A small PDF the emulator's demo bot sends as an attachment.",
                             "Its download link expires like any other; getAttachment renews it."])


async def logo(request):
    return Response(LOGO_PNG, media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})


async def card_image(request):
    name = request.path_params["name"]
    if name not in _CARD_SHAPES:
        return PlainTextResponse("Not Found", status_code=404)
    return Response(card_png(name), media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})
