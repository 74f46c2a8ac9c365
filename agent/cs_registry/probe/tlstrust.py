"""Which certificates we trust for a registry, and what a failed handshake means.

Trust is what the Docker daemon uses: the system store, plus every ``*.crt`` in
``/etc/docker/certs.d/HOST[:PORT]/``, plus ``--ca-file``. OpenSSL's verify codes
tell an unknown CA from a name mismatch from an expired certificate precisely.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
from pathlib import Path

from cs_registry import files
from cs_registry.diagnosis import Code

DOCKER_CERTS_D = Path("/etc/docker/certs.d")
_HASHED = re.compile(r"[0-9a-f]{8}\.[0-9]+")

# OpenSSL X509_V_ERR_* values (include/openssl/x509_vfy.h)
_EXPIRED = {9: "not valid yet", 10: "expired"}
_UNKNOWN_CA = {2, 18, 19, 20, 21}
_MISMATCH = {62, 63, 64}


class TrustError(Exception):
    """A CA file we were told to use cannot be loaded."""


def trust_context(
    host: str, *, ca_file: Path | None, certs_d: Path = DOCKER_CERTS_D
) -> tuple[ssl.SSLContext, list[str]]:
    """A verifying context for ``host`` (``host[:port]`` as Docker names the certs.d folder).

    Returns the context and the extra CA files loaded, for the step's detail.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and host name
    _load_system_store(context)
    loaded: list[str] = []
    folder = certs_d / host
    try:
        extra = sorted(folder.glob("*.crt")) if folder.is_dir() else []
    except OSError:
        extra = []
    if ca_file is not None:
        extra.append(ca_file)
    for path in extra:
        try:
            context.load_verify_locations(cadata=_pem(path))
        except (ValueError, ssl.SSLError) as exc:  # no certificate in it, a broken one
            raise TrustError(f"cannot load CA file {path}: {exc}") from None
        loaded.append(str(path))
    return context, loaded


def _pem(path: Path) -> str:
    """The PEM text of a CA file, read through the safe file layer: OpenSSL's own open
    would wait forever on a FIFO and read a device without end."""
    try:
        raw = files.read_file(path, limit=files.TEXT_LIMIT, what="CA file")
    except files.FileError as exc:
        raise TrustError(exc.message) from None
    if raw is None:
        raise TrustError(f"cannot load CA file {path}: no such file")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise TrustError(f"cannot load CA file {path}: not PEM text") from None


@functools.lru_cache(maxsize=1)
def _hashed_store() -> str | None:
    """The system's hashed CA directory, when there is one and no override is set."""
    paths = ssl.get_default_verify_paths()
    override = os.environ.get(paths.openssl_cafile_env)
    if override and os.path.realpath(override) != os.path.realpath(paths.openssl_cafile):
        return None  # SSL_CERT_FILE names another bundle: honour it
    if not paths.capath:
        return None
    try:
        names = os.listdir(paths.capath)
    except OSError:
        return None
    return paths.capath if any(_HASHED.fullmatch(name) for name in names) else None


def _load_system_store(context: ssl.SSLContext) -> None:
    # Parsing the whole CA bundle costs ~50 ms; the hashed directory holds the same
    # CAs and OpenSSL reads only the one a chain needs. Fall back to the bundle.
    capath = _hashed_store()
    if capath is not None:
        context.load_verify_locations(capath=capath)
    else:
        context.load_default_certs()


def unverified_context() -> ssl.SSLContext:
    """What Docker uses for an insecure registry: TLS without verification."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def classify(exc: ssl.SSLError) -> tuple[Code, str]:
    """The diagnosis code and a plain detail for a failed handshake."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        verify_code = exc.verify_code
        message = exc.verify_message or getattr(exc, "reason", None) or str(exc)
        if verify_code in _EXPIRED:
            return Code.TLS_EXPIRED, f"the certificate is {_EXPIRED[verify_code]} ({message})"
        if verify_code in _UNKNOWN_CA:
            return (
                Code.TLS_UNKNOWN_CA,
                f"the certificate is signed by an authority this machine does not trust "
                f"({message})",
            )
        if verify_code in _MISMATCH:
            return Code.TLS_HOSTNAME_MISMATCH, f"the certificate is for another name ({message})"
        return Code.TLS_ERROR, f"certificate verification failed ({message})"
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    return Code.TLS_ERROR, f"TLS handshake failed ({reason})"


def is_verification_error(exc: BaseException) -> bool:
    """Whether the handshake worked and only the certificate was refused."""
    return isinstance(exc, ssl.SSLCertVerificationError)


__all__ = [
    "DOCKER_CERTS_D",
    "TrustError",
    "classify",
    "is_verification_error",
    "trust_context",
    "unverified_context",
]
