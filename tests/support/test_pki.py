"""A test PKI for the signing tests: a root CA, an intermediate, three signers and a stranger.

Built with `cryptography` in memory once per process (RSA 2048, SHA-256): the person who
declares (người kê khai), the HR head who verifies (trưởng bộ phận tổ chức cán bộ), the unit
head who approves (thủ trưởng đơn vị), each as a PKCS#12 with the chain; and a certificate
issued by an unknown CA, whose signatures the archive must refuse. No network: no OCSP, no
CRL distribution points, no timestamp server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = "mat-khau-chung-thu"


@dataclass(frozen=True)
class Identity:
    name: str
    cert_pem: bytes
    p12: bytes          # key + certificate + chain, protected by PASSWORD
    fingerprint: str    # SHA-256 of the certificate's DER, hex


@dataclass(frozen=True)
class TestPki:
    root_pem: bytes
    intermediate_pem: bytes
    person: Identity
    hr_head: Identity
    unit_head: Identity
    stranger: Identity        # issued by an unknown root
    stranger_root_pem: bytes


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Nội vụ (thử nghiệm)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(cn: str, key: rsa.RSAPrivateKey, issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
        now: datetime) -> x509.Certificate:
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (_name(cn), key)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf(cn: str, issuer: tuple[x509.Certificate, rsa.RSAPrivateKey], chain: list[x509.Certificate],
          now: datetime) -> Identity:
    key = _key()
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer[0].subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
                           critical=False)
            .sign(issuer[1], hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        cn.encode(), key, cert, chain,
        serialization.BestAvailableEncryption(PASSWORD.encode()))
    return Identity(cn, cert.public_bytes(serialization.Encoding.PEM), p12,
                    cert.fingerprint(hashes.SHA256()).hex())


@lru_cache(maxsize=1)
def test_pki() -> TestPki:
    now = datetime.now(UTC)
    root_key, inter_key, other_key = _key(), _key(), _key()
    root = _ca("CA gốc thử nghiệm", root_key, None, now)
    inter = _ca("CA trung gian thử nghiệm", inter_key, (root, root_key), now)
    other = _ca("CA lạ", other_key, None, now)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    return TestPki(
        root_pem=pem(root), intermediate_pem=pem(inter),
        person=_leaf("Nguyễn Văn An", (inter, inter_key), [inter], now),
        hr_head=_leaf("Trần Thị Bình", (inter, inter_key), [inter], now),
        unit_head=_leaf("Lê Văn Cường", (inter, inter_key), [inter], now),
        stranger=_leaf("Người lạ", (other, other_key), [other], now),
        stranger_root_pem=pem(other),
    )


test_pki.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
TestPki.__test__ = False  # type: ignore[attr-defined]
