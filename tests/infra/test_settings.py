from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from livecommerce.settings import DEV_SANDBOX_SECRET, DEV_SECRET, SettingsError, load_settings

NO_DOTENV = Path("/nonexistent/.env")


def test_defaults_need_nothing_from_the_environment() -> None:
    settings = load_settings({}, dotenv=NO_DOTENV)
    assert (
        settings.port == 8000 and settings.database_url is None and settings.platform_fee_bp == 500
    )


def test_values_are_converted_from_strings() -> None:
    settings = load_settings(
        {
            "PORT": "9001",
            "ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "COOKIE_SECURE": "true",
        },
        dotenv=NO_DOTENV,
    )
    assert settings.port == 9001 and settings.cookie_secure is True
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"PLATFORM_FEE_BP": "20000"}, "PLATFORM_FEE_BP"),
        ({"HOST_SIGNUP": "sometimes"}, "HOST_SIGNUP"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ENV": "prod"}, "SECRET_KEY"),
        ({"ENV": "prod", "SECRET_KEY": DEV_SECRET}, "SECRET_KEY"),
        ({"ENV": "prod", "SECRET_KEY": "x" * 40, "SANDBOX_GATEWAY": "1"}, "SANDBOX_GATEWAY_SECRET"),
        (
            {
                "ENV": "prod",
                "SECRET_KEY": "x" * 40,
                "SANDBOX_GATEWAY": "true",
                "SANDBOX_GATEWAY_SECRET": DEV_SANDBOX_SECRET,
            },
            "SANDBOX_GATEWAY_SECRET",
        ),
        ({"SANDBOX_GATEWAY": "maybe"}, "SANDBOX_GATEWAY"),
    ],
)
def test_a_wrong_setting_is_refused_by_name(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ, dotenv=NO_DOTENV)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=7001\nAUTO_CONFIRM_DAYS=3\n")
    settings = load_settings({"PORT": "7002"}, dotenv=dotenv)
    assert settings.port == 7002 and settings.auto_confirm_days == 3


def test_the_cli_stops_at_start_up_naming_the_bad_setting(tmp_path: Path) -> None:
    env = {**os.environ, "PORT": "not-a-port", "VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "livecommerce.cli", "up"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "PORT" in done.stderr and "Traceback" not in done.stderr


def test_in_production_new_hosts_and_distributors_wait_for_an_operator_by_default() -> None:
    secret = {"ENV": "prod", "SECRET_KEY": "x" * 40}
    prod = load_settings(secret, dotenv=NO_DOTENV)
    assert (prod.host_signup, prod.distributor_signup) == ("approval", "approval")
    chosen = load_settings({**secret, "HOST_SIGNUP": "open"}, dotenv=NO_DOTENV)
    assert (chosen.host_signup, chosen.distributor_signup) == ("open", "approval")
    assert load_settings({}, dotenv=NO_DOTENV).host_signup == "open"  # make up's demo


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        ({}, True),  # make up's demo
        ({"ENV": "test"}, True),
        ({"ENV": "dev", "SANDBOX_GATEWAY": "0"}, False),
        ({"ENV": "prod", "SECRET_KEY": "x" * 40}, False),
        ({"ENV": "prod", "SECRET_KEY": "x" * 40, "SANDBOX_GATEWAY": ""}, False),
        (
            {
                "ENV": "prod",
                "SECRET_KEY": "x" * 40,
                "SANDBOX_GATEWAY": "1",
                "SANDBOX_GATEWAY_SECRET": "y" * 24,
            },
            True,
        ),
    ],
)
def test_the_sandbox_gateway_is_on_in_dev_and_test_and_in_production_only_when_asked(
    environ: dict[str, str], enabled: bool
) -> None:
    assert load_settings(environ, dotenv=NO_DOTENV).sandbox_enabled is enabled


def test_order_windows_may_be_seconds_in_test_and_not_below_a_day_elsewhere() -> None:
    short = {"AFTER_SALES_DAYS": "0.0001", "AUTO_CONFIRM_DAYS": "0.0001"}
    in_test = load_settings({"ENV": "test", **short}, dotenv=Path("/nonexistent"))
    assert in_test.after_sales_window.total_seconds() == pytest.approx(8.64)
    assert in_test.auto_confirm_after.total_seconds() == pytest.approx(8.64)
    with pytest.raises(SettingsError, match="AFTER_SALES_DAYS"):
        load_settings({"ENV": "dev", "AFTER_SALES_DAYS": "0.5"}, dotenv=Path("/nonexistent"))
    with pytest.raises(SettingsError, match="PAYMENT_TIMEOUT_MINUTES"):
        load_settings({"ENV": "dev", "PAYMENT_TIMEOUT_MINUTES": "0"}, dotenv=Path("/nonexistent"))
