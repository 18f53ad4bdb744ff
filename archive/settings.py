"""Settings from the environment (prefix ARCHIVE_); each back end is chosen by URL.

Embedded defaults need no server: SQLite, a local object directory, a tantivy index and a
file-system Celery transport, all under ARCHIVE_DATA_DIR (./data).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""   # default sqlite:///<data_dir>/archive.db
    storage_url: str = ""    # default file://<data_dir>/objects ; or s3://bucket?endpoint=…
    search_url: str = ""     # default tantivy://<data_dir>/index ; or http://es:9200?prefix=…
    broker_url: str = ""     # default filesystem:// under <data_dir>/queue ; or redis://…

    host: str = "127.0.0.1"
    port: int = 8000
    ocr_workers: int = Field(default=2, ge=1)
    # the OCR/work workers run at this `nice`: on a host they share with the API and the search
    # engine, a person's search is answered before a page is read (0 = the same priority)
    ocr_nice: int = Field(default=10, ge=0, le=19)

    max_upload_bytes: int = 256 * 1024 * 1024
    max_pages: int = 500
    max_image_pixels: int = 120_000_000  # about A3 at 600 dpi; larger is treated as a decompression bomb
    # (also a PDF page drawn at ocr_dpi: a blank 50 × 50-inch page would be 225 Mpx)
    ocr_language: str = "vie"
    ocr_dpi: int = 300
    text_layer_min_chars: int = 20  # fewer letters on a PDF page than this → OCR it instead
    # OCR review (cần xem lại, ingest.page_review): a page below these is flagged for a person
    ocr_review_min_confidence: float = Field(default=60.0, ge=0, le=100)  # mean word confidence, %
    ocr_review_min_words: int = Field(default=3, ge=0)                    # words on a page with ink
    ocr_blank_ink_ratio: float = Field(default=0.003, ge=0, le=1)         # dark-pixel share of a blank page

    # accounts
    audit_key: str = ""           # "BASE64[;since=SEQ]": seals the audit chain. Embedded default: <data>/keys/audit.key
    audit_anchor_retention_days: int = Field(default=3650, ge=1)  # signed chain heads stay undeletable this long
    field_keys: str = ""          # "k2:BASE64,k1:BASE64"; first encrypts. Embedded default: <data>/keys/field.key
    lockout_threshold: int = 5    # failed logins before a temporary lock
    lockout_minutes: int = 15
    session_idle_minutes: int = 30
    # the longest API token a person (admin or the user) may create; the operator's CLI is not capped
    api_token_max_days: int = Field(default=365, ge=1, le=3650)
    admin_username: str = "admin"  # first admin, created by `archive init`
    admin_password: str = ""       # empty: init generates one and prints it once
    root_unit_code: str = "TINH"   # the province (tỉnh/thành phố) at the top of the tree
    root_unit_name: str = "Ủy ban nhân dân tỉnh"

    # web interface (archive/web)
    web_secret: str = ""      # HMAC key for CSRF tokens and flash cookies. Embedded default: <data>/keys/web.key
    web_timezone: str = "Asia/Ho_Chi_Minh"  # times are stored in UTC, shown and entered in this zone
    web_page_size: int = Field(default=20, ge=1, le=200)  # search hits per page
    web_export_max_rows: int = Field(default=1000, ge=1, le=10_000)  # rows in an XLSX/CSV export

    # background work (archive/work): what runs when, in which zone, and extra job kinds
    timezone: str = "Asia/Ho_Chi_Minh"  # cron lines of the schedule are read in this zone
    schedule: dict[str, str] = Field(default_factory=dict)  # JSON: {"sweep": "every 30s", "backup": "30 1 * * *"}
    work_plugins: str = ""  # comma-separated modules whose register(registry) adds job kinds

    job_lease_seconds: int = 120       # a worker that stops heartbeating loses its job after this
    job_max_attempts: int = 3
    job_requeue_after_seconds: int = 60  # a queued job nobody claimed is re-sent (lost message)
    sweep_interval_seconds: int = 15

    # backups (archive/services/backups.py): each target a full copy; two recommended (TT 05/2025/TT-BNV)
    backup_targets: str = ""  # comma-separated URLs: file:///mnt/nas/archive-backup, s3://bucket?endpoint=…
    backup_key: str = ""      # base64, 32+ bytes (`archive backup key`): encrypts every copy. Never stored in a set or
    #                           the data dir — the operator keeps it (README "Backups"); required once targets are set
    backup_keep_daily: int = Field(default=35, ge=1)    # the newest set of each of the last N days with one
    backup_keep_monthly: int = Field(default=12, ge=1)  # the newest full set of each of the last N months with one
    # keep-policy floor: national | tp-hcm | ha-noi | lang-son | da-nang; unset: the profile's (ARCHIVE_PROFILE)
    backup_jurisdiction: str = ""
    backup_object_retention_days: int = Field(default=400, ge=1)  # object lock on copies in an S3 target
    backup_max_age_hours: int = Field(default=26, ge=1)  # an older last good backup is warned about
    backup_drill_max_age_days: int = Field(default=31, ge=1)  # an older last restore drill is warned about

    # hostile input: bounds checked before the work they protect
    max_stream_bytes: int = 64 * 1024 * 1024  # what one PDF stream (content, font, form) may inflate to
    max_json_bytes: int = 1024 * 1024         # a JSON request body; larger answers 413 before it is read
    # web form bodies (issue 22): a non-upload form POST (ARCHIVE_MAX_FORM_BYTES); larger answers 413 unread
    max_form_bytes: int = 1024 * 1024

    # fixity cycle (kiểm tra tính toàn vẹn), issue 13: archive/services/fixity.py, hourly pass "fixity"
    fixity_cycle_days: int = Field(default=30, ge=1, le=1095)  # every holding re-hashed at least this often
    fixity_max_mbps: float = Field(default=0.0, ge=0)  # throttle of a pass in MB/s (0 = off)
    fixity_pass_seconds: int = Field(default=3000, ge=1)  # a pass stops after this; the rest waits an hour
    fixity_threads: int = Field(default=2, ge=1, le=32)  # objects hashed at once (about one per core)

    # retention schedule (thời hạn bảo quản), issue 13: object lock of what is kept vĩnh viễn
    retention_permanent_years: int = Field(default=30, ge=1, le=100)  # lock "vĩnh viễn" objects this far ahead
    retention_extend_margin_years: int = Field(default=5, ge=1, le=50)  # the pass extends locks nearer than this

    # jurisdiction profile (quy định địa phương), issue 17: archive/profiles/<name>.toml — deadlines,
    # report dates, account model; `neutral` has none of a province's own
    profile: str = "neutral"
    # Cảnh báo hạn (issue 17): a deadline not yet met is "due soon" this many working days ahead
    deadline_warn_days: int = Field(default=5, ge=0, le=60)

    # log review (rà soát nhật ký, Hà Nội QĐ 6033/2015 Đ8.2.c), issue 15: archive/services/log_review.py, job "log_review"
    log_review_failed_logins: int = Field(default=5, ge=2, le=1000)  # failed logins of one account or IP …
    log_review_failed_window_minutes: int = Field(default=15, ge=1, le=1440)  # … within this many minutes
    log_review_exports_per_day: int = Field(default=50, ge=1, le=100_000)  # downloads/exports by one user a day
    log_review_views_factor: float = Field(default=5.0, ge=1.0, le=1000.0)  # record views > k × the day's median
    log_review_views_min: int = Field(default=30, ge=1, le=100_000)  # … and at least this many
    work_day_start: str = Field(default="07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # office hours, local time
    work_day_end: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    # warnings, notifications, periodic reports (issue 17): archive/services/warnings.py, notifications.py,
    # mailer.py, periodic_reports.py; jobs "warnings", "notify_mail", "periodic_report"
    warn_retirement_months: int = Field(default=6, ge=0, le=60)  # NĐ 46/2010 Đ2: told 6 months before retiring
    warn_salary_step_days: int = Field(default=60, ge=0, le=730)  # a step due within this many days (or overdue)
    warn_contract_days: int = Field(default=60, ge=0, le=730)  # a contract ending within this many days
    smtp_host: str = ""  # empty: no e-mail, notifications stay in the app
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "archive@localhost"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    report_lead_days: int = Field(default=5, ge=0, le=60)  # a period's report is made this many days before its due day

    # archival copies (bản lưu trữ PDF/A-2b, TT 05/2025), issue 14: archive/services/archival.py, job "archival"
    archival_copies: bool = True  # keep each OCR'd page's text layer and make a PDF/A-2b copy after extraction

    # paper vs record (đối chiếu), issue 15: archive/services/consistency.py, job "consistency"
    consistency_min_confidence: float = Field(default=60.0, ge=0, le=100)  # a differing value read less sure: "đọc không chắc"

    # dossier packages (gói hồ sơ BagIt), issue 14: archive/services/dossier_package.py, dossier_import.py
    package_max_bytes: int = Field(default=4 * 1024**3, ge=1)  # a zipped package unpacked on import, at most

    # bulk intake (lô tiếp nhận, tờ bìa phân tách), issue 16: archive/services/batches.py, zip_intake.py,
    # job "batch", scheduled "consume" (ARCHIVE_CONSUME_DIR/<mã đơn vị>/, every minute)
    batch_max_members: int = Field(default=10_000, ge=1)  # files in one zip, at most
    batch_max_bytes: int = Field(default=8 * 1024**3, ge=1)  # a zip's members unpacked, at most in total
    batch_max_ratio: int = Field(default=200, ge=2)  # a member inflating more than this (scans stay near 1×) is a bomb
    consume_dir: Path | None = None  # watched folders per unit (thư mục quét chung); unset: no consume pass
    consume_stable_seconds: int = Field(default=30, ge=0)  # a file unchanged this long is complete

    # declare → verify → approve with digital signatures (ký số, TP.HCM QĐ 51/2024 Đ7, Đ9.4), issue 18:
    # archive/services/declarations.py, signing.py, certificates.py, annual_update.py
    sign_tsa_url: str = ""   # RFC 3161 timestamp server (máy chủ cấp dấu thời gian); empty: no timestamp
    # "fetch": look up OCSP/CRL from the certificates' URLs when signing and validating, and embed them
    # in the PDF (LTV) when reachable; empty: offline, the chain is checked against the trusted roots only
    sign_ocsp: str = ""
    sign_key_paths: dict[str, str] = Field(default_factory=dict)  # JSON {"username": "/path/user.p12"} (instead of upload)
    declaration_evidence_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)  # one evidence file (tài liệu kiểm chứng)

    # Prometheus metrics (số liệu giám sát), issue 20: archive/metrics.py, archive/api/routes_metrics.py
    metrics_enabled: bool = False  # GET /metrics answers 404 until this is on
    metrics_token: str = ""  # Bearer token the scraper sends; empty: only clients on this host (loopback) may scrape
    metrics_dir: str = ""  # shared multiprocess directory; `archive serve` uses <data>/metrics when empty

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        from archive.jurisdiction import available_profiles  # the profile files, read at start-up

        if value not in available_profiles():
            raise ValueError(f"ARCHIVE_PROFILE '{value}' không có; chọn một trong: {', '.join(available_profiles())}")
        return value

    @model_validator(mode="after")
    def _defaults_under_data_dir(self) -> "Settings":
        d = self.data_dir.resolve()
        self.data_dir = d
        if not self.database_url:
            self.database_url = f"sqlite:///{d / 'archive.db'}"
        if not self.storage_url:
            self.storage_url = f"file://{d / 'objects'}"
        if not self.search_url:
            self.search_url = f"tantivy://{d / 'index'}"
        if not self.broker_url:
            self.broker_url = "filesystem://"
        return self

    @property
    def work_plugin_modules(self) -> tuple[str, ...]:
        return tuple(m.strip() for m in self.work_plugins.split(",") if m.strip())

    @property
    def queue_dir(self) -> Path:
        return self.data_dir / "queue"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def is_embedded_broker(self) -> bool:
        return self.broker_url.startswith("filesystem://")
