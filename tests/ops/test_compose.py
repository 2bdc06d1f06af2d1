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
# Variables read outside Settings: by `stockledger db migrate`, and `serve --metrics-port`.
EXTRA_VARIABLES = {
    "STOCKLEDGER_APP_PASSWORD",
    "STOCKLEDGER_PROJECTOR_PASSWORD",
    "STOCKLEDGER_METRICS_PORT",
}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose file; with ``env``, ``${VAR:-default}`` is interpolated as compose does
    (unset variables take their default)."""
    text = (ROOT / "docker-compose.yml").read_text()
    if env is not None:
        text = INTERPOLATION.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text)
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def host_ports(mapping: str) -> range:
    """The host ports a short-syntax mapping (``[ip:]HOST[-HOST]:CONTAINER``) publishes."""
    parts = mapping.split(":")
    assert len(parts) in (2, 3), mapping
    first, _, last = parts[-2].partition("-")
    return range(int(first), int(last or first) + 1)


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
    default = {name for name, spec in services.items() if "profiles" not in spec}
    assert default == {"postgres", "migrate", "api", "proxy", "projector"}
    ha = {name for name, spec in services.items() if spec.get("profiles") == ["ha"]}
    assert ha == {"etcd1", "etcd2", "etcd3", "pg1", "pg2", "ha-init"}
    assert set(services) == default | ha
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


@pytest.mark.parametrize("api_port", [None, "9000", "18080"])
def test_api_port_publishes_the_api_on_that_port_whatever_the_replicas(
    api_port: str | None,
) -> None:
    services = compose({} if api_port is None else {"API_PORT": api_port})["services"]
    published = {
        name: [port for mapping in spec.get("ports", []) for port in host_ports(str(mapping))]
        for name, spec in services.items()
    }
    assert published["proxy"] == [int(api_port or 8000)]
    assert all(not ports for name, ports in published.items() if name != "proxy"), published
    for name, spec in services.items():
        replicas = spec.get("deploy", {}).get("replicas", 1)
        assert not published[name] or len(published[name]) >= replicas, name


def test_the_proxy_forwards_to_every_api_replica() -> None:
    proxy = compose()["services"]["proxy"]
    mount = next(v for v in proxy["volumes"] if v.endswith("/etc/nginx/conf.d/default.conf:ro"))
    conf = (ROOT / mount.split(":")[0]).read_text()
    assert re.search(r"^\s*listen 8000;", conf, re.M)
    assert "http://api:8000" in conf and "resolver 127.0.0.11" in conf
    assert proxy["depends_on"] == ["api"]
