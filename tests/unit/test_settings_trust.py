"""Which settings files are trusted (issue 10, item 3): git's ``safe.directory`` rule.

The repository file is read only at the workspace's git top level, and only when that
directory, its ``.devcontainer`` folder and the file belong to this user or root; the
user file likewise; the system file must be root's. Anything else is ignored with a
warning that names the file and its owner. Files are read through the safe file layer
(a FIFO or a device is refused, never waited on), and every YAML fault is exit 2 with
``file:line``. Tests run as root, so "another user" is a uid the test chowns files to.
"""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from cs_registry import settings, workspace
from cs_registry.devcontainer import default_workspace
from cs_registry.diagnosis import Code
from cs_registry.files import UnsafeFile
from cs_registry.main import main
from cs_registry.settings_file import ConfigError
from tests.support.captured import CapturedContext, MakeCtx

#: a uid nobody on the test machine has: "another user"
STRANGER = 54321

pytestmark = pytest.mark.usefixtures("as_root")  # chowns files to other users


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".devcontainer").mkdir()
    return root


@pytest.fixture
def ctx_for(make_ctx: MakeCtx, tmp_path: Path) -> MakeCtx:
    def build(environ: dict[str, str] | None = None, stdin: str = "") -> CapturedContext:
        system = str(tmp_path / "etc" / "config.yaml")
        # this machine's /etc/gitconfig may list safe.directory (some CI images: '*')
        hermetic = {settings.SYSTEM_FILE_ENV: system, "GIT_CONFIG_NOSYSTEM": "1"}
        return make_ctx({**hermetic, **(environ or {})}, stdin)

    return build


def write(path: Path, text: str, uid: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if uid is not None:
        os.chown(path, uid, -1)
    return path


def repo_file(repo: Path, text: str, uid: int | None = None) -> Path:
    return write(repo / ".devcontainer" / "cs-registry.yaml", text, uid)


def messages(found: settings.Settings) -> list[str]:
    return [finding.message for finding in found.warnings]


# -- the repository file ------------------------------------------------------------------


def test_a_repository_file_of_another_user_is_ignored_with_a_warning(
    ctx_for: MakeCtx, repo: Path
) -> None:
    path = repo_file(repo, "verify: true\n", uid=STRANGER)
    found = settings.load(ctx_for(), cwd=repo)
    assert found.verify is False
    assert [w.code for w in found.warnings] == [Code.UNTRUSTED_SETTINGS]
    (message,) = messages(found)
    assert str(path) in message
    assert f"uid {STRANGER}" in message
    assert "ignored" in message


@pytest.mark.parametrize("owned", ["top", ".devcontainer"])
def test_a_repository_file_in_a_folder_another_user_owns_is_ignored(
    ctx_for: MakeCtx, repo: Path, owned: str
) -> None:
    repo_file(repo, "verify: true\n")
    folder = repo if owned == "top" else repo / ".devcontainer"
    os.chown(folder, STRANGER, -1)
    found = settings.load(ctx_for(), cwd=repo)
    assert found.verify is False
    (message,) = messages(found)
    assert f"{folder} belongs to uid {STRANGER}" in message


def test_a_planted_top_level_above_the_work_folder_is_not_trusted(
    ctx_for: MakeCtx, tmp_path: Path
) -> None:
    """The attack of the issue: another user's ``.git`` and settings in a shared 1777
    folder above the folder where ``login`` runs."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / ".git").mkdir()
    planted = write(
        shared / ".devcontainer" / "cs-registry.yaml",
        "registries:\n  - server: 127.0.0.1:9\n    user_env: U\n    password_env: GITHUB_TOKEN\n",
        uid=STRANGER,
    )
    os.chown(shared / ".git", STRANGER, -1)
    os.chown(planted.parent, STRANGER, -1)
    work = shared / "mine"
    work.mkdir()
    found = settings.load(ctx_for(), cwd=work)
    assert found.registries == ()
    (message,) = messages(found)
    assert str(planted.parent) in message


def test_the_same_files_owned_by_this_user_are_read(ctx_for: MakeCtx, repo: Path) -> None:
    repo_file(repo, "verify: true\n")
    (repo / "sub").mkdir()
    found = settings.load(ctx_for(), cwd=repo / "sub")
    assert found.verify is True
    assert found.warnings == ()


def test_root_trusts_the_files_of_the_user_who_ran_sudo(ctx_for: MakeCtx, repo: Path) -> None:
    """As git does (``SUDO_UID``): ``sudo cs-registry login`` in one's own repository."""
    repo_file(repo, "verify: true\n", uid=STRANGER)
    os.chown(repo, STRANGER, -1)
    os.chown(repo / ".devcontainer", STRANGER, -1)
    assert settings.load(ctx_for({"SUDO_UID": str(STRANGER)}), cwd=repo).verify is True
    assert settings.load(ctx_for({"SUDO_UID": "0x1"}), cwd=repo).verify is False


def test_settings_and_devcontainer_json_share_one_top_level(tmp_path: Path) -> None:
    """One function answers "which workspace": an empty ``.git`` folder (which git itself
    would walk past) and a ``.git`` file (a worktree, a submodule) both mark it."""
    empty = tmp_path / "empty-git"
    (empty / ".git").mkdir(parents=True)
    (empty / "a" / "b").mkdir(parents=True)
    linked = tmp_path / "worktree"
    linked.mkdir()
    (linked / ".git").write_text("gitdir: /nowhere\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    for start, top in ((empty / "a" / "b", empty), (linked, linked), (plain, plain)):
        assert workspace.top_level(str(start)) == str(top)
        assert default_workspace(start) == top


# -- the user file and the system file ----------------------------------------------------


def test_a_user_file_in_a_folder_another_user_controls_is_ignored(
    ctx_for: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-config"
    path = write(shared / "cs-registry" / "config.yaml", "verify: true\n")
    os.chown(shared, STRANGER, -1)
    found = settings.load(ctx_for({"XDG_CONFIG_HOME": str(shared)}), cwd=repo)
    assert found.verify is False
    (message,) = messages(found)
    assert "user file" in message
    assert f"{shared} belongs to uid {STRANGER}" in message
    os.chown(shared, 0, -1)
    os.chown(path, STRANGER, -1)
    assert settings.load(ctx_for({"XDG_CONFIG_HOME": str(shared)}), cwd=repo).verify is False
    os.chown(path, 0, -1)
    assert settings.load(ctx_for({"XDG_CONFIG_HOME": str(shared)}), cwd=repo).verify is True


def test_the_system_file_must_be_roots(ctx_for: MakeCtx, repo: Path) -> None:
    ctx = ctx_for()
    system = write(Path(ctx.environ[settings.SYSTEM_FILE_ENV]), "verify: true\n")
    assert settings.load(ctx, cwd=repo).verify is True
    os.chown(system, STRANGER, -1)
    found = settings.load(ctx, cwd=repo)
    assert found.verify is False
    (message,) = messages(found)
    assert f"system file {system} was ignored: it belongs to uid {STRANGER}" in message


# -- what the file is, and what is in it --------------------------------------------------


def test_a_fifo_as_the_repository_file_is_refused_not_waited_on(
    ctx_for: MakeCtx, repo: Path
) -> None:
    path = repo / ".devcontainer" / "cs-registry.yaml"
    os.mkfifo(path)
    with pytest.raises(UnsafeFile) as caught:
        settings.load(ctx_for(), cwd=repo)
    assert f"{path} is a FIFO" in caught.value.message


def test_a_device_as_the_user_file_is_refused(ctx_for: MakeCtx, repo: Path) -> None:
    ctx = ctx_for()
    path = ctx.config_home / "config.yaml"
    path.parent.mkdir(parents=True)
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    with pytest.raises(UnsafeFile) as caught:
        settings.load(ctx, cwd=repo)
    assert f"{path} is a character device" in caught.value.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("verify: true\ntimeout: 3\x01\n", 2, "control character"),
        ("verify: false\n\x1b]0;title\x07\n", 2, "control character"),
        ("verify: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested deeper than"),
        ("".join("  " * i + "a:\n" for i in range(500)), 32, "nested deeper than"),
        ("a: &x [1]\nb: *y\n", 2, "not valid YAML"),
        ("verify: true\nignore: !!python/object/apply:os.system [id]\n", 2, "tagged"),
        ("verify: true\nregistries: !!set {a}\n", 2, "registries must be a list, not a"),
        ("timeout: " + "9" * 5000 + "\n", 1, "out of range"),
    ],
)
def test_every_yaml_fault_names_file_and_line(
    ctx_for: MakeCtx, repo: Path, text: str, line: int, message: str
) -> None:
    path = repo_file(repo, text)
    with pytest.raises(ConfigError) as caught:
        settings.load(ctx_for(), cwd=repo)
    assert caught.value.message.startswith(f"{path}:{line}: "), caught.value.message
    assert message in caught.value.message
    assert "\x1b" not in caught.value.message


def test_login_ends_a_yaml_fault_with_exit_2(
    make_ctx: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_file(repo, "verify: " + "[" * 5000 + "]" * 5000 + "\n")
    monkeypatch.chdir(repo)
    ctx = make_ctx()
    assert main(["login"], ctx) == 2
    assert isinstance(ctx.stderr, io.StringIO)
    assert "internal error" not in ctx.stderr.getvalue()
    assert "cs-registry.yaml:1: " in ctx.stderr.getvalue()


def test_login_shows_the_warning_for_an_ignored_file(
    make_ctx: MakeCtx, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repo_file(repo, "verify: true\n", uid=STRANGER)
    monkeypatch.chdir(repo)
    ctx = make_ctx({"GIT_CONFIG_NOSYSTEM": "1"})
    assert main(["login"], ctx) == 0
    assert isinstance(ctx.stdout, io.StringIO)
    assert f"{path} was ignored: it belongs to uid {STRANGER}" in ctx.stdout.getvalue()


# -- doctor shows what login --hook only counts ------------------------------------------


def test_doctor_names_an_ignored_settings_file(
    make_ctx: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    path = repo_file(repo, "verify: true\n", uid=STRANGER)
    ctx = make_ctx({"DOCKER_HOST": f"unix://{tmp_path}/none.sock", "GIT_CONFIG_NOSYSTEM": "1"})
    main(["doctor", "--workspace", str(repo), "--wait", "0.1", "--json"], ctx)
    assert isinstance(ctx.stdout, io.StringIO)
    checks = json.loads(ctx.stdout.getvalue())["checks"]
    (found,) = [c for c in checks if c["id"] == "settings"]
    assert (found["status"], found["code"]) == ("warn", "untrusted_settings")
    assert f"{path} was ignored: it belongs to uid {STRANGER}" in found["message"]


def test_doctor_names_the_settings_files_it_would_use_and_a_broken_one(
    make_ctx: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    path = repo_file(repo, "verify: true\n")
    ctx = make_ctx({"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    main(["doctor", "--workspace", str(repo), "--wait", "0.1", "--json"], ctx)
    assert isinstance(ctx.stdout, io.StringIO)
    (found,) = [c for c in json.loads(ctx.stdout.getvalue())["checks"] if c["id"] == "settings"]
    assert (found["status"], found["message"]) == ("ok", f"settings from repository file {path}")

    path.write_text("verify: [true\n")
    ctx = make_ctx({"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    main(["doctor", "--workspace", str(repo), "--wait", "0.1", "--json"], ctx)
    assert isinstance(ctx.stdout, io.StringIO)
    (found,) = [c for c in json.loads(ctx.stdout.getvalue())["checks"] if c["id"] == "settings"]
    assert (found["status"], found["code"]) == ("fail", "usage_error")
    assert found["message"].startswith(f"{path}:2: not valid YAML")


# -- git's own opt-in: safe.directory --------------------------------------------------


def git_config(home: Path, *values: str) -> None:
    lines = "".join(f"\tdirectory = {value}\n" for value in values)
    (home / ".gitconfig").write_text(f"[safe]\n{lines}")


@pytest.mark.parametrize(
    ("values", "read"),
    [
        (("{repo}",), True),
        (("*",), True),
        (("{parent}/*",), True),
        (("{repo}/elsewhere",), False),
        (("*", ""), False),  # an empty value resets the list, as in git
        ((), False),
    ],
)
def test_git_safe_directory_lets_the_user_trust_a_repository_of_another_owner(
    ctx_for: MakeCtx, repo: Path, values: tuple[str, ...], read: bool
) -> None:
    """A workspace mounted from the host into a root container belongs to the host's
    uid: ``git config --global --add safe.directory DIR`` is the opt-in git offers."""
    repo_file(repo, "verify: true\n", uid=STRANGER)
    os.chown(repo, STRANGER, -1)
    ctx = ctx_for()
    git_config(ctx.home, *(v.format(repo=repo, parent=repo.parent) for v in values))
    found = settings.load(ctx, cwd=repo)
    assert found.verify is read
    assert len(found.warnings) == (0 if read else 1)
    if not read:
        assert "safe.directory" in found.warnings[0].message


def test_the_repositorys_own_git_config_cannot_declare_itself_safe(
    ctx_for: MakeCtx, repo: Path
) -> None:
    repo_file(repo, "verify: true\n", uid=STRANGER)
    (repo / ".git" / "config").write_text("[safe]\n\tdirectory = *\n")
    assert settings.load(ctx_for(), cwd=repo).verify is False


def test_safe_directory_does_not_open_the_user_file(
    ctx_for: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-config"
    write(shared / "cs-registry" / "config.yaml", "verify: true\n", uid=STRANGER)
    ctx = ctx_for({"XDG_CONFIG_HOME": str(shared)})
    git_config(ctx.home, "*")
    assert settings.load(ctx, cwd=repo).verify is False


# -- symbolic links: whoever owns the link chooses where it points ------------------------


def test_another_users_symlinked_folder_or_file_is_not_followed(
    ctx_for: MakeCtx, repo: Path, tmp_path: Path
) -> None:
    """Both targets are ours and would be trusted; the links are another user's."""
    mine = write(tmp_path / "mine" / ".devcontainer" / "cs-registry.yaml", "verify: true\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / ".git").mkdir()
    (shared / ".devcontainer").symlink_to(mine.parent)
    os.lchown(shared / ".devcontainer", STRANGER, -1)
    found = settings.load(ctx_for(), cwd=shared)
    assert found.verify is False
    (message,) = messages(found)
    assert f"{shared / '.devcontainer'} is a symbolic link that belongs to uid {STRANGER}" in (
        message
    )

    link = repo / ".devcontainer" / "cs-registry.yaml"
    link.symlink_to(mine)
    os.lchown(link, STRANGER, -1)
    found = settings.load(ctx_for(), cwd=repo)
    assert found.verify is False
    (message,) = messages(found)
    assert f"{link} was ignored: it is a symbolic link that belongs to uid {STRANGER}" in message

    os.lchown(link, 0, -1)  # our own link to our own file: fine
    assert settings.load(ctx_for(), cwd=repo).verify is True
