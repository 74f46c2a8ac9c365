"""Diagnosis codes: stable names; :mod:`cs_registry.explanations` says what each means.

The codes are a public contract (design.md, "Diagnosis codes"): tests and users
match on them, so a code keeps its meaning forever. New codes may be added.
"""

from __future__ import annotations

import enum

TYPE_CHECKING = False  # not typing's: importing typing adds 0.3x python's start-up (README)
if TYPE_CHECKING:
    from cs_registry.explanations import Explanation


class Code(str, enum.Enum):
    """A stable diagnosis code; its value is what users see and match on."""

    OK = "ok"
    # input and secrets
    MISSING_CREDENTIALS = "missing_credentials"
    PARTIAL_TRIPLET = "partial_triplet"
    MALFORMED_SERVER = "malformed_server"
    SECRET_WHITESPACE = "secret_whitespace"
    SECRET_QUOTED = "secret_quoted"
    CONFLICTING_TRIPLETS = "conflicting_triplets"
    INVALID_SECRET_NAME = "invalid_secret_name"
    INVALID_SECRET = "invalid_secret"
    # network
    DNS_FAILURE = "dns_failure"
    CONNECTION_REFUSED = "connection_refused"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    PROXY_ERROR = "proxy_error"
    # TLS
    TLS_UNKNOWN_CA = "tls_unknown_ca"
    TLS_HOSTNAME_MISMATCH = "tls_hostname_mismatch"
    TLS_EXPIRED = "tls_expired"
    HTTP_ON_HTTPS_PORT = "http_on_https_port"
    TLS_ERROR = "tls_error"
    # registry
    NOT_A_REGISTRY = "not_a_registry"
    UNVERIFIED_ANONYMOUS = "unverified_anonymous"
    TOKEN_ENDPOINT_UNREACHABLE = "token_endpoint_unreachable"
    BAD_CREDENTIALS = "bad_credentials"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    TOKEN_EXPIRED = "token_expired"
    CLOCK_SKEW = "clock_skew"
    RATE_LIMITED = "rate_limited"
    UNTRUSTED_REALM = "untrusted_realm"
    REGISTRY_UNAVAILABLE = "registry_unavailable"
    REPOSITORY_NOT_FOUND = "repository_not_found"
    # images (debug-login IMAGE, doctor --images)
    INVALID_REFERENCE = "invalid_reference"
    MANIFEST_UNKNOWN = "manifest_unknown"
    PLATFORM_MISSING = "platform_missing"
    BLOB_UNKNOWN = "blob_unknown"
    DIGEST_MISMATCH = "digest_mismatch"
    # ECR
    ECR_INVALID_KEY_ID = "ecr_invalid_key_id"
    ECR_INVALID_SECRET = "ecr_invalid_secret"
    ECR_ACCESS_DENIED = "ecr_access_denied"
    ECR_SESSION_TOKEN_REQUIRED = "ecr_session_token_required"
    ECR_EXPIRED_CREDENTIALS = "ecr_expired_credentials"
    ECR_WRONG_REGION = "ecr_wrong_region"
    ECR_UNREACHABLE = "ecr_unreachable"
    # docker side
    DAEMON_UNREACHABLE = "daemon_unreachable"
    CREDS_STORE_UNAVAILABLE = "creds_store_unavailable"
    SHADOWED_BY_CRED_HELPER = "shadowed_by_cred_helper"
    CRED_HELPER_FAILED = "cred_helper_failed"
    CRED_HELPER_TIMEOUT = "cred_helper_timeout"
    DOCKERHUB_ALIAS_KEY = "dockerhub_alias_key"
    CONFIG_UNREADABLE = "config_unreadable"
    CONFIG_UNWRITABLE = "config_unwritable"
    CONFIG_TOO_OPEN = "config_too_open"
    CONFIG_LOCKED = "config_locked"
    UNSAFE_FILE = "unsafe_file"
    DOCKER_CONFIG_RELATIVE = "docker_config_relative"
    UNTRUSTED_SETTINGS = "untrusted_settings"
    DOCKER_CLI_MISSING = "docker_cli_missing"
    PREBUILD_PHASE = "prebuild_phase"
    # what login wrote (its record) and doctor --fix
    SECRET_GONE = "secret_gone"
    ENTRY_CHANGED = "entry_changed"
    UNRECORDED_ENTRY = "unrecorded_entry"
    RECORD_UNUSABLE = "record_unusable"
    FIX_BLOCKED = "fix_blocked"
    # devcontainer.json lint
    JSONC_SYNTAX = "jsonc_syntax"
    INVALID_REPOSITORY_NAME = "invalid_repository_name"
    DIFFERENT_OWNER = "different_owner"
    UNKNOWN_PERMISSION = "unknown_permission"
    INVALID_PERMISSION_VALUE = "invalid_permission_value"
    PACKAGES_WRITE_NOT_ALLOWED = "packages_write_not_allowed"
    WORKFLOWS_READ_NOT_ALLOWED = "workflows_read_not_allowed"
    WILDCARD_IN_PREBUILD = "wildcard_in_prebuild"
    PREBUILD_WRITE_NEEDS_TOKEN = "prebuild_write_needs_token"
    DOCKER_IN_PREBUILD_HOOK = "docker_in_prebuild_hook"
    DEPRECATED_CODESPACES_KEY = "deprecated_codespaces_key"
    UNKNOWN_CODESPACES_KEY = "unknown_codespaces_key"
    HOOK_NOT_WIRED = "hook_not_wired"
    # logs (cs-registry explain; cred_helper_failed, above, is shared with the helper client)
    FEATURE_UNAVAILABLE = "feature_unavailable"
    IMAGE_UNAVAILABLE = "image_unavailable"
    REPOSITORY_ACCESS_DENIED = "repository_access_denied"
    NO_KNOWN_CAUSE = "no_known_cause"
    # how a run ended (the contract codes: --json prints them in its error document)
    USAGE_ERROR = "usage_error"
    INTERRUPTED = "interrupted"
    INTERNAL_ERROR = "internal_error"

    def __str__(self) -> str:
        return self.value


def explain(code: Code) -> Explanation:
    """The summary and remedy for ``code``."""
    # imported only now: 82 sentences cost a plain login ~1 ms it does not use
    from cs_registry.explanations import EXPLANATIONS

    return EXPLANATIONS[code]


def debug_hint(server: str) -> str:
    """The pointer we print under a failed login."""
    return f"run `cs-registry debug-login {server}` to see each step"


__all__ = ["Code", "debug_hint", "explain"]
