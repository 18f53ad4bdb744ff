"""Reading an untrusted PDF within bounds, before pypdf or pdfium is asked for anything costly.

Three checks, each cheap and each ahead of the work it protects:
- the page tree (cây trang): depth, cycles and the number of leaves, counted with an early
  stop, so a 150-level tree, a 150,000-entry /Kids or 2**40 leaves from 42 objects is refused
  in milliseconds instead of being flattened;
- streams: every stream a page can reach (content, forms, fonts, ToUnicode CMaps, patterns,
  annotation appearances, ICC profiles …) and every object stream holding objects is inflated
  through a counting decoder that stops at the bound, straight from the file, without keeping
  the output — images excepted, whose data is never read here (pdfium decodes them row by row
  to their declared size; a scan's 1 GB image costs nothing). A stream counts as an image by
  where it is reached (a value of an /XObject resource, or an image's /SMask or /Mask) as well
  as by its own /Subtype: a font program labelled /Image is still a font to pdfium;
- page size: each page's pixels at the OCR resolution (pdfium's own page box, read without
  parsing the page), within the same bound as an image file's.

An object's dictionary is read here with a small scanner rather than pypdf's resolver,
because pypdf reads a stream's data along with its dictionary — a 1 GB image included.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject, read_object

from ingest.errors import InvalidUpload
from ingest.pdfium_guard import PDFIUM

# Real page trees are balanced and a few levels deep even with millions of pages.
MAX_TREE_DEPTH = 32
# Objects a page may reach, on average, before the file is refused: scans reach ~3 per page,
# office exports tens (fonts, images, annotations), and shared ones count once.
OBJECTS_PER_PAGE = 200
OBJECTS_BASE = 10_000
# The stream bound applies to each stream; all of a file's streams together get this many times it.
TOTAL_STREAM_FACTOR = 4
MIN_PAGE_SIDE_PX = 32  # at the OCR resolution; a page smaller than this holds nothing legible

_CHUNK = 1 << 20
_DICT_WINDOW = 4096
_DICT_MAX = 1 << 20
# Keys that lead away from what a page draws (up the page tree, to other pages, to actions).
_SKIP_KEYS = frozenset({"/Parent", "/P", "/Dest", "/D", "/A", "/AA", "/Next", "/Prev", "/First", "/Last",
                        "/B", "/IRT", "/Popup", "/StructTreeRoot", "/Names", "/Outlines"})
# Where an image's data may be met without being read: the keys under which pdfium takes a
# stream as an image (when its /Subtype says so), never as a font, CMap, profile or form.
_IMAGE_KEYS = frozenset({"/SMask", "/Mask"})

TREE_MESSAGE = ("PDF có cây trang bất thường (quá sâu, tự tham chiếu hoặc quá nhiều nhánh), không đọc được; "
                "hãy xuất lại tệp từ phần mềm quét.")
BOMB_MESSAGE = ("PDF chứa dữ liệu nén giải nén ra quá lớn (nghi là 'bom giải nén'); "
                "hãy xuất lại tệp từ phần mềm quét.")


def too_many_pages(pages: int | None, max_pages: int) -> InvalidUpload:
    shown = f"{pages}" if pages is not None else f"hơn {max_pages}"
    return InvalidUpload(f"Tệp có {shown} trang, vượt giới hạn {max_pages} trang.")


@dataclass(frozen=True)
class PdfLimits:
    """What reading one PDF may cost (giới hạn đọc PDF)."""

    max_pages: int
    max_pixels: int
    max_stream_bytes: int
    dpi: float


# -- the page tree ---------------------------------------------------------------------------

def check_page_tree(reader: PdfReader, max_pages: int) -> int:
    """The number of pages, walking the tree with a bound on depth, nodes and leaves."""
    pages = reader.root_object["/Pages"].get_object()
    if not isinstance(pages, DictionaryObject):
        raise InvalidUpload("PDF bị hỏng, không đọc được.")
    budget = (max_pages + 1) * MAX_TREE_DEPTH
    leaves = 0
    # (node, depth, keys of its ancestors): the path, to tell a cycle from a shared subtree
    stack: list[tuple[DictionaryObject, int, frozenset]] = [(pages, 0, frozenset({_key(pages)}))]
    while stack:
        node, depth, path = stack.pop()
        kids = node.get("/Kids")
        kids = kids.get_object() if kids is not None else ArrayObject()
        if not isinstance(kids, ArrayObject):
            continue
        for kid in kids:
            budget -= 1
            if budget < 0:
                raise InvalidUpload(TREE_MESSAGE)
            obj = kid.get_object()
            if not isinstance(obj, DictionaryObject) or not obj:
                continue
            kind = obj.get("/Type")
            if kind == "/Pages" or (kind is None and "/Kids" in obj):
                key = _key(obj, kid)
                if key in path or depth + 1 > MAX_TREE_DEPTH:
                    raise InvalidUpload(TREE_MESSAGE)
                stack.append((obj, depth + 1, path | {key}))
            elif kind in (None, "/Page"):
                leaves += 1
                if leaves > max_pages:
                    raise too_many_pages(None, max_pages)
    return leaves


def _key(obj: object, ref: object = None) -> object:
    ref = ref if isinstance(ref, IndirectObject) else getattr(obj, "indirect_reference", None)
    return (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(obj)


# -- streams ---------------------------------------------------------------------------------

@dataclass
class _Budget:
    objects: int
    stream_bytes: int
    seen: set = field(default_factory=set)


def check_streams(reader: PdfReader, fh: BinaryIO, limits: PdfLimits) -> None:
    """Every non-image stream the pages reach inflates within the bound; images are not read."""
    budget = _Budget(objects=OBJECTS_BASE + OBJECTS_PER_PAGE * len(reader.pages),
                     stream_bytes=TOTAL_STREAM_FACTOR * limits.max_stream_bytes)
    for page in reader.pages:
        for ref in _content_streams(reader, fh, page):
            _visit(reader, fh, ref, budget, limits)
        _walk(reader, fh, [(v, False) for k, v in page.items() if k not in _SKIP_KEYS and k != "/Contents"], budget,
              limits)
        # pdfium draws these pages next, not pypdf: its cache of their objects is not needed
        reader.resolved_objects.clear()


def _content_streams(reader: PdfReader, fh: BinaryIO, page: DictionaryObject) -> list:
    """References to the page's content streams: one stream, or an array of them (maybe an object of its own)."""
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if isinstance(contents, IndirectObject) and _stream_header(reader, fh, contents) is None:
        contents = _resolve_small(reader, contents)
    if isinstance(contents, IndirectObject):
        return [contents]
    if isinstance(contents, ArrayObject):
        return [c for c in contents if isinstance(c, IndirectObject)]
    return []


def _walk(reader: PdfReader, fh: BinaryIO, todo: list[tuple[object, bool]], budget: _Budget,
          limits: PdfLimits) -> None:
    """Objects reachable from `todo`, each paired with whether an image may be met there."""
    while todo:
        item, image_place = todo.pop()
        if isinstance(item, IndirectObject):
            item = _visit(reader, fh, item, budget, limits, image_place=image_place)
        if isinstance(item, DictionaryObject):  # (a StreamObject is one: its dictionary's references)
            image = image_place and _is_image(item)
            for k, v in item.items():
                if k in _SKIP_KEYS:
                    continue
                if k == "/XObject" and not isinstance(item, StreamObject):  # resources: the forms and images drawn
                    xobjects = _visit(reader, fh, v, budget, limits) if isinstance(v, IndirectObject) else v
                    if isinstance(xobjects, DictionaryObject):
                        todo.extend((x, True) for x in xobjects.values())
                    continue
                todo.append((v, image and k in _IMAGE_KEYS))
        elif isinstance(item, ArrayObject):
            todo.extend((v, False) for v in item)


def _is_image(dictionary: DictionaryObject) -> bool:
    return dictionary.get("/Subtype") == "/Image"


def _visit(reader: PdfReader, fh: BinaryIO, ref: IndirectObject, budget: _Budget, limits: PdfLimits, *,
           image_place: bool = False) -> object:
    """The object behind `ref` the first time it is met in such a place (None after); a stream's data is
    only counted — unless it is an image met where images are drawn, whose data is not read at all."""
    key = (ref.idnum, ref.generation, image_place)
    if key in budget.seen:
        return None
    budget.seen.add(key)
    budget.objects -= 1
    if budget.objects < 0:
        raise InvalidUpload("PDF có quá nhiều đối tượng so với số trang, không đọc được; "
                            "hãy xuất lại tệp từ phần mềm quét.")
    raw = _stream_header(reader, fh, ref)
    if raw is not None:
        dictionary, data_at = raw
        length = _declared_length(dictionary)
        if length is None and not _filters(dictionary):
            return dictionary  # unfiltered without a length: broken, and nothing to inflate
        encoded = _raw_chunks(fh, data_at, length)
    else:  # not a stream, or not where the xref says: pypdf finds it (and reads its data)
        obj = _resolve_small(reader, ref)
        if not isinstance(obj, StreamObject):
            return obj
        dictionary, encoded = obj, iter([obj._data])  # the still-encoded bytes pypdf read
    if not (image_place and _is_image(dictionary)):
        size = _decoded_size(reader, ref, dictionary, encoded, limits.max_stream_bytes)
        budget.stream_bytes -= size
        if budget.stream_bytes < 0:
            raise InvalidUpload(BOMB_MESSAGE)
    return dictionary


def check_object_streams(reader: PdfReader, fh: BinaryIO, limits: PdfLimits) -> None:
    """Every object stream (/Type /ObjStm) the cross-reference names inflates within the bound.

    pypdf inflates a whole object stream to read any one object in it — the page tree's nodes
    too — so this runs before anything is resolved (only the xref has been read)."""
    total = TOTAL_STREAM_FACTOR * limits.max_stream_bytes
    for number in sorted({container for container, _index in reader.xref_objStm.values()}):
        ref = IndirectObject(number, 0, reader)
        raw = _stream_header(reader, fh, ref)
        if raw is None:
            continue  # not where the xref says: pypdf finds no objects in it either
        dictionary, data_at = raw
        total -= _decoded_size(reader, ref, dictionary, _raw_chunks(fh, data_at, _declared_length(dictionary)),
                               limits.max_stream_bytes)
        if total < 0:
            raise InvalidUpload(BOMB_MESSAGE)


def _resolve_small(reader: PdfReader, ref: IndirectObject) -> object:
    """A non-stream object (or one whose header we could not find) through pypdf."""
    try:
        obj = ref.get_object()
    except LimitReachedError:
        raise InvalidUpload(BOMB_MESSAGE) from None
    except Exception:  # noqa: BLE001 — a broken object draws nothing; pdfium skips it as well
        return None
    return obj


_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b\s*")
_STREAM_KEYWORD = re.compile(rb"(?:\s|%[^\r\n]*[\r\n])*stream[ ]*(?:\r\n|\n|\r)")


def _stream_header(reader: PdfReader, fh: BinaryIO, ref: IndirectObject) -> tuple[DictionaryObject, int] | None:
    """(dictionary, offset of the data) of a stream object, read without its data; None if not a stream."""
    if ref.idnum in reader.xref_objStm:
        return None  # objects inside object streams are never streams themselves
    offset = reader.xref.get(ref.generation, {}).get(ref.idnum)
    if not isinstance(offset, int) or offset < 0:
        return None
    fh.seek(offset)
    window = fh.read(_DICT_WINDOW)
    header = _HEADER.match(window)
    if header is None or (int(header.group(1)), int(header.group(2))) != (ref.idnum, ref.generation):
        return None
    start = header.end()
    if window[start:start + 2] != b"<<":
        return None
    end = _end_of_dictionary(window, start)
    while end is None and len(window) < _DICT_MAX:
        more = fh.read(len(window))
        if not more:
            return None
        window += more
        end = _end_of_dictionary(window, start)
    if end is None:
        raise InvalidUpload("PDF bị hỏng, không đọc được.")
    keyword = _STREAM_KEYWORD.match(window, end)
    if keyword is None:
        return None
    dictionary = read_object(io.BytesIO(window[start:end]), reader)
    if not isinstance(dictionary, DictionaryObject):
        return None
    return dictionary, offset + keyword.end()


def _end_of_dictionary(data: bytes, start: int) -> int | None:
    """Index just past the `>>` closing the dictionary opened at `start`; None if it runs past `data`.

    Literal strings (nested parentheses, backslash escapes), hex strings and comments are
    skipped as the PDF grammar says, so a string holding ">>" or "endobj" cannot end it early.
    """
    depth = 0
    i, n = start, len(data)
    while i < n:
        c = data[i]
        if c == 0x28:  # (
            level, i = 1, i + 1
            while i < n and level:
                c = data[i]
                if c == 0x5C:  # backslash: the next byte is escaped
                    i += 1
                elif c == 0x28:
                    level += 1
                elif c == 0x29:
                    level -= 1
                i += 1
            continue
        if c == 0x25:  # % comment to the end of the line
            while i < n and data[i] not in (0x0A, 0x0D):
                i += 1
            continue
        if c == 0x3C:  # <
            if i + 1 < n and data[i + 1] == 0x3C:
                depth += 1
                i += 2
                continue
            close = data.find(b">", i + 1)  # a hex string
            if close < 0:
                return None
            i = close + 1
            continue
        if c == 0x3E and i + 1 < n and data[i + 1] == 0x3E:  # >>
            depth -= 1
            i += 2
            if depth == 0:
                return i
            continue
        i += 1
    return None


def _filters(dictionary: DictionaryObject) -> list[str]:
    f = dictionary.get("/Filter")
    f = f.get_object() if isinstance(f, IndirectObject) else f
    if f is None:
        return []
    if isinstance(f, NameObject):
        return [str(f)]
    if isinstance(f, ArrayObject):
        return [str(x.get_object()) for x in f]
    return ["?"]


def _declared_length(dictionary: DictionaryObject) -> int | None:
    length = dictionary.get("/Length")
    try:
        length = int(length.get_object() if isinstance(length, IndirectObject) else length)
    except Exception:  # noqa: BLE001 — a missing or odd /Length
        return None
    return length if length >= 0 else None


def _raw_chunks(fh: BinaryIO, data_at: int, length: int | None) -> Iterator[bytes]:
    """The stream's encoded bytes from the file; to the end of the file when /Length is unusable
    (a zlib stream's own end stops the reader first)."""
    fh.seek(data_at)
    remaining = length
    while remaining is None or remaining > 0:
        chunk = fh.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
        if not chunk:
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


def _decoded_size(reader: PdfReader, ref: IndirectObject, dictionary: DictionaryObject,
                  encoded: Iterator[bytes], limit: int) -> int:
    """How many bytes the stream decodes to, or InvalidUpload as soon as that passes `limit`."""
    filters = _filters(dictionary)
    if not filters:  # stored as is: its length, counted as far as the bound
        size = 0
        for chunk in encoded:
            size += len(chunk)
            if size > limit:
                raise InvalidUpload(BOMB_MESSAGE)
        return size
    if filters == ["/FlateDecode"]:
        return _inflated_size(encoded, limit)
    # Rare chains (ASCII85 + Flate, LZW, RunLength …): pypdf decodes them under its own limits.
    try:
        stream = reader.get_object(ref)
        size = len(stream.get_data()) if isinstance(stream, StreamObject) else 0
    except LimitReachedError:
        raise InvalidUpload(BOMB_MESSAGE) from None
    except Exception:  # noqa: BLE001 — data no decoder can read draws nothing anywhere
        return 0
    if size > limit:
        raise InvalidUpload(BOMB_MESSAGE)
    return size


def _inflated_size(chunks: Iterator[bytes], limit: int) -> int:
    inflater = zlib.decompressobj()
    total = 0
    try:
        for chunk in chunks:
            data = chunk
            while data:
                out = inflater.decompress(data, _CHUNK)
                total += len(out)
                if total > limit:
                    raise InvalidUpload(BOMB_MESSAGE)
                data = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # damaged data ends where it breaks: no reader gets more out of it
    return total


# -- page size -------------------------------------------------------------------------------

def page_pixels(width_pt: float, height_pt: float, dpi: float) -> tuple[int, int]:
    """The page's width and height in pixels at `dpi` (as pdfium renders it: points × dpi / 72)."""
    return round(width_pt * dpi / 72), round(height_pt * dpi / 72)


def check_page_sizes(path: Path, pages: int, limits: PdfLimits) -> None:
    """Each page, drawn at the OCR resolution, fits within the pixel bound and is not a speck."""
    import pypdfium2 as pdfium  # only where pages are measured or drawn

    with PDFIUM:
        pdf = pdfium.PdfDocument(str(path))
        try:
            sizes = [pdf.get_page_size(i) for i in range(min(pages, len(pdf)))]
        finally:
            pdf.close()
    if len(sizes) < pages:
        raise InvalidUpload("PDF bị hỏng, không đọc được.")
    for i, (width_pt, height_pt) in enumerate(sizes):
        check_page_size(i + 1, width_pt, height_pt, limits)


def check_page_size(number: int, width_pt: float, height_pt: float, limits: PdfLimits) -> None:
    w, h = page_pixels(width_pt, height_pt, limits.dpi)
    if w * h > limits.max_pixels:
        cm = f"{width_pt / 72 * 2.54:.0f} × {height_pt / 72 * 2.54:.0f} cm"
        raise InvalidUpload(f"Trang {number} có khổ quá lớn ({cm}), vượt giới hạn điểm ảnh khi quét ở "
                            f"{limits.dpi:g} dpi; hãy gửi bản quét đúng khổ giấy.")
    if min(w, h) < MIN_PAGE_SIDE_PX:
        raise InvalidUpload(f"Trang {number} quá nhỏ ({w} × {h} điểm ảnh ở {limits.dpi:g} dpi); "
                            f"trang phải rộng và cao ít nhất {MIN_PAGE_SIDE_PX} điểm ảnh.")
