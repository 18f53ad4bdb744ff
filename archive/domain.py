"""Domain vocabulary: staff status (trạng thái), document and job states, page sources."""

from __future__ import annotations

import enum


class StaffStatus(str, enum.Enum):
    """Trạng thái công tác of a staff member. Records of people who left are kept and searchable."""

    DANG_CONG_TAC = "dang_cong_tac"
    NGHI_HUU = "nghi_huu"
    THOI_VIEC = "thoi_viec"
    TU_TRAN = "tu_tran"
    CHUYEN_CONG_TAC = "chuyen_cong_tac"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    StaffStatus.DANG_CONG_TAC: "Đang công tác",
    StaffStatus.NGHI_HUU: "Nghỉ hưu",
    StaffStatus.THOI_VIEC: "Thôi việc",
    StaffStatus.TU_TRAN: "Từ trần",
    StaffStatus.CHUYEN_CONG_TAC: "Chuyển công tác",
}


class DocumentState(str, enum.Enum):
    """queued → processing → indexing → indexed, or failed with a reason."""

    QUEUED = "queued"
    PROCESSING = "processing"
    INDEXING = "indexing"  # text extracted and stored; waiting for the single index consumer
    INDEXED = "indexed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (DocumentState.INDEXED, DocumentState.FAILED)


class JobState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PageSource(str, enum.Enum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"


# Job kinds the service itself records (archive.work's registry runs them; plug-ins add more).
EXTRACT_KIND = "extract"  # text of one document: its PDF text layer or Vietnamese OCR
INDEX_KIND = "index"      # drain kind: the single index consumer takes documents in `indexing`
