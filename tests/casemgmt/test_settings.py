from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from casemgmt.env import env_bool, env_int, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    # Given the environment a council's production server would have (run through
    # `python -m django`, since manage.py also reads a developer's .env)
    secret = tmp_path / "secret"
    secret.write_text("k" * 30 + "production-secret-from-a-mounted-file-0123456789")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS"}
        and not key.startswith("SECURE_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casemgmt.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="casemgmt.council.example",
    )

    # When Django's deployment checks run
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then they report nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    env["DJANGO_SETTINGS_MODULE"] = "casemgmt.settings"
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_env_readers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    token = tmp_path / "token"
    token.write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(token))
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 1) == 12
    assert env_str("TOKEN") == "from-a-file"
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG")
    monkeypatch.setenv("COUNT", "many")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 1)
