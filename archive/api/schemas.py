"""Pydantic models at the HTTP edge."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class StaffIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, examples=["NV0001"])
    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Văn An"])
    birth_date: date | None = None
    unit_name: str = Field(default="", max_length=300)
    status: str = "dang_cong_tac"


class StaffOut(BaseModel):
    code: str
    full_name: str
    birth_date: date | None
    unit_name: str
    status: str


class DocumentOut(BaseModel):
    id: int
    staff_code: str
    document_type: str
    file_name: str
    content_type: str
    sha256: str
    size: int
    page_count: int
    state: str
    error: str | None
    created_at: str
    indexed_at: str | None


class UploadOut(DocumentOut):
    created: bool


class PageOut(BaseModel):
    number: int
    text: str
    confidence: float
    source: str


class HitOut(BaseModel):
    document_id: int
    page: int
    score: float
    staff_code: str
    staff_name: str
    status: str
    unit: str
    document_type: str
    snippet: str


class SearchOut(BaseModel):
    total: int
    hits: list[HitOut]
    facets: dict[str, dict[str, int]]
