"""docker-credential-cs-registry: the protocol, byte for byte, and the cached hot path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cs_registry.context import Context
from cs_registry.credhelper import fast
from cs_registry.credhelper.entry import main
from cs_registry.ecr.cache import CachedToken, TokenCache
from tests.support.captured import CapturedContext, MakeCtx

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
NOT_FOUND = "credentials not found in native keychain\n"
KEYS = {
    "ECR_CONTAINER_REGISTRY_SERVER": ECR,
    "ECR_CONTAINER_REGISTRY_USER": "AKIAIOSFODNN7EXAMPLE",
    "ECR_CONTAINER_REGISTRY_PASSWORD": "aws-secret\n",  # a pasted newline is trimmed
}
PLAIN = {
    "GHCR_CONTAINER_REGISTRY_SERVER": "ghcr.io",
    "GHCR_CONTAINER_REGISTRY_USER": "octo",
    "GHCR_CONTAINER_REGISTRY_PASSWORD": "ghp_<&>",
}


def helper(ctx: CapturedContext, *args: str) -> tuple[int, str, str]:
    status = main(list(args), ctx)
    return status, ctx.stdout.getvalue(), ctx.stderr.getvalue()


def seed(ctx: Context, password: str = "cached-token", expires_in: float = 12 * 3600) -> None:
    cache = TokenCache(ctx.cache_dir)
    digest = cache.digest("AKIAIOSFODNN7EXAMPLE", "aws-secret", None)
    assert digest is not None
    now = time.time()
    cache.put(ECR, digest, CachedToken(password, now + expires_in, now))


def test_get_plain_triplet_is_go_json_with_newline(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(PLAIN, stdin="ghcr.io")

    assert helper(ctx, "get") == (
        0,
        '{"ServerURL":"ghcr.io","Username":"octo","Secret":"ghp_\\u003c\\u0026\\u003e"}\n',
        "",
    )


@pytest.mark.parametrize("asked", ["https://ghcr.io", "ghcr.io\n", "  https://GHCR.io/v2/ \n"])
def test_get_accepts_scheme_path_case_and_newline(make_ctx: MakeCtx, asked: str) -> None:
    ctx = make_ctx(PLAIN, stdin=asked)

    status, out, _err = helper(ctx, "get")

    assert status == 0
    assert json.loads(out) == {"ServerURL": asked.strip(), "Username": "octo", "Secret": "ghp_<&>"}


def test_miss_is_the_exact_not_found_text(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(PLAIN, stdin="registry.example.com")

    assert helper(ctx, "get") == (1, NOT_FOUND, "")


def test_unparseable_server_is_a_miss(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(PLAIN, stdin="ftp://what ever")

    assert helper(ctx, "get")[:2] == (1, NOT_FOUND)


def test_empty_stdin(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(PLAIN, stdin="")

    status, out, err = helper(ctx, "get")

    assert (status, out) == (1, "no credentials server URL\n")
    assert "no credentials server URL" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["fetch"], "Unknown credential action `fetch`\n"),
        ([], "Usage: docker-credential-cs-registry <store|get|erase|list|version>\n"),
        (["get", "extra"], "Usage: docker-credential-cs-registry <store|get|erase|list|version>\n"),
    ],
)
def test_bad_invocations(make_ctx: MakeCtx, args: list[str], expected: str) -> None:
    assert helper(make_ctx(), *args)[:2] == (1, expected)


def test_version(make_ctx: MakeCtx) -> None:
    from cs_registry import __version__

    assert helper(make_ctx(), "version") == (
        0,
        f"docker-credential-cs-registry (cs-registry) {__version__}\n",
        "",
    )


def test_list_maps_hosts_to_users_sorted(make_ctx: MakeCtx) -> None:
    ctx = make_ctx({**PLAIN, **KEYS})

    assert helper(ctx, "list") == (
        0,
        json.dumps({ECR: "AWS", "ghcr.io": "octo"}, separators=(",", ":")) + "\n",
        "",
    )


def test_store_is_refused_with_the_reason(make_ctx: MakeCtx) -> None:
    body = json.dumps({"ServerURL": "ghcr.io", "Username": "u", "Secret": "hunter2-secret"})
    ctx = make_ctx(PLAIN, stdin=body)

    status, out, err = helper(ctx, "store")

    assert status == 1
    assert out.startswith("docker-credential-cs-registry serves credentials from registry secrets")
    assert "hunter2-secret" not in out + err
    log = (ctx.cache_dir / "credhelper.log").read_text()
    assert "does not store any" in log
    assert "hunter2-secret" not in log
    assert oct((ctx.cache_dir / "credhelper.log").stat().st_mode & 0o777) == "0o600"


def test_store_with_bad_json(make_ctx: MakeCtx) -> None:
    assert helper(make_ctx(stdin="{"), "store")[:2] == (1, "invalid credentials JSON on stdin\n")


def test_store_without_username(make_ctx: MakeCtx) -> None:
    body = json.dumps({"ServerURL": "ghcr.io", "Username": "", "Secret": "x"})
    assert helper(make_ctx(stdin=body), "store")[:2] == (1, "no credentials username\n")


def test_get_ecr_from_cache(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(KEYS, stdin=f"https://{ECR}")
    seed(ctx)

    assert helper(ctx, "get") == (
        0,
        f'{{"ServerURL":"https://{ECR}","Username":"AWS","Secret":"cached-token"}}\n',
        "",
    )


def test_fast_path_agrees_with_the_full_path(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(KEYS, stdin=ECR)
    seed(ctx)

    assert fast.cached_get(ECR, ctx.environ, time.time()) == helper(ctx, "get")[1]


def test_fast_path_leaves_refresh_window_to_the_full_path(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(KEYS)
    seed(ctx, expires_in=1800)  # under an hour left

    assert fast.cached_get(ECR, ctx.environ, time.time()) is None


def test_expired_cache_and_failing_swap_tell_docker_why(make_ctx: MakeCtx) -> None:
    # nothing listens on port 9: the swap fails; the expired token must not be served
    ctx = make_ctx(
        {
            **KEYS,
            "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:9",
            "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",
        },
        stdin=ECR,
    )
    seed(ctx, expires_in=-60)

    status, out, err = helper(ctx, "get")

    assert status == 1
    assert "cached-token" not in out
    assert out.endswith("[ecr_unreachable]\n")
    assert out.startswith(f"ECR ({ECR}): ")
    assert "[ecr_unreachable]" in err
    assert "credhelper.log" in err
    assert "[ecr_unreachable]" in (ctx.cache_dir / "credhelper.log").read_text()


def test_session_token_required_reaches_docker(make_ctx: MakeCtx) -> None:
    env = {**KEYS, "ECR_CONTAINER_REGISTRY_USER": "ASIAIOSFODNN7EXAMPLE"}
    ctx = make_ctx(env, stdin=ECR)

    status, out, _err = helper(ctx, "get")

    assert status == 1
    assert "ECR_CONTAINER_REGISTRY_SESSION_TOKEN" in out
    assert out.endswith("[ecr_session_token_required]\n")


def test_erase_forgets_cached_tokens(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(KEYS, stdin=ECR)
    seed(ctx)

    assert helper(ctx, "erase") == (0, "", "")
    assert list((ctx.cache_dir / "ecr" / "tokens").glob("*.json")) == []


def test_cached_get_imports_nothing_heavy(tmp_path: Path) -> None:
    """A whole process answering from the cache imports no botocore, structlog, json, re, ..."""
    env = {**os.environ, **KEYS, "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    cache = TokenCache(tmp_path / "cs-registry")
    digest = cache.digest("AKIAIOSFODNN7EXAMPLE", "aws-secret", None)
    assert digest is not None
    cache.put(ECR, digest, CachedToken("tok", time.time() + 12 * 3600, time.time()))
    probe = (
        "import sys\n"
        "from cs_registry.credhelper.entry import main\n"
        "status = main(['get'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'botocore', 'docker', 'structlog', 'rich', 'argparse', 'tenacity', 'typing', "
        "'dataclasses', 'json', 're', 'hashlib', '_hashlib', 'collections'} "
        "or m in {'cs_registry.triplets', 'cs_registry.main', "
        "'cs_registry.context'})\n"
        "print(status, heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        input=ECR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout)["Secret"] == "tok"
    assert result.stderr.strip() == "0 []"


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quo"te',
        "back\\slash",
        "tab\tnew\nline\r",
        "<&>",
        "\u2028\u2029",
        "é€😀",
        "\x01\x1f",
    ],
)
def test_hot_path_encoder_is_valid_json_escaped_like_go(value: str) -> None:
    from cs_registry.credhelper import wire

    text = wire.credentials(value, "AWS", value)

    assert json.loads(text) == {"ServerURL": value, "Username": "AWS", "Secret": value}
    assert text.endswith("}\n")
    assert not set("<>&\u2028\u2029") & set(text)


def test_failure_log_is_rotated_at_a_megabyte(make_ctx: MakeCtx) -> None:
    ctx = make_ctx(PLAIN, stdin="")
    ctx.cache_dir.mkdir(parents=True)
    log = ctx.cache_dir / "credhelper.log"
    log.write_bytes(b"x" * ((1 << 20) + 1))

    helper(ctx, "get")

    assert (ctx.cache_dir / "credhelper.log.1").stat().st_size == (1 << 20) + 1
    assert log.read_text().rstrip().endswith("no credentials server URL")
