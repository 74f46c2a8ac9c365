"""Server normalisation, Docker's config key and registry kinds (servers.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_registry.diagnosis import Code
from cs_registry.servers import (
    DOCKER_HUB_KEY,
    Kind,
    ServerError,
    classify,
    config_key_for,
    match_ecr,
    normalise,
)
from cs_registry.status import ExitStatus

VAR = "GHCR_CONTAINER_REGISTRY_SERVER"


@pytest.mark.parametrize(
    ("raw", "key", "fix"),
    [
        ("ghcr.io", "ghcr.io", None),
        ("  ghcr.io\n", "ghcr.io", "removed surrounding whitespace"),
        ("https://ghcr.io", "ghcr.io", "removed scheme 'https://'"),
        ("http://ghcr.io", "ghcr.io", "removed scheme 'http://'"),
        ("ghcr.io/", "ghcr.io", "removed trailing slash"),
        ("ghcr.io/octo/app", "ghcr.io", "removed path '/octo/app'"),
        ("GHCR.IO", "ghcr.io", "lower-cased the host"),
        ("ghcr.io.", "ghcr.io", "removed trailing dot"),
        ("localhost:5000", "localhost:5000", None),
        ("Registry.Example.com:8443/v2/", "registry.example.com:8443", "removed path '/v2/'"),
        ("127.0.0.1:5000", "127.0.0.1:5000", None),
        ("10.1.2.3", "10.1.2.3", None),
        ("1password.example.com", "1password.example.com", None),
        ("[::1]:5000", "[::1]:5000", None),
        ("[FE80::1]", "[fe80::1]", "lower-cased the host"),
    ],
)
def test_normalise_gives_the_bare_key_and_says_what_it_fixed(
    raw: str, key: str, fix: str | None
) -> None:
    server = normalise(raw, VAR)
    assert server.key == key
    assert server.host == key
    if fix is None:
        assert server.fixes == ()
    else:
        assert fix in server.fixes


def test_port_is_kept_and_hostname_splits_it_off() -> None:
    server = normalise("https://Example.com:5000/x", VAR)
    assert server.key == "example.com:5000"
    assert server.hostname == "example.com"
    assert normalise("[::1]:5000").hostname == "::1"


@pytest.mark.parametrize(
    "raw",
    [
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "https://registry-1.docker.io/v2/",
        "hub.docker.com",
        "DOCKER.IO",
    ],
)
def test_docker_hub_aliases_use_the_docker_hub_key(raw: str) -> None:
    server = normalise(raw, VAR)
    assert server.key == DOCKER_HUB_KEY
    assert server.host == "registry-1.docker.io"
    assert server.kind is Kind.DOCKER_HUB


@pytest.mark.parametrize("raw", [DOCKER_HUB_KEY, "https://index.docker.io/v1"])
def test_the_canonical_docker_hub_key_gives_no_warning(raw: str) -> None:
    server = normalise(raw, VAR)
    assert server.key == DOCKER_HUB_KEY
    assert server.fixes == ()


def test_docker_hub_with_a_port_is_not_the_hub_key() -> None:
    assert normalise("docker.io:443").key == "docker.io:443"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("ghcr .io", "whitespace or control characters"),
        ("ghcr\x00.io", "whitespace or control characters"),
        ("ftp://ghcr.io", "is not http(s)"),
        ("user@ghcr.io", "put the user in _USER"),
        ("ghcr.io?x=1", "is not a host[:port]"),
        ("ghcr.io#frag", "is not a host[:port]"),
        ("gḧcr.io", "punycode"),
        ("ghcr.io:0", "port '0'"),
        ("ghcr.io:65536", "port '65536'"),
        ("ghcr.io:http", "port 'http'"),
        ("ghcr.io:", "port ''"),
        ("ghcr.io:\uff15\uff10\uff10\uff10", "non-ASCII"),  # fullwidth digits
        ("::1", "must be in brackets"),
        ("[::1", "unclosed '['"),
        ("[not-v6]:5000", "is not an IPv6 address"),
        ("[::1]x", "unexpected 'x'"),
        ("-bad.example.com", "is not a valid host name"),
        ("bad_host.example.com", "is not a valid host name"),
        ("a" * 64 + ".com", "is not a valid host name"),
        ("10.0.0.256:5000", "'10.0.0.256' is not a valid IPv4 address"),
        ("127.1", "is not a valid IPv4 address"),
        ("999.1.1.1", "is not a valid IPv4 address"),
        ("registry.123", "is not a valid IPv4 address"),
        ("https://", "names no host"),
        ("https:///ghcr.io", "names no host"),
        ("..", "is not a valid host name"),
    ],
)
def test_unfixable_values_raise_malformed_server_naming_the_variable(raw: str, words: str) -> None:
    with pytest.raises(ServerError) as caught:
        normalise(raw, VAR)
    assert VAR in caught.value.message
    assert words in caught.value.message
    assert caught.value.code == Code.MALFORMED_SERVER
    assert caught.value.status is ExitStatus.USAGE


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("registry-1.docker.io", Kind.DOCKER_HUB),
        ("ghcr.io", Kind.GHCR),
        ("docker.pkg.github.com", Kind.GHCR),
        ("public.ecr.aws", Kind.ECR_PUBLIC),
        ("ecr-public.aws.com", Kind.ECR_PUBLIC),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", Kind.ECR),
        ("myreg.azurecr.io", Kind.ACR),
        ("myreg.azurecr.cn", Kind.ACR),
        ("gcr.io", Kind.GCR),
        ("eu.gcr.io", Kind.GCR),
        ("europe-west1-docker.pkg.dev", Kind.GCR),
        ("registry.gitlab.com", Kind.OTHER),
        ("localhost", Kind.OTHER),
        ("azurecr.io.evil.com", Kind.OTHER),
        ("notgcr.io", Kind.OTHER),
    ],
)
def test_classify(host: str, kind: Kind) -> None:
    assert classify(host) is kind


@pytest.mark.parametrize(
    ("host", "region", "fips", "dual"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1", False, False),
        ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", True, False),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1", False, False),
        ("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1", False, False),
        ("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", False, False),
        ("123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", False, False),
        ("123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1", False, False),
        ("123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1", False, False),
        ("123456789012.dkr-ecr.eu-west-1.on.aws", "eu-west-1", False, True),
        ("123456789012.dkr-ecr-fips.us-east-1.on.aws", "us-east-1", True, True),
        ("123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn", "cn-north-1", False, True),
        ("123456789012.dkr.ecr.us-west-2.on.aws", "us-west-2", False, False),
    ],
)
def test_ecr_hosts_in_every_partition(host: str, region: str, fips: bool, dual: bool) -> None:
    found = match_ecr(host)
    assert found is not None
    assert (found.account, found.region, found.fips, found.dual_stack) == (
        "123456789012",
        region,
        fips,
        dual,
    )
    server = normalise(f"https://{host}/", "ECR_CONTAINER_REGISTRY_SERVER")
    assert server.kind is Kind.ECR
    assert server.region == region
    assert server.key == host


@pytest.mark.parametrize(
    "host",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com\n",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.",
        "12345678901.dkr.ecr.us-east-1.amazonaws.com",
        "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
        "\u0661" * 12 + ".dkr.ecr.us-east-1.amazonaws.com",  # Arabic-Indic digits
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.com",
        "x123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.us-east-1.example.com",
        "12345678901\u0662.dkr.ecr.us-east-1.amazonaws.com",  # one non-ASCII digit
        "123456789012.dkr.ecr..amazonaws.com",
    ],
)
def test_ecr_match_is_whole_string_ascii(host: str) -> None:
    assert match_ecr(host) is None


def test_ecr_public_region_is_us_east_1() -> None:
    server = normalise("public.ecr.aws")
    assert server.kind is Kind.ECR_PUBLIC
    assert server.region == "us-east-1"
    assert normalise("ghcr.io").region is None


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("https://ghcr.io", "ghcr.io"),
        ("docker.io", DOCKER_HUB_KEY),
        ("https://index.docker.io/v1/", DOCKER_HUB_KEY),
        ("http://localhost:5000/", "localhost:5000"),
        ("not a host", None),
    ],
)
def test_config_key_for_existing_entries(raw: str, key: str | None) -> None:
    assert config_key_for(raw) == key


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_normalise_raises_only_server_error(raw: str) -> None:
    try:
        server = normalise(raw, VAR)
    except ServerError as exc:
        message = exc.message
    else:
        assert server.key == server.key.strip().lower()
        assert "/" not in server.key or server.key == DOCKER_HUB_KEY
        return
    assert VAR in message


@settings(max_examples=60, deadline=None)
@given(
    st.from_regex(
        r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z][a-z0-9]{0,8}){0,3}(:[1-9][0-9]{0,3})?",
        fullmatch=True,
    )
)
def test_normalising_a_key_again_changes_nothing(raw: str) -> None:
    key = normalise(raw).key
    again = normalise(key)
    assert again.key == key
    assert again.fixes == ()


_label = st.from_regex(r"[a-z]([a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True)


@settings(max_examples=80, deadline=None)
@given(
    labels=st.lists(_label, min_size=2, max_size=4),
    port=st.none() | st.integers(1, 65535),
    scheme=st.sampled_from(["", "http://", "https://", "HTTPS://"]),
    path=st.sampled_from(["", "/", "/v2/", "/owner/image"]),
    upper=st.booleans(),
    space=st.sampled_from(["", " ", "\n", "\t "]),
)
def test_any_pasted_url_normalises_to_lowercase_host_and_port(
    labels: list[str], port: int | None, scheme: str, path: str, upper: bool, space: str
) -> None:
    host = ".".join(labels)
    hostport = host if port is None else f"{host}:{port}"
    raw = f"{space}{scheme}{hostport.upper() if upper else hostport}{path}{space}"
    server = normalise(raw, VAR)
    if server.kind is Kind.DOCKER_HUB and port is None:
        assert server.key == DOCKER_HUB_KEY
    else:
        assert server.key == hostport
    changed = bool(space or scheme or path) or (upper and hostport.upper() != hostport)
    assert bool(server.fixes) is changed
