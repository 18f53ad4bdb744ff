"""The CV form's fields (Mẫu 2C-BNV/2008; HS02-VC/BNV) as validated models.

`StaffProfile` is stored as JSON; `StaffSensitive` (CCCD, BHXH, health, ethnicity, religion,
party dates) is encrypted at rest and shown only to roles allowed to read it.
"""

from __future__ import annotations

import enum
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from search import nfc


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):  # noqa: ANN001, ANN206
        return " ".join(nfc(v).split()) if isinstance(v, str) else v


class StaffProfile(_Text):
    other_names: str = Field("", max_length=200, description="tên gọi khác")
    birth_place: str = Field("", max_length=300, description="nơi sinh")
    hometown: str = Field("", max_length=300, description="quê quán")
    permanent_address: str = Field("", max_length=300, description="hộ khẩu thường trú")
    current_address: str = Field("", max_length=300, description="nơi ở hiện nay")
    recruitment_occupation: str = Field("", max_length=200, description="nghề nghiệp khi được tuyển dụng")
    recruitment_date: date | None = Field(None, description="ngày tuyển dụng")
    recruiting_agency: str = Field("", max_length=300, description="cơ quan tuyển dụng")
    position: str = Field("", max_length=200, description="chức vụ")
    main_duties: str = Field("", max_length=500, description="công việc chính được giao")
    salary_step: int | None = Field(None, ge=1, le=20, description="bậc lương")
    salary_coefficient: float | None = Field(None, ge=0, le=20, description="hệ số lương")
    salary_effective_date: date | None = Field(None, description="ngày hưởng")
    allowances: str = Field("", max_length=300, description="phụ cấp")
    education_general: str = Field("", max_length=50, description="trình độ giáo dục phổ thông")
    education_professional: str = Field("", max_length=300, description="trình độ chuyên môn")
    political_theory: str = Field("", max_length=100, description="lý luận chính trị")
    state_management: str = Field("", max_length=100, description="quản lý nhà nước")
    foreign_language: str = Field("", max_length=100, description="ngoại ngữ")
    informatics: str = Field("", max_length=100, description="tin học")


class StaffSensitive(_Text):
    ethnicity: str = Field("", max_length=64, description="dân tộc (mã danh mục)")
    religion: str = Field("", max_length=64, description="tôn giáo (mã danh mục)")
    id_number: str = Field("", pattern=r"^(\d{9}|\d{12})?$", description="số CCCD/CMND")
    id_issued_date: date | None = Field(None, description="ngày cấp")
    social_insurance_number: str = Field("", pattern=r"^(\d{10})?$", description="số sổ BHXH")
    health: str = Field("", max_length=100, description="tình trạng sức khỏe")
    blood_group: str = Field("", max_length=8, description="nhóm máu")
    party_join_date: date | None = Field(None, description="ngày vào Đảng")
    party_official_date: date | None = Field(None, description="ngày chính thức")


class HistoryKind(str, enum.Enum):
    WORK = "qua_trinh_cong_tac"
    SALARY = "dien_bien_luong"
    TRAINING = "dao_tao_boi_duong"
    AWARD = "khen_thuong"
    DISCIPLINE = "ky_luat"
    FAMILY = "quan_he_gia_dinh"


class HistoryEntry(_Text):
    kind: HistoryKind
    from_date: date | None = None
    to_date: date | None = None
    summary: str = Field("", max_length=2000)
    details: dict[str, str] = Field(default_factory=dict)
