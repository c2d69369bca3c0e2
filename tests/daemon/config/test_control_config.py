"""web.control, its token and web.rate_limit in the config: checked when loaded, the
token read from its file, every problem named by its key, the token never shown."""

import pytest

from spirokiosk.daemon.config import ConfigError, dump_config, load_config
from spirokiosk.daemon.config.control_token import read_control_token
from spirokiosk.daemon.service.parts import access_rules

CURVES = ("seed-magma-11", "gears-96-52")
SHAPES = ("circle",)
TOKEN = "0123456789abcdef0123"


def load(*overrides, path=None):
    return load_config(path, list(overrides), CURVES, SHAPES)


def errors_of(*overrides, path=None):
    with pytest.raises(ConfigError) as caught:
        load(*overrides, path=path)
    return caught.value.errors


def test_the_defaults_are_open_and_30_a_minute():
    web = load().web
    assert (web.control, web.control_token, web.control_token_file) == ("open", "", "")
    assert web.rate_limit == 30
    rules = access_rules(load())
    assert (rules.control, rules.token, rules.rate_per_minute) == ("open", None, 30)


def test_token_mode_without_a_token_is_an_error_naming_the_key():
    assert errors_of("web.control=token") == [
        'web.control_token: needed when web.control = "token" (or name a file holding it in '
        "web.control_token_file)"
    ]


def test_an_inline_token_is_taken_and_masked_when_the_config_is_shown(tmp_path):
    config = load("web.control=token", f"web.control_token={TOKEN}")
    assert access_rules(config).token == TOKEN
    shown = dump_config(config)
    assert TOKEN not in shown and 'control_token = "********"' in shown
    assert TOKEN not in repr(access_rules(config))


def test_a_token_file_is_read_first_line_without_spaces(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}  \n# a comment line is ignored\n")
    config = load("web.control=token", f"web.control_token_file={token_file}")
    assert access_rules(config).token == TOKEN
    assert TOKEN not in dump_config(config)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: d / "absent", "no such file"),
        (lambda d: d, "a directory, not a regular file"),
        (
            lambda d: (d / "empty").write_text("\n\n") and d / "empty",
            "empty; it must hold the token",
        ),
        (
            lambda d: (d / "big").write_bytes(b"a" * 5000) and d / "big",
            "larger than 4 KiB; is it the right file?",
        ),
    ],
)
def test_a_token_file_that_cannot_be_used_is_an_error_naming_the_key(tmp_path, make, problem):
    path = make(tmp_path)
    errors = errors_of("web.control=token", f"web.control_token_file={path}")
    assert errors == [f"web.control_token_file: {path}: {problem}"]


@pytest.mark.parametrize("token", ["short-token", "has space 0123456789", "ü" * 20, "a" * 1025])
def test_a_malformed_token_is_an_error_that_does_not_show_it(tmp_path, token):
    errors = errors_of("web.control=token", f"web.control_token={token}")
    assert len(errors) == 1 and errors[0].startswith("web.control_token: the token must be 16")
    assert token not in errors[0]
    path = tmp_path / "token"
    path.write_text(token)
    errors = errors_of("web.control=token", f"web.control_token_file={path}")
    assert errors == [
        f"web.control_token_file: {path}: the token must be " + errors[0].split("must be ")[1]
    ]
    assert token not in errors[0]


def test_a_token_both_inline_and_in_a_file_is_an_error(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN)
    errors = errors_of(f"web.control_token={TOKEN}", f"web.control_token_file={path}")
    assert errors == ["web.control_token_file: set either web.control_token or this file, not both"]


def test_a_token_may_wait_while_control_is_open_and_off_needs_none(tmp_path):
    assert load(f"web.control_token={TOKEN}").web.control == "open"
    assert access_rules(load(f"web.control_token={TOKEN}")).token is None  # not in use
    assert access_rules(load("web.control=off")).control == "off"
    # A file named while control is open is not read (it may be made later).
    assert load(f"web.control_token_file={tmp_path / 'later'}").web.control == "open"


def test_bad_control_values_are_errors_naming_the_key():
    assert errors_of("web.control=closed")[0].startswith(
        'web.control: must be one of open, token, off; not "closed"'
    )
    assert errors_of("web.rate_limit=-1")[0].startswith("web.rate_limit: must be between 0 and")
    assert load("web.rate_limit=0").web.rate_limit == 0  # no limit


def test_the_file_is_read_again_each_time(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN)
    config = load("web.control=token", f"web.control_token_file={path}")
    path.write_text("another-token-0123456789")
    assert read_control_token(config.web) == "another-token-0123456789"
    path.unlink()
    with pytest.raises(ConfigError, match=r"web\.control_token_file: .*: no such file"):
        access_rules(config)


def test_a_secret_given_with_set_is_not_echoed_when_it_is_wrong():
    errors = errors_of("web.control_token=bad\tsecret")
    assert errors == [
        "web.control_token: must be printable text on one line [--set web.control_token=...]"
    ]
