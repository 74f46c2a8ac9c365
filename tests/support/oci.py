"""Images uploaded through the registry API: blobs and manifests PUT directly, no pulls.

Each image is one tiny gzip layer and a config naming its platform; an index (OCI) or
manifest list (Docker) ties several together. Works against Basic (htpasswd) and
token registries: a 401 with a Bearer challenge is answered with a token fetched with
the uploader's credentials, as a docker push would.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
_TIMEOUT = 30


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Pushed:
    """What an upload produced: the manifest's digest, media type and size."""

    digest: str
    media_type: str
    size: int
    config_digest: str = ""


class Uploader:
    """PUTs blobs and manifests into ``base_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base_url: str, username: str | None, password: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self._basic = None
        if username is not None and password is not None:
            pair = base64.b64encode(f"{username}:{password}".encode()).decode()
            self._basic = f"Basic {pair}"
        self._tokens: dict[str, str] = {}

    def _token(self, challenge: str) -> str:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        query = urlencode({"service": fields.get("service", ""), "scope": fields.get("scope", "")})
        request = urllib.request.Request(f"{fields['realm']}?{query}")
        if self._basic:
            request.add_header("Authorization", self._basic)
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
            return str(json.loads(answer.read())["token"])

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request; a Bearer challenge is answered once with a fresh token."""
        url = path if path.startswith("http") else self.base_url + path
        # tokens are per repository: NAME is what comes between /v2/ and /blobs|manifests/
        repository = re.split("/(?:blobs|manifests)/", path.rsplit("/v2/", maxsplit=1)[-1])[0]
        for attempt in range(2):
            request = urllib.request.Request(url, data=body, method=method)
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            token = self._tokens.get(repository)
            if token:
                request.add_header("Authorization", f"Bearer {token}")
            elif self._basic:
                request.add_header("Authorization", self._basic)
            try:
                with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
                    return answer.status, dict(answer.headers.items()), answer.read()
            except urllib.error.HTTPError as error:
                challenge = error.headers.get("WWW-Authenticate", "")
                if error.code == 401 and challenge.startswith("Bearer") and attempt == 0:
                    self._tokens[repository] = self._token(challenge)
                    continue
                return error.code, dict(error.headers.items()), error.read()
        raise AssertionError("unreachable")

    def blob(self, name: str, data: bytes) -> str:
        """Upload ``data`` into ``name`` (POST then monolithic PUT); return its digest."""
        digest = digest_of(data)
        status, headers, said = self.call("POST", f"/v2/{name}/blobs/uploads/")
        assert status == 202, (status, said)
        location = headers["Location"]
        if location.startswith("/"):
            location = self.base_url + location
        joiner = "&" if "?" in location else "?"
        status, _, said = self.call(
            "PUT",
            f"{location}{joiner}{urlencode({'digest': digest})}",
            data,
            {"Content-Type": "application/octet-stream"},
        )
        assert status == 201, (status, said)
        return digest

    def manifest(self, name: str, reference: str, document: dict[str, Any]) -> Pushed:
        """PUT a manifest or index under a tag (or its digest)."""
        data = json.dumps(document, separators=(",", ":")).encode()
        media_type = str(document["mediaType"])
        status, _, said = self.call(
            "PUT", f"/v2/{name}/manifests/{reference}", data, {"Content-Type": media_type}
        )
        assert status == 201, (status, said)
        return Pushed(digest_of(data), media_type, len(data))

    def delete_blob(self, name: str, digest: str) -> None:
        """Unlink a blob from the repository (the registry must allow deletes)."""
        status, _, said = self.call("DELETE", f"/v2/{name}/blobs/{digest}")
        assert status == 202, (status, said)

    def image(
        self, name: str, tag: str | None, arch: str, *, oci: bool, variant: str = ""
    ) -> Pushed:
        """One single-platform image: a one-file layer and a config for ``linux/arch``."""
        raw = _layer_tar(f"{name} linux/{arch}\n")
        layer = gzip.compress(raw, mtime=0)
        platform: dict[str, Any] = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        config = json.dumps(
            {
                **platform,
                "config": {"Cmd": ["/hello.txt"]},
                "rootfs": {"type": "layers", "diff_ids": [digest_of(raw)]},
            }
        ).encode()
        config_digest = self.blob(name, config)
        layer_digest = self.blob(name, layer)
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST if oci else DOCKER_MANIFEST,
            "config": {
                "mediaType": OCI_CONFIG if oci else DOCKER_CONFIG,
                "digest": config_digest,
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": OCI_LAYER if oci else DOCKER_LAYER,
                    "digest": layer_digest,
                    "size": len(layer),
                }
            ],
        }
        data = json.dumps(document, separators=(",", ":")).encode()
        pushed = self.manifest(name, tag or digest_of(data), document)
        pushed.config_digest = config_digest
        return pushed

    def feature(self, name: str, tag: str) -> Pushed:
        """A Dev Container Feature as the devcontainers CLI publishes it: an OCI artifact."""
        layer = _layer_tar('{"id": "demo", "version": "1.0.0"}\n')
        config = b"{}"
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.devcontainers",
                "digest": self.blob(name, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.devcontainers.layer.v1+tar",
                    "digest": self.blob(name, layer),
                    "size": len(layer),
                }
            ],
        }
        return self.manifest(name, tag, document)

    def index(self, name: str, tag: str, arches: list[str], *, oci: bool) -> Pushed:
        """An OCI index (``oci``) or a Docker manifest list over one image per architecture."""
        entries = []
        for arch in arches:
            variant = "v8" if arch == "arm64" else ""
            child = self.image(name, None, arch, oci=oci, variant=variant)
            platform = {"architecture": arch, "os": "linux"}
            if variant:
                platform["variant"] = variant
            entries.append(
                {
                    "mediaType": child.media_type,
                    "digest": child.digest,
                    "size": child.size,
                    "platform": platform,
                }
            )
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX if oci else DOCKER_LIST,
            "manifests": entries,
        }
        return self.manifest(name, tag, document)


def _layer_tar(content: str) -> bytes:
    data = content.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
