"""scripts/setup-env.sh on a scratch copy: a line per step of its own, apt's and pip's
output in the log it names, the whole log shown when a step fails, nothing to do the
second time. apt-get, dpkg-query, sudo and python3 are stand-ins that record their calls
and print a lot, as the real ones do."""

import os
import shutil
import subprocess
import textwrap

from support import REPO

NOISE = "Reading database ... 45%"  # what apt says, many times over


def scratch_repo(tmp_path, *, venv_fails=False, installed=False):
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "setup-env.sh", repo / "scripts")
    for name in ("setup.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, repo / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "apt-installed"  # the stand-in apt-get's "installation"
    if installed:
        marker.touch()
    fake_python = f"""\
        #!/bin/sh
        echo "python3 $*" >> "{tmp_path}/calls"
        for i in 1 2 3; do echo "{NOISE}"; done
        {"exit 3" if venv_fails else ""}
        mkdir -p "{repo}/.venv/bin"
        printf '#!/bin/sh\\necho "venv-python $*" >> "{tmp_path}/calls"; echo pip noise\\n' \\
            > "{repo}/.venv/bin/python"
        chmod +x "{repo}/.venv/bin/python"
    """
    tools = {
        "dpkg-query": f'#!/bin/sh\n[ -e "{marker}" ] && printf "install ok installed"\nexit 0\n',
        "apt-get": (
            f'#!/bin/sh\necho "apt-get $*" >> "{tmp_path}/calls"\necho "{NOISE}"\n'
            f'[ "$1" = update ] || touch "{marker}"\n'
        ),
        "sudo": '#!/bin/sh\nexec "$@"\n',
        "id": "#!/bin/sh\necho 1000\n",
        "python3": textwrap.dedent(fake_python),
    }
    for name, text in tools.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return repo, env


def run_setup(repo, env):
    return subprocess.run(
        [str(repo / "scripts" / "setup-env.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_fresh_setup_prints_its_steps_and_logs_the_rest(tmp_path):
    repo, env = scratch_repo(tmp_path)
    result = run_setup(repo, env)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    log = repo / ".setup.log"
    assert all(line.startswith("setup: ") for line in lines), lines
    assert lines[-1] == "setup: ready"
    assert any(line.startswith("setup: installing ") for line in lines)
    assert all(str(log) in line for line in lines[:-1])
    assert NOISE not in result.stderr + result.stdout
    assert NOISE in log.read_text() and "pip noise" in log.read_text()
    calls = (tmp_path / "calls").read_text()
    assert "apt-get update" in calls and "venv-python -m pip install -e" in calls
    again = run_setup(repo, env)  # the venv exists, the stamp matches: nothing to do
    assert again.returncode == 0 and again.stderr == ""


def test_a_failing_step_shows_the_whole_log(tmp_path):
    repo, env = scratch_repo(tmp_path, venv_fails=True, installed=True)
    result = run_setup(repo, env)
    assert result.returncode == 1
    assert f"setup: failed: creating {repo}/.venv; the log follows" in result.stderr
    assert result.stderr.count(NOISE) == 3
