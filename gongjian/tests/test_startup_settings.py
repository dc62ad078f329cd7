"""Settings that fail at start-up: each process is started afresh, as production starts it (DEBUG off,
no pytest in it), with a crafted environment, and must stop at once with a message that names the
variable and says how to make a good value, never showing the secret itself. The documented production
environment (deploy/production.env.example) passes ``manage.py check --deploy`` without a warning."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "production.env.example"
GOOD_FERNET = "0Z2m8xq4r5nWc1pM9jQy7VhLs3Kd6EaTb2Xu4Fo8NgA="
BAD_FERNET = "this-is-not-a-fernet-key-but-is-secret"


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """A complete production environment (the values are made up), with ``changes`` applied (None
    removes a variable)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GONGJIAN_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "gongjian.settings",
        "DEBUG": "0",
        "SECRET_KEY": "k3J9xQ2vLm8Rt5Wz1Yb7Nc4Hd6Fg0Ps2Ua9Ei3Ko7Lq5Mr1Sw8Tx4Vy6Zb0Cd2Ef",
        "FIELD_ENCRYPTION_KEYS": GOOD_FERNET,
        "FIELD_HASH_KEY": "h4Jk8Lm2Np6Qr0St4Uv8Wx2Yz6Ab0Cd4Ef8",
        "DATABASE_URL": "postgres://gongjian:Pw-d0nt-show@127.0.0.1:5432/gongjian",
        "ALLOWED_HOSTS": "gongjian.example.gov.cn",
        "TRUST_X_FORWARDED_PROTO": "1",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``manage.py`` with ``args``, or (no args) a bare import of the settings as gunicorn does."""
    command = (
        [sys.executable, "manage.py", *args]
        if args
        else [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print('ok', settings.DEBUG)",
        ]
    )
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_a_complete_production_environment_starts(tmp_path):
    result = start(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok False"


def test_a_malformed_encryption_key_stops_the_process_naming_its_position_not_its_value(tmp_path):
    message = refused(start(production_env(tmp_path, FIELD_ENCRYPTION_KEYS=f"{GOOD_FERNET},{BAD_FERNET}")))
    assert "FIELD_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key" in message
    assert "Fernet.generate_key()" in message
    assert BAD_FERNET not in message


def test_a_malformed_encryption_key_stops_even_a_development_process(tmp_path):
    result = start(production_env(tmp_path, DEBUG="1", FIELD_ENCRYPTION_KEYS=BAD_FERNET))
    assert "FIELD_ENCRYPTION_KEYS: key 1 of 1" in refused(result)
    assert BAD_FERNET not in result.stderr


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"),
        ({"FIELD_HASH_KEY": None}, "FIELD_HASH_KEY must be set when DEBUG is off"),
        ({"FIELD_HASH_KEY": "short-hash-key"}, "FIELD_HASH_KEY must be at least 32 characters"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "too-short-for-production"}, "SECRET_KEY must be at least 50 characters"),
        ({"SECRET_KEY": "django-insecure-" + "abcdefghij" * 5}, "SECRET_KEY is a development key"),
        ({"SECRET_KEY": "ab" * 30}, "SECRET_KEY is a development key (or too repetitive)"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set when DEBUG is off"),
        ({"DATABASE_URL": "postgres://gongjian:p@ss:word@db:port/x"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "mongodb://db/gongjian"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "postgres://gongjian@db:5432/"}, "DATABASE_URL names no database"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "Set only one of EMAIL_USE_TLS"),
        (
            {"SESSION_COOKIE_SAMESITE": "sometimes"},
            "SESSION_COOKIE_SAMESITE must be one of Lax, Strict, None",
        ),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be an integer"),
    ],
)
def test_a_missing_or_bad_setting_stops_the_process_and_says_what_to_set(tmp_path, changes, expected):
    message = refused(start(production_env(tmp_path, **changes)))
    assert expected in message
    for secret in ("Pw-d0nt-show", "p@ss", "short-hash-key", "too-short-for-production"):
        assert secret not in message
    if "KEY" in expected and "must" in expected:
        assert "python -c" in message  # how to generate one


def test_a_development_process_needs_no_keys(tmp_path):
    env = production_env(tmp_path, DEBUG="1")
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
        env.pop(name)
    result = start(env)
    assert result.returncode == 0, result.stderr


def test_a_bad_sms_backend_or_a_keyless_aliyun_sender_fails_the_start_up_checks(tmp_path):
    result = start(production_env(tmp_path, SMS_BACKEND="accounts.sms.NoSuchSender"), "check")
    assert result.returncode != 0
    assert "accounts.E101" in result.stderr and "accounts.sms.NoSuchSender" in result.stderr
    aliyun = production_env(
        tmp_path,
        SMS_BACKEND="accounts.sms.AliyunSender",
        SMS_ALIYUN_ACCESS_KEY_ID="LTAI-made-up",
        NOTIFICATION_CHANNELS="notifications.channels.SmsChannel",
    )
    result = start(aliyun, "check")
    assert result.returncode != 0
    assert "accounts.E102" in result.stderr
    assert "SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_ALIYUN_SIGN_NAME, SMS_ALIYUN_TEMPLATE_CODE" in result.stderr
    assert "SMS_ALIYUN_NOTICE_TEMPLATE" in result.stderr
    assert "LTAI-made-up" not in result.stderr


def test_a_notification_channel_that_does_not_import_fails_the_start_up_checks(tmp_path):
    env = production_env(
        tmp_path, NOTIFICATION_CHANNELS="notifications.channels.EmailChannel,notifications.nope.Pager"
    )
    result = start(env, "check")
    assert result.returncode != 0
    assert "notifications.E101" in result.stderr and "notifications.nope.Pager" in result.stderr


def example_lines(text: str, commented: bool = False) -> dict[str, str]:
    """NAME=value lines as a systemd EnvironmentFile reads them; ``commented``: the #NAME=value ones."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match and bool(match[1]) == commented:
            found[match[2]] = match[3].strip()
    return found


def documented_environment(tmp_path: Path) -> dict[str, str]:
    """deploy/production.env.example with its empty keys made as its comments say."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GONGJIAN_VAR_DIR": str(tmp_path / "var")}
    env.update(example_lines(EXAMPLE.read_text(encoding="utf-8")))
    made = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(48),
    }
    assert {name for name, value in env.items() if not value} == set(made), "only the keys are left to fill"
    env.update(made)
    return env


def test_an_unfilled_copy_of_the_documented_environment_does_not_start(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GONGJIAN_VAR_DIR": str(tmp_path / "var")}
    env.update(example_lines(EXAMPLE.read_text(encoding="utf-8")))
    assert "SECRET_KEY must be set" in refused(start(env | {"DJANGO_SETTINGS_MODULE": "gongjian.settings"}))


def test_the_documented_production_environment_passes_the_deploy_checks_without_a_warning(tmp_path):
    env = documented_environment(tmp_path)
    assert env["DEBUG"] == "0"
    result = start(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stderr


def test_the_example_lists_every_variable_the_settings_read_and_the_readme_shows_the_required_ones():
    text = EXAMPLE.read_text(encoding="utf-8")
    listed = set(example_lines(text)) | set(example_lines(text, commented=True))
    settings_source = (ROOT / "gongjian" / "settings.py").read_text(encoding="utf-8")
    read = set(
        re.findall(r'env(?:str|bool|int|list|choice|fernetkeys|secret)\("([A-Z][A-Z0-9_]*)"', settings_source)
    )
    development_only = {"GONGJIAN_TESTING", "HUEY_IMMEDIATE", "DIVISIONS_DB"}
    assert read - development_only - listed == set()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert set(example_lines(block)) == set(example_lines(text))
