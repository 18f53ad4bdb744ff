"""The ingest pipeline as small stages: receive → validate → (store original) → extract text → (index).

Stages are plain functions; storing and indexing are done by the caller through the ports,
and the job handlers in archive.work.kinds only load, call a stage and record the outcome.
"""

from ingest.errors import ExtractionFailed, InvalidUpload, TooLarge, UnreadablePage
from ingest.extract import ExtractOptions, PageText, extract_pages
from ingest.ocr import OcrResult, OcrWord, ocr_image
from ingest.receive import ReceivedFile, Receiver, receive_stream
from ingest.validate import ValidatedFile, kind_of_content_type, validate_file

__all__ = [
    "ExtractOptions", "ExtractionFailed", "InvalidUpload", "OcrResult", "OcrWord", "PageText", "ReceivedFile", "Receiver",
    "TooLarge", "UnreadablePage", "ValidatedFile", "extract_pages", "kind_of_content_type", "ocr_image",
    "receive_stream", "validate_file",
]
