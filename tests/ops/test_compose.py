"""docker-compose.yml and the Dockerfile name only real commands, options and variables."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from application.settings import Settings
from cli.__main__ import app

ROOT = Path(__file__).resolve().parents[2]
# Variables read outside Settings, by `stockledger db migrate`.
EXTRA_VARIABLES = {"STOCKLEDGER_APP_PASSWORD", "STOCKLEDGER_PROJECTOR_PASSWORD"}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def resolve(argv: list[str]) -> Any:
    """The click command argv names, after checking every option it passes exists.

    (Typer ships its own click, so groups are recognised by their ``commands``.)"""
    command: Any = typer.main.get_command(app)
    words = list(argv)
    while words and hasattr(command, "commands"):
        name = words.pop(0)
        sub = command.commands.get(name)
        assert sub is not None, f"no command {name!r} in {argv}"
        command = sub
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for word in words:
        if word.startswith("--"):
            assert word in known, f"{argv}: {command.name} has no option {word}"
    return command


def dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert match is not None
    return list(yaml.safe_load(match.group(1)))


SERVICES = ["migrate", "api", "projector"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_a_real_cli_command(service: str) -> None:
    spec = compose()["services"][service]
    resolve(spec["command"])


def test_the_image_default_command_is_a_real_cli_command() -> None:
    assert resolve(dockerfile_cmd()).name == "serve"


def test_the_services_are_the_documented_topology() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "api", "projector"}
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["projector"]["deploy"]["replicas"] >= 2
    assert "healthcheck" in services["postgres"]
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_stockledger_variable_is_one_the_code_reads() -> None:
    known = {f"STOCKLEDGER_{name.upper()}" for name in Settings.model_fields} | EXTRA_VARIABLES
    for name, spec in compose()["services"].items():
        for variable in spec.get("environment", {}):
            if variable.startswith("STOCKLEDGER_"):
                assert variable in known, f"{name}: {variable} is read by nothing"


def test_the_api_logs_in_as_the_restricted_role_and_leaves_projections_to_workers() -> None:
    services = compose()["services"]
    api_env = services["api"]["environment"]
    assert "stockledger_app:" in api_env["STOCKLEDGER_DATABASE_URL"]
    assert api_env["STOCKLEDGER_RUN_PROJECTORS"] == "false"
    assert (
        "stockledger_projector:" in services["projector"]["environment"]["STOCKLEDGER_DATABASE_URL"]
    )
