"""docker-credential-cs-registry as a process: swaps, concurrency, and the real docker CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support import fakeaws
from tests.support.images import DockerCommandError, docker, push_with_login, remove_image
from tests.support.moto import MOTO_PASSWORD, Moto
from tests.support.registry import Registry

BIN = Path(sys.executable).parent
HELPER = str(BIN / "docker-credential-cs-registry")
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp),
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "LANG": "C.UTF-8",
        **extra,
    }


def ecr_triplet(user: str = "AKIAIOSFODNN7EXAMPLE") -> dict[str, str]:
    return {
        "ECR_CONTAINER_REGISTRY_SERVER": ECR,
        "ECR_CONTAINER_REGISTRY_USER": user,
        "ECR_CONTAINER_REGISTRY_PASSWORD": "aws-secret",
    }


def get(env: dict[str, str], server: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HELPER, "get"],
        input=server,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_get_swaps_against_moto(tmp_path: Path, moto: Moto) -> None:
    result = get(env_for(tmp_path, **moto.endpoint_env(), **ecr_triplet()), f"https://{ECR}\n")

    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {
        "ServerURL": f"https://{ECR}",
        "Username": "AWS",
        "Secret": MOTO_PASSWORD,
    }
    # moto's token expired in 2015: served (AWS said so), and the oddity is logged
    assert "ecr_token_already_expired" in result.stderr


def test_concurrent_helpers_share_one_swap(tmp_path: Path) -> None:
    with fakeaws.fake_aws() as fake:
        expires = time.time() + 12 * 3600
        fake.answer(
            "ecr", fakeaws.Answer(**{**vars(fakeaws.token("shared", expires)), "delay": 0.5})
        )
        env = env_for(tmp_path, **fake.endpoint_env(), **ecr_triplet())

        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda _: get(env, ECR), range(6)))

        assert [r.returncode for r in results] == [0] * 6, [r.stdout for r in results]
        assert {json.loads(r.stdout)["Secret"] for r in results} == {"shared"}
        assert len(fake.calls("ecr")) == 1


def test_second_get_is_answered_from_the_cache_without_aws(tmp_path: Path) -> None:
    with fakeaws.fake_aws() as fake:
        expires = time.time() + 12 * 3600
        fake.answer("ecr", fakeaws.token("cached", expires), fakeaws.error("AccessDenied", "no"))
        env = env_for(tmp_path, **fake.endpoint_env(), **ecr_triplet())

        first, second = get(env, ECR), get(env, f"https://{ECR}")

        assert (first.returncode, second.returncode) == (0, 0)
        assert json.loads(second.stdout)["Secret"] == "cached"
        assert len(fake.calls("ecr")) == 1


def test_failure_reaches_docker_user_and_log(tmp_path: Path) -> None:
    with fakeaws.fake_aws() as fake:
        fake.answer("ecr", fakeaws.error("AccessDeniedException", "no"))
        fake.answer("sts", fakeaws.caller("arn:aws:iam::123456789012:user/dev"))
        env = env_for(tmp_path, **fake.endpoint_env(), **ecr_triplet())

        result = get(env, ECR)

    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert result.stdout.endswith("[ecr_access_denied]\n")
    assert "ecr:GetAuthorizationToken" in result.stdout
    assert "[ecr_access_denied]" in result.stderr
    log = (tmp_path / "cache" / "cs-registry" / "credhelper.log").read_text()
    assert "ecr:GetAuthorizationToken" in log
    assert "aws-secret" not in log + result.stdout + result.stderr


@pytest.fixture
def pushed(registry_plain: Registry) -> Iterator[str]:
    reference = push_with_login(registry_plain, "credhelper/tiny", uuid.uuid4().hex[:12])
    yield reference
    remove_image(reference)


def test_docker_pull_gets_credentials_from_the_helper(
    tmp_path: Path, registry_plain: Registry, pushed: str
) -> None:
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(
        json.dumps({"credHelpers": {registry_plain.host: "cs-registry"}})
    )
    triplet = {
        "REG_CONTAINER_REGISTRY_SERVER": f"http://{registry_plain.host}/",
        "REG_CONTAINER_REGISTRY_USER": str(registry_plain.username),
        "REG_CONTAINER_REGISTRY_PASSWORD": str(registry_plain.password),
    }

    result = subprocess.run(
        ["docker", "--config", str(config), "pull", pushed],
        env=env_for(tmp_path, **triplet),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert docker("image", "inspect", "--format", "{{.Id}}", pushed).startswith("sha256:")


def test_docker_treats_a_miss_as_no_credentials(
    tmp_path: Path, registry_plain: Registry, pushed: str
) -> None:
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(
        json.dumps({"credHelpers": {registry_plain.host: "cs-registry"}})
    )

    result = subprocess.run(
        ["docker", "--config", str(config), "pull", pushed],
        env=env_for(tmp_path),  # no triplet: the helper misses
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    # the miss text made Docker pull anonymously (the registry refused), not report a broken helper
    assert "error getting credentials" not in result.stderr
    assert "no basic auth credentials" in result.stderr or "unauthorized" in result.stderr
    with pytest.raises(DockerCommandError):
        docker("image", "inspect", pushed)
