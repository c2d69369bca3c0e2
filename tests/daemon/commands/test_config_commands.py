"""`spirokiosk check-config` and `spirokiosk config`, through argparse as cli.py builds it."""

import argparse
import tomllib

import pytest

from spirokiosk.daemon.commands import config as config_commands
from spirokiosk.daemon.config import dump_config, load_config, load_from_options
from spirokiosk.daemon.config import load as config_load

CURVES = ("seed-magma-11", "seed-rhombus-8", "gears-96-52")
SHAPES = ("circle", "ellipse", "square", "rhombus", "tetracuspid")


def load(overrides=()):
    return load_config(None, list(overrides), CURVES, SHAPES)


def write(tmp_path, text, name="config.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=None)
    common.add_argument("--set", dest="overrides", action="append", default=[])
    parser = argparse.ArgumentParser(prog="spirokiosk")
    subparsers = parser.add_subparsers(dest="command", required=True)
    config_commands.register(subparsers, common)
    return parser.parse_args(argv)


def run(argv):
    args = parse(argv)
    return args.func(args)


@pytest.fixture
def no_default_file(tmp_path, monkeypatch):
    absent = tmp_path / "etc-absent.toml"
    monkeypatch.setattr(config_load, "DEFAULT_PATH", absent)
    monkeypatch.delenv("SPIROKIOSK_CONFIG", raising=False)
    monkeypatch.setattr(config_load, "curve_vocabulary", lambda: (CURVES, SHAPES))
    return absent


def test_check_config_ok_on_built_in_defaults(no_default_file, capsys):
    assert run(["check-config"]) == 0
    out, err = capsys.readouterr()
    assert out == f"config OK (built-in defaults: no {no_default_file})\n"
    assert err == ""


def test_check_config_ok_with_a_file(no_default_file, tmp_path, capsys):
    path = write(tmp_path, "[web]\nport = 9000\n")
    assert run(["check-config", "--config", str(path)]) == 0
    assert capsys.readouterr().out == f"config OK ({path})\n"


def test_check_config_reads_the_environment_variable(
    no_default_file, tmp_path, capsys, monkeypatch
):
    path = write(tmp_path, "[web]\nport = 0\n")
    monkeypatch.setenv("SPIROKIOSK_CONFIG", str(path))
    assert run(["check-config"]) == 1
    assert capsys.readouterr().err.startswith("web.port: must be between")
    monkeypatch.setenv("SPIROKIOSK_CONFIG", str(tmp_path / "gone.toml"))
    assert run(["check-config"]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'gone.toml'}: no such file\n"


def test_check_config_lists_every_error_on_stderr(no_default_file, tmp_path, capsys):
    path = write(tmp_path, "[web]\nport = 0\nprot = 1\n")
    assert run(["check-config", "--config", str(path), "--set", "display.mode=big"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("web.prot: unknown key (did you mean 'port'?)")
    assert any(line.startswith("display.mode: must be one of") for line in lines)
    assert any(line.startswith("web.port: must be between 1 and 65535") for line in lines)


def test_check_config_missing_explicit_file(no_default_file, tmp_path, capsys):
    assert run(["check-config", "--config", str(tmp_path / "nope.toml")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nope.toml'}: no such file\n"


def test_config_prints_the_effective_toml(no_default_file, capsys):
    assert run(["config", "--set", "web.port=8080", "--set", "display.mode=window"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = tomllib.loads(out)
    assert data["web"]["port"] == 8080
    assert data["display"]["mode"] == "window"
    assert data["curves"]["playlist"] == [*CURVES, "random"]
    assert out == dump_config(load(overrides=["web.port=8080", "display.mode=window"]))


def test_config_with_errors_exits_1_like_check_config(no_default_file, capsys):
    assert run(["config", "--set", "web.port=x", "--set", "nope"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 2


def test_the_real_curve_vocabulary_validates_the_default_playlist(tmp_path, monkeypatch):
    monkeypatch.setattr(config_load, "DEFAULT_PATH", tmp_path / "absent.toml")
    monkeypatch.delenv("SPIROKIOSK_CONFIG", raising=False)
    presets, shapes = config_load.curve_vocabulary()
    assert presets and "circle" in shapes
    config = load_from_options(None, ["curves.random_shapes=['square']"])
    assert config.curves.playlist == (*presets, "random")
    assert config.curves.random_shapes == ("square",)
