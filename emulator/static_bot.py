"""Files the scripted bot links to, served by the emulator itself (`/static-bot/...`).

The bot's outbound Attachment must point at something a client can really fetch, and the
emulator has no files on disk to ship, so the logo is a PNG built in code.
"""
import struct
import zlib

from starlette.responses import Response

LOGO_PATH = "/static-bot/logo.png"


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width, height, pixel):
    """An RGB PNG of one colour; enough for a renderer to decode and show."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))  # filter 0 per row
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


LOGO_PNG = _png(16, 16, b"\xff\x4f\x1f")  # the demo deployment's primary colour


async def logo(request):
    return Response(LOGO_PNG, media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})
