"""Chữ ký số (PAdES) on a declaration PDF: sign with a PKCS#12, append signatures, validate.

Pure functions of bytes and certificates (no database): archive.services.declarations calls
them and keeps what they return. pyHanko does the PDF and CMS work:

- `sign` appends one signature as an incremental update (the bytes before it are kept as they
  are), so the second and third signatures leave the first valid — each covers its own revision.
- `validate` checks every signature: intact (the hash over its byte range matches), valid (the
  CMS signature verifies), trusted (the signer's chain ends at one of the configured roots),
  and that what was appended after it is only more signatures (pyHanko's diff policy).
- `check_upload` is the "ký ở nơi khác" path (USB tokens sign outside the browser): the uploaded
  PDF must begin with exactly the bytes we issued, add exactly one signature covering the whole
  file, and that signature must validate against the trusted roots.

Network: when `tsa_url` is set (ARCHIVE_SIGN_TSA_URL) each signature gets an RFC 3161 timestamp;
with `fetch_revocation` (ARCHIVE_SIGN_OCSP=fetch) OCSP/CRL are fetched from the certificates' URLs,
embedded on signing (LTV) and consulted on validation. Both off by default: the archive runs
offline here and a chain is then checked against the trusted roots only (revocation soft-fail).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from archive.errors import InvalidInput


T = TypeVar("T")


class SignatureRefused(InvalidInput):
    """An uploaded signed PDF that the archive does not accept (message says why, in Vietnamese)."""


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF as validation found it."""

    field_name: str
    signer_subject: str
    signer_fingerprint: str      # SHA-256 of the signer certificate's DER, hex
    signed_at: datetime | None   # the signer's own claimed time (or the timestamp's, when there is one)
    intact: bool
    valid: bool
    trusted: bool
    modifications_ok: bool       # what came after it is only more signatures (form filling at most)
    covers_whole_file: bool
    signed_length: int           # bytes of the revision it signs (its ByteRange end)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.modifications_ok

    def to_dict(self) -> dict:
        return {"field": self.field_name, "signer": self.signer_subject, "fingerprint": self.signer_fingerprint,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None, "intact": self.intact,
                "valid": self.valid, "trusted": self.trusted, "modifications_ok": self.modifications_ok,
                "ok": self.ok}


def load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or many) or one DER; InvalidInput when there are none."""
    try:
        if asn1_pem.detect(data):
            return [asn1_x509.Certificate.load(der) for _t, _h, der in asn1_pem.unarmor(data, multiple=True)]
        cert = asn1_x509.Certificate.load(data)
        cert.native  # parse now: a malformed DER raises here, not later
        return [cert]
    except (ValueError, TypeError):
        raise InvalidInput("Tệp chứng thư số không đọc được (cần PEM hoặc DER).") from None


def fingerprint(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def subject_of(cert: asn1_x509.Certificate) -> str:
    """The certificate's common name (tên người được cấp), else its whole subject."""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)


@dataclass(frozen=True)
class KeyInfo:
    """What a PKCS#12 holds, without its key: the signer certificate and the chain beside it."""

    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


def read_pkcs12(p12: bytes, password: str) -> KeyInfo:
    """The certificate and chain of a PKCS#12; InvalidInput (wrong password, not a PKCS#12) otherwise."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    try:
        _key, cert, others = pkcs12.load_key_and_certificates(p12, password.encode() if password else None)
    except (ValueError, TypeError):
        raise InvalidInput("Không mở được tệp khóa PKCS#12: sai mật khẩu hoặc tệp không phải PKCS#12.") from None
    if cert is None or _key is None:
        raise InvalidInput("Tệp PKCS#12 không có khóa riêng và chứng thư số đi kèm.")
    load = lambda c: asn1_x509.Certificate.load(c.public_bytes(Encoding.DER))  # noqa: E731
    return KeyInfo(load(cert), tuple(load(c) for c in others or ()))


def _validation_context(roots: list[asn1_x509.Certificate], extra: list[asn1_x509.Certificate], *,
                        fetch_revocation: bool):  # noqa: ANN202
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=roots, other_certs=extra, allow_fetching=fetch_revocation,
                             revocation_mode="soft-fail")


def _off_event_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` here, or in a worker thread when this thread runs an event loop: pyHanko's sync API
    calls asyncio.run(), which refuses to start inside a running loop (an async caller, Playwright)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def sign(pdf: bytes, p12: bytes, password: str, **options: Any) -> bytes:
    """`pdf` with one more PAdES signature (incremental update) made with the PKCS#12's key.

    options: field_name, reason, location, name, tsa_url, fetch_revocation, roots (see _sign)."""
    return _off_event_loop(_sign, pdf, p12, password, **options)


def validate(pdf: bytes, roots: list[asn1_x509.Certificate], **options: Any) -> list[SignatureCheck]:
    """Every signature of `pdf`, oldest first, checked against `roots`; [] when it has none.

    options: extra_certs, fetch_revocation. InvalidInput when the file is not a PDF pyHanko can read."""
    return _off_event_loop(_validate, pdf, roots, **options)


def _sign(pdf: bytes, p12: bytes, password: str, *, field_name: str, reason: str, location: str = "",
         name: str = "", tsa_url: str = "", fetch_revocation: bool = False,
         roots: list[asn1_x509.Certificate] | None = None) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    read_pkcs12(p12, password)  # the Vietnamese refusal for a wrong password or a broken file
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=password.encode() or None)
    except ValueError:
        raise InvalidInput("Không mở được tệp khóa PKCS#12: sai mật khẩu hoặc tệp không phải PKCS#12.") from None
    timestamper = None
    if tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url)
    ltv = fetch_revocation and roots is not None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, name=name or None,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        embed_validation_info=ltv,
        validation_context=_validation_context(list(roots or []), [], fetch_revocation=True) if ltv else None)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(writer)
    except Exception as exc:  # pyHanko raises many kinds; a person needs one sentence
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput("Không ký được tệp PDF (tệp hỏng, hoặc máy chủ dấu thời gian không trả lời).") from exc
    return out.getvalue()


def _validate(pdf: bytes, roots: list[asn1_x509.Certificate], *, extra_certs: list[asn1_x509.Certificate] = (),
              fetch_revocation: bool = False) -> list[SignatureCheck]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:
        raise InvalidInput("Tệp tải lên không phải tệp PDF đọc được.") from None
    out: list[SignatureCheck] = []
    for sig in embedded:
        try:
            vc = _validation_context(roots, list(extra_certs), fetch_revocation=fetch_revocation)
            status = validate_pdf_signature(sig, vc)
            intact, valid, trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
            mods_ok = status.modification_level is not None and status.docmdp_ok is not False
            from pyhanko.sign.diff_analysis import ModificationLevel

            mods_ok = mods_ok and status.modification_level <= ModificationLevel.FORM_FILLING
            coverage = status.coverage
            when = status.timestamp_validity.timestamp if status.timestamp_validity else sig.self_reported_timestamp
        except Exception:  # a broken CMS blob or byte range: not a valid signature, not a crash
            intact = valid = trusted = mods_ok = False
            coverage, when = None, None
        cert = sig.signer_cert
        byte_range = [int(v) for v in sig.byte_range]
        out.append(SignatureCheck(
            field_name=str(sig.field_name), signer_subject=subject_of(cert), signer_fingerprint=fingerprint(cert),
            signed_at=when, intact=intact, valid=valid, trusted=trusted, modifications_ok=mods_ok,
            covers_whole_file=coverage == SignatureCoverageLevel.ENTIRE_FILE,
            signed_length=byte_range[2] + byte_range[3]))
    return out


def check_upload(issued: bytes, uploaded: bytes, roots: list[asn1_x509.Certificate], *,
                 fetch_revocation: bool = False) -> SignatureCheck:
    """The one new signature of a PDF signed elsewhere, once it is shown to sign exactly what we issued.

    SignatureRefused (Vietnamese) when: the upload does not begin with the issued bytes, it adds
    no signature or more than one, the new signature does not cover the whole file, or it does
    not validate (altered, broken) or its certificate does not chain to a trusted root."""
    if len(uploaded) <= len(issued) or uploaded[: len(issued)] != issued:
        raise SignatureRefused("Tệp tải lên không phải bản đã phát hành để ký: nội dung đã bị thay đổi.")
    before = validate(issued, roots, fetch_revocation=fetch_revocation)
    after = validate(uploaded, roots, fetch_revocation=fetch_revocation)
    new = after[len(before):]
    if len(new) != 1:
        raise SignatureRefused("Tệp tải lên phải có đúng một chữ ký số mới trên bản đã phát hành.")
    sig = new[0]
    if not sig.covers_whole_file or sig.signed_length != len(uploaded):
        raise SignatureRefused("Chữ ký số mới không bao trùm toàn bộ tệp tải lên.")
    if not (sig.intact and sig.valid):
        raise SignatureRefused("Chữ ký số trên tệp tải lên không hợp lệ: tệp đã bị sửa sau khi ký.")
    if not sig.trusted:
        raise SignatureRefused("Chứng thư số đã ký tệp này không do tổ chức chứng thực được tin cậy cấp; "
                               "tệp bị từ chối.")
    if not all(s.ok for s in after[: len(before)]):
        raise SignatureRefused("Các chữ ký số trước đó trên tệp không còn hợp lệ.")
    return sig
