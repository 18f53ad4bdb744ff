"""Hostile uploads built in memory: page-tree and decompression bombs, oversized pages, damaged
TIFFs, tiny images, polyglots, odd file names. Each is a few bytes to ~1 MB; the costly ones
are cached, so a test suite pays for each once.

PDFs are written object by object (`pdf_from_objects`) because no PDF library will write a
file this broken on purpose.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Iterator

import pytest

from PIL import Image

from tests.support.documents import born_digital_pdf

# -- PDF -------------------------------------------------------------------------------------


def pdf_from_objects(objects: dict[int, bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF 1.7 file with these objects (number → body between `obj` and `endobj`) and an xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    offsets = [0] * size
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % size + b"0000000000 65535 f \n"
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in objects else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer_extra, xref)
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _catalog_and_page(kids_of_pages: bytes, count: int) -> dict[int, bytes]:
    return {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [" + kids_of_pages + b"] /Count %d >>" % count}


def _page(parent: int, *, media_box: bytes = b"[0 0 595 842]", extra: bytes = b"") -> bytes:
    return b"<< /Type /Page /Parent %d 0 R /MediaBox " % parent + media_box + b" " + extra + b">>"


def pdf_deep_page_tree(levels: int = 150) -> bytes:
    """One page under `levels` nested /Pages nodes (real files are a few levels deep)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for n in range(2, levels + 2):
        objects[n] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (n + 1)
    objects[levels + 2] = _page(levels + 1)
    return pdf_from_objects(objects)


def pdf_wide_kids(entries: int = 150_000) -> bytes:
    """One /Kids array of `entries` references (to the same page)."""
    objects = _catalog_and_page(b"3 0 R " * entries, entries)
    objects[3] = _page(2)
    return pdf_from_objects(objects)


def pdf_page_count_bomb(levels: int = 40) -> bytes:
    """2**levels leaves from levels + 2 objects: each node lists the next one twice."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for i, n in enumerate(range(2, levels + 2)):
        objects[n] = b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>" % (n + 1, n + 1, 2 ** (levels - i))
    objects[levels + 2] = _page(levels + 1)
    return pdf_from_objects(objects)


def pdf_cyclic_page_tree() -> bytes:
    """A /Pages node that lists itself."""
    objects = _catalog_and_page(b"2 0 R 3 0 R", 2)
    objects[3] = _page(2)
    return pdf_from_objects(objects)


def pdf_no_pages() -> bytes:
    return pdf_from_objects(_catalog_and_page(b"", 0))


def pdf_missing_root() -> bytes:
    """A trailer whose /Root points at an object that does not exist."""
    return pdf_from_objects({2: b"<< /Type /Pages /Kids [] /Count 0 >>"}, root=9)


def pdf_with_page(media_box: bytes = b"[0 0 595 842]", *, content: bytes = b"", resources: bytes = b"<< >>",
                  more: dict[int, bytes] | None = None) -> bytes:
    """One page; object 4 is its content stream (given raw, already encoded), 5… are `more`."""
    objects = _catalog_and_page(b"3 0 R", 1)
    objects[3] = _page(2, media_box=media_box, extra=b"/Resources " + resources + b" /Contents 4 0 R ")
    objects[4] = content or stream(b"", b"q Q")
    objects.update(more or {})
    return pdf_from_objects(objects)


def pdf_huge_page(inches: int = 50) -> bytes:
    """A blank page `inches` inches square: at 300 dpi, (300 × inches)² pixels (225 Mpx for 50)."""
    side = b"%d" % (72 * inches)
    return pdf_with_page(b"[0 0 " + side + b" " + side + b"]")


def pdf_tiny_page() -> bytes:
    """A 1 × 1 pt page: 4 × 4 pixels at 300 dpi."""
    return pdf_with_page(b"[0 0 1 1]")


def pdf_absurd_aspect_page() -> bytes:
    """A 2 pt wide, 14,400 pt (200 in) tall strip: small at 300 dpi, billions of pixels at 1,000 px wide."""
    return pdf_with_page(b"[0 0 2 14400]")


def pdf_nan_media_box() -> bytes:
    return pdf_with_page(b"[0 0 (a) /B]")


@functools.lru_cache(maxsize=None)
def deflate_bomb(expanded: int = 1 << 30, chunk: int = 1 << 20) -> bytes:
    """zlib data of `expanded` spaces (~1 MB for 1 GiB), built without compressing a GiB.

    After a full flush the deflate state restarts, so every further chunk compresses to the
    same block: the first chunk, that block repeated, the final block, then the Adler-32
    of the whole.
    """
    data = b" " * chunk
    c = zlib.compressobj(9)
    first = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    final = c.flush(zlib.Z_FINISH)[:-4]  # the empty last block; its checksum covers only two chunks
    adler = 1
    for _ in range(expanded // chunk):
        adler = zlib.adler32(data, adler)
    return first + block * (expanded // chunk - 1) + final + struct.pack(">I", adler)


@functools.lru_cache(maxsize=None)
def pdf_flate_bomb(expanded: int = 1 << 30) -> bytes:
    """A page whose ~1 MB FlateDecode content stream inflates to `expanded` bytes (1 GiB)."""
    return pdf_with_page(content=stream(b"/Filter /FlateDecode", deflate_bomb(expanded)))


@functools.lru_cache(maxsize=None)
def pdf_form_flate_bomb(expanded: int = 1 << 30) -> bytes:
    """The same bomb one level down: in a form XObject the page draws."""
    form = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode", deflate_bomb(expanded))
    return pdf_with_page(content=stream(b"", b"/F1 Do"), resources=b"<< /XObject << /F1 5 0 R >> >>",
                         more={5: form})


# Bombs in the other streams a page reaches. Each may be "disguised": its dictionary says
# /Subtype /Image (which only an image XObject's may mean), a reader that trusts a stream's own
# label would skip it — pdfium still loads it as a font, a CMap, a profile or an appearance.
_LABEL = b"/Subtype /Image /Width 1 /Height 1 "


def _bomb_stream(extra: bytes = b"", *, disguised: bool = False, expanded: int = 1 << 30) -> bytes:
    return stream((_LABEL if disguised else b"") + extra + b"/Filter /FlateDecode", deflate_bomb(expanded))


_TEXT = stream(b"", b"BT /F1 12 Tf 72 720 Td (Ho so) Tj ET")


@functools.lru_cache(maxsize=None)
def pdf_font_file_bomb(key: bytes = b"/FontFile2", *, disguised: bool = False) -> bytes:
    """A TrueType (FontFile2) or CFF (FontFile3) font program that inflates to 1 GiB."""
    font = (b"<< /Type /Font /Subtype /TrueType /BaseFont /Dep /FirstChar 32 /LastChar 126 "
            b"/Widths [" + b"500 " * 95 + b"] /FontDescriptor 6 0 R >>")
    descriptor = (b"<< /Type /FontDescriptor /FontName /Dep /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
                  b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 " + key + b" 7 0 R >>")
    program = _bomb_stream(b"/Subtype /Type1C " if key == b"/FontFile3" and not disguised else b"",
                           disguised=disguised)
    return pdf_with_page(content=_TEXT, resources=b"<< /Font << /F1 5 0 R >> >>",
                         more={5: font, 6: descriptor, 7: program})


@functools.lru_cache(maxsize=None)
def pdf_to_unicode_bomb(*, disguised: bool = False) -> bytes:
    """A font's ToUnicode CMap that inflates to 1 GiB (text extraction reads it)."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 5 0 R >>"
    return pdf_with_page(content=_TEXT, resources=b"<< /Font << /F1 6 0 R >> >>",
                         more={5: _bomb_stream(disguised=disguised), 6: font})


@functools.lru_cache(maxsize=None)
def pdf_pattern_bomb(*, disguised: bool = False) -> bytes:
    """A tiling pattern whose cell (a content stream) inflates to 1 GiB."""
    pattern = _bomb_stream(b"/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 10 10] /XStep 10 /YStep 10 "
                           b"/Resources << >> ", disguised=disguised)
    return pdf_with_page(content=stream(b"", b"/Pattern cs /P1 scn 0 0 595 842 re f"),
                         resources=b"<< /Pattern << /P1 5 0 R >> >>", more={5: pattern})


@functools.lru_cache(maxsize=None)
def pdf_annotation_appearance_bomb(*, disguised: bool = False) -> bytes:
    """An annotation whose normal appearance (a form XObject) inflates to 1 GiB."""
    objects = _catalog_and_page(b"3 0 R", 1)
    objects[3] = _page(2, extra=b"/Resources << >> /Contents 4 0 R /Annots [5 0 R] ")
    objects[4] = stream(b"", b"q Q")
    objects[5] = b"<< /Type /Annot /Subtype /Square /Rect [100 100 200 200] /AP << /N 6 0 R >> >>"
    objects[6] = _bomb_stream(b"/Type /XObject /BBox [0 0 100 100] " if not disguised else b"", disguised=disguised)
    return pdf_from_objects(objects)


@functools.lru_cache(maxsize=None)
def pdf_icc_profile_bomb(*, disguised: bool = False) -> bytes:
    """An ICCBased colour space whose profile inflates to 1 GiB."""
    return pdf_with_page(content=stream(b"", b"/CS0 cs 0.5 sc 0 0 595 842 re f"),
                         resources=b"<< /ColorSpace << /CS0 [/ICCBased 5 0 R] >> >>",
                         more={5: _bomb_stream(b"/N 1 ", disguised=disguised)})


@functools.lru_cache(maxsize=None)
def pdf_inherited_resources_bomb() -> bytes:
    """The font bomb in /Resources of the /Pages node, which the page inherits (not in its own dictionary)."""
    data = pdf_font_file_bomb(disguised=True)
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /Font << /F1 5 0 R >> >> >>",
               3: _page(2, extra=b"/Contents 4 0 R "), 4: _TEXT}
    for number in (5, 6, 7):
        start = data.index(b"\n%d 0 obj\n" % number) + len(b"\n%d 0 obj\n" % number)
        objects[number] = data[start:data.index(b"\nendobj\n", start)]
    return pdf_from_objects(objects)


def pdf_with_object_stream(objects: dict[int, bytes], in_stream: dict[int, bytes], *, container: int,
                           padding: int = 0, root: int = 1) -> bytes:
    """A PDF 1.5 file: `objects` written as usual, `in_stream` packed into object stream `container`
    (FlateDecode; `padding` spaces after its objects), found through a cross-reference stream."""
    offsets, body = [], b""
    for number, text in sorted(in_stream.items()):
        offsets.append(b"%d %d" % (number, len(body)))
        body += text + b"\n"
    head = b" ".join(offsets) + b"\n"
    packed = head + body
    if padding:
        c = zlib.compressobj(9)
        data = c.compress(packed) + c.flush(zlib.Z_FULL_FLUSH)
        data += deflate_bomb(padding)[2:-4]  # the bomb's deflate blocks, after our objects
        adler, chunk = zlib.adler32(packed), b" " * (1 << 20)
        for _ in range(padding >> 20):
            adler = zlib.adler32(chunk, adler)
        data += struct.pack(">I", adler)
    else:
        data = zlib.compress(packed)
    everything = dict(objects)
    everything[container] = stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(in_stream), len(head)),
                                   data)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    xref_number = max([*everything, *in_stream]) + 1
    size = xref_number + 1
    entries: dict[int, tuple[int, int, int]] = {}
    for number in sorted(everything):
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + everything[number] + b"\nendobj\n"
    for index, number in enumerate(sorted(in_stream)):
        entries[number] = (2, container, index)
    entries[xref_number] = (1, len(out), 0)
    rows = b"".join(struct.pack(">BIH", *entries.get(n, (0, 0, 65535))) for n in range(size))
    out += b"%d 0 obj\n" % xref_number + stream(b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R" % (size, root), rows)
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[xref_number][1]
    return bytes(out)


@functools.lru_cache(maxsize=None)
def pdf_object_stream_bomb(expanded: int = 1 << 30) -> bytes:
    """The page's font dictionary in an object stream that, after it, inflates to `expanded` spaces."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects = _catalog_and_page(b"3 0 R", 1)
    objects[3] = _page(2, extra=b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R ")
    objects[4] = _TEXT
    return pdf_with_object_stream(objects, {5: font}, container=6, padding=expanded)


@functools.lru_cache(maxsize=None)
def pdf_xref_stream_bomb(expanded: int = 1 << 30) -> bytes:
    """A cross-reference stream that inflates to `expanded` bytes: read when the file is opened."""
    good = pdf_object_stream_bomb(1 << 20)
    at = good.rindex(b"startxref")
    start = good.rindex(b" 0 obj\n", 0, at)
    start = good.rindex(b"\n", 0, start) + 1
    number = int(good[start:good.index(b" ", start)])
    bomb = stream(b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode" % (number + 1),
                  deflate_bomb(expanded))
    return good[:start] + b"%d 0 obj\n" % number + bomb + b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % start


def pdf_image_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A normal page drawing a gray image XObject that claims width × height pixels (3.6 Gpx)."""
    pixels = zlib.compress(b"\xff" * 1024)
    image = stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Filter /FlateDecode" % (width, height), pixels)
    return pdf_with_page(content=stream(b"", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
                         resources=b"<< /XObject << /Im1 5 0 R >> >>", more={5: image})


def pdf_encrypted() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt("mat-khau")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def pdf_truncated() -> bytes:
    data = born_digital_pdf(["Sơ yếu lý lịch"])
    return data[: len(data) // 3]


def pdf_header_only() -> bytes:
    return b"%PDF-1.7\n"


# -- TIFF ------------------------------------------------------------------------------------

_SHORT, _LONG = 3, 4


def _ifd(entries: list[tuple[int, int, int, int]], next_offset: int) -> bytes:
    """One image directory: (tag, type, count, value — or offset of the values when count > 1)."""
    out = struct.pack("<H", len(entries))
    for tag, kind, count, value in sorted(entries):
        inline = struct.pack("<HH", value, 0) if kind == _SHORT and count == 1 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + inline
    return out + struct.pack("<I", next_offset)


@functools.lru_cache(maxsize=None)
def _blank_g4_page(width: int, height: int) -> tuple[tuple[bytes, ...], int]:
    """The CCITT G4 strips of a blank 1-bit page as Pillow writes them, and its rows per strip."""
    buf = io.BytesIO()
    Image.new("1", (width, height), 1).save(buf, format="TIFF", compression="group4")
    with Image.open(buf) as img:
        offsets, counts, rows = img.tag_v2[273], img.tag_v2[279], img.tag_v2[278]
    data = buf.getvalue()
    return tuple(data[o:o + c] for o, c in zip(offsets, counts)), rows


@functools.lru_cache(maxsize=None)
def tiff_frames(frames: int, *, width: int = 2480, height: int = 3508, damaged_tail: bool = False) -> bytes:
    """A multi-page TIFF of `frames` blank A4 pages (300 dpi, CCITT G4), all sharing one page's
    strips: 5,000 pages in ~0.6 MB, each costing a real decode to Pillow.

    `damaged_tail`: the last page's strips lie past the end of the file, as when a scanner's
    transfer broke off.
    """
    strips, rows = _blank_g4_page(width, height)
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    strip_offsets = []
    for strip in strips:
        strip_offsets.append(len(out))
        out += strip
    offsets_at = len(out)
    out += struct.pack(f"<{len(strips)}I", *strip_offsets)
    counts_at = len(out)
    out += struct.pack(f"<{len(strips)}I", *(len(s) for s in strips))
    broken_at = len(out)
    out += struct.pack(f"<{len(strips)}I", *(o + (1 << 24) for o in strip_offsets))
    ifd_size = 2 + 9 * 12 + 4
    struct.pack_into("<I", out, 4, len(out))
    for i in range(frames):
        last = i == frames - 1
        next_ifd = len(out) + ifd_size if not last else 0
        out += _ifd([(256, _LONG, 1, width), (257, _LONG, 1, height), (258, _SHORT, 1, 1), (259, _SHORT, 1, 4),
                     (262, _SHORT, 1, 0), (273, _LONG, len(strips), broken_at if last and damaged_tail else offsets_at),
                     (278, _LONG, 1, rows), (279, _LONG, len(strips), counts_at), (284, _SHORT, 1, 1)], next_ifd)
    return bytes(out)


def tiff_odd_tags(*, damaged: bool = False) -> bytes:
    """A blank A4 page (150 dpi, G4) as some scanners write it: ResolutionUnit with two values
    (Pillow warns "Metadata Warning, tag 296 had too many entries"), private tags 40000 and 65000
    (libtiff's "Unknown field with tag …"). `damaged`: its strips lie past the end of the file."""
    strips, rows = _blank_g4_page(1240, 1754)
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    offsets = []
    for strip in strips:
        offsets.append(len(out) + ((1 << 24) if damaged else 0))
        out += strip
    offsets_at = len(out)
    out += struct.pack(f"<{len(strips)}I", *offsets)
    counts_at = len(out)
    out += struct.pack(f"<{len(strips)}I", *(len(s) for s in strips))
    pair_at = len(out)
    out += b"\x01\x00\x02\x00"
    struct.pack_into("<I", out, 4, len(out))
    out += _ifd([(256, _LONG, 1, 1240), (257, _LONG, 1, 1754), (258, _SHORT, 1, 1), (259, _SHORT, 1, 4),
                 (262, _SHORT, 1, 0), (273, _LONG, len(strips), offsets_at), (278, _LONG, 1, rows),
                 (279, _LONG, len(strips), counts_at), (284, _SHORT, 1, 1), (296, _SHORT, 2, pair_at),
                 (40000, _SHORT, 2, pair_at), (65000, 7, 4, 0x41414141)], 0)
    return bytes(out)


def tiff_ifd_loop() -> bytes:
    """Two pages whose second directory points back at the first: an endless page list."""
    data = bytearray(tiff_frames(2))
    (first,) = struct.unpack_from("<I", data, 4)
    second = first + 2 + 9 * 12 + 4
    struct.pack_into("<I", data, second + 2 + 9 * 12, first)
    return bytes(data)


def tiff_broken_ifd_offset() -> bytes:
    """A header whose first IFD lies beyond the end of the file."""
    return b"II*\x00" + struct.pack("<I", 1 << 30) + b"\x00" * 32


def tiff_multipage_damaged_tail() -> bytes:
    """A real 3-page scan-like TIFF cut off in its last frame."""
    frames = [Image.new("L", (300, 400), 255) for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    data = buf.getvalue()
    return data[: len(data) - 60_000]


# -- PNG / JPEG ------------------------------------------------------------------------------

def image_bytes(img: Image.Image, fmt: str = "PNG", **save: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **save)
    return buf.getvalue()


def png_tiny(width: int = 1, height: int = 1) -> bytes:
    return image_bytes(Image.new("L", (width, height), 255))


def png_blank_page() -> bytes:
    """An A4 page at 150 dpi with nothing on it."""
    return image_bytes(Image.new("L", (1240, 1754), 255))


def png_pixel_bomb(side: int = 12_000) -> bytes:
    return image_bytes(Image.new("1", (side, side), 1))


def png_truncated() -> bytes:
    data = image_bytes(Image.effect_noise((200, 200), 64).convert("L"))
    return data[: len(data) // 2]


def png_bad_crc() -> bytes:
    data = bytearray(image_bytes(Image.new("L", (100, 100), 200)))
    data[-20] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    return bytes(data)


def jpeg_truncated() -> bytes:
    data = image_bytes(Image.effect_noise((300, 300), 64).convert("L"), "JPEG")
    return data[:200]


def jpeg_huge_dimensions() -> bytes:
    """A JPEG header claiming 65,000 × 65,000 pixels (4.2 Gpx) with almost no data."""
    data = bytearray(image_bytes(Image.new("L", (16, 16), 255), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65_000, 65_000)
    return bytes(data)


def png_html_polyglot() -> bytes:
    """A valid PNG whose trailing bytes are an HTML page with a script: served inline and
    sniffed, it runs."""
    return png_tiny(64, 64) + b"<html><body><script>alert(document.cookie)</script></body></html>"


# -- names -----------------------------------------------------------------------------------

# (name as sent, what it must not contain once stored)
HOSTILE_FILE_NAMES: tuple[tuple[str, str], ...] = (
    ("ho\x00so.png", "\x00"),
    ("hoso\u202egnp.exe", "\u202e"),
    ("ho\x1b[31mso.png", "\x1b"),
    ("ho\nso\r.png", "\n"),
    ("..", ".."),
    ("../../etc/passwd", "/"),
    ("..\\..\\windows\\win.ini", "\\"),
    ("\u2066ho\u2069so\u200f.png", "\u2066"),
)


# -- a store that refuses to write -----------------------------------------------------------

@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` read-only for real: a read-only bind mount as root (root ignores file modes), else modes."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")]}
        for p, mode in modes.items():
            p.chmod(mode & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(path), str(path)], capture_output=True, text=True)
    if mounted.returncode != 0:
        msg = f"cannot make a read-only bind mount here: {mounted.stderr.strip()}"
        pytest.fail(msg) if os.environ.get("CI") == "true" else pytest.skip(msg)
    try:
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)
