"""A throw-away certificate authority for TLS registries in tests.

``make_ca`` writes a self-signed CA; ``CA.issue`` signs leaf certificates whose
subjectAltNames are exactly the names given (IP literals become IPAddress SANs),
valid for a chosen window, so tests can build expired or wrongly named certificates.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Leaf certificates and the CA are valid from a little in the past, so a few
# seconds of clock difference between the test and the registry never matter.
_BACKDATE = timedelta(hours=1)
_LIFETIME = timedelta(days=2)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


@dataclass
class CA:
    """A certificate authority: its PEM certificate, private key and cert file."""

    cert_pem: bytes
    key: ec.EllipticCurvePrivateKey
    cert_path: Path

    @property
    def certificate(self) -> x509.Certificate:
        """The parsed CA certificate."""
        return x509.load_pem_x509_certificate(self.cert_pem)

    def issue(
        self,
        directory: Path,
        names: list[str],
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        client: bool = False,
    ) -> tuple[Path, Path]:
        """Sign a server certificate for ``names``; return ``(cert_path, key_path)``.

        The first name is also the subject's common name. Pass ``not_after`` in the
        past for an expired certificate, or names that do not match the host for a
        hostname mismatch. ``client``: a client certificate (TLS client authentication,
        as a docker CLI presents to a ``--tlsverify`` daemon) instead of a server one.
        """
        if not names:
            raise ValueError("a leaf certificate needs at least one name")
        now = datetime.now(timezone.utc)
        start = not_before if not_before is not None else now - _BACKDATE
        end = not_after if not_after is not None else now + _LIFETIME
        if start >= end:
            # cryptography refuses an empty window; keep "expired" certificates valid X.509.
            start = end - _LIFETIME
        key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = self.certificate
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        stem = names[0].replace(":", "_").replace("/", "_")
        cert_path = _write(directory / f"{stem}.crt", cert.public_bytes(serialization.Encoding.PEM))
        key_path = _write(directory / f"{stem}.key", _key_pem(key), 0o600)
        return cert_path, key_path


def make_ca(directory: Path, name: str = "cs-registry test CA") -> CA:
    """Create a self-signed CA in ``directory`` (``ca.crt``, ``ca.key``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + _LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path = _write(directory / "ca.crt", cert_pem)
    _write(directory / "ca.key", _key_pem(key), 0o600)
    return CA(cert_pem=cert_pem, key=key, cert_path=cert_path)
