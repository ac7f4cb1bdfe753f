"""The GitHub Pages workflow: builds every push and pull request, deploys only from main."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_triggers_are_pushes_to_main_and_pull_requests(workflow):
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in workflow["on"]


def test_permissions_allow_a_pages_deployment_and_nothing_more(workflow):
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_runs_share_a_pages_concurrency_group(workflow):
    assert workflow["concurrency"]["group"].startswith("pages")


def test_the_deploy_job_runs_only_on_a_push_to_main_after_the_build(workflow):
    deploy = workflow["jobs"]["deploy"]
    condition = deploy["if"].replace(" ", "")
    assert "github.event_name=='push'" in condition and "github.ref=='refs/heads/main'" in condition
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [_uses(step) for step in deploy["steps"]] == ["actions/deploy-pages"]


def test_the_build_sets_up_python_restores_figures_checks_and_builds(workflow):
    steps = _steps(workflow, "build")
    uses = [_uses(step) for step in steps]
    assert uses[0] == "actions/checkout"
    python = steps[uses.index("actions/setup-python")]
    assert str(python["with"]["python-version"]) == "3.11"
    cache = steps[uses.index("actions/cache")]
    assert cache["with"]["path"] == ".cache/figures"
    assert "hashFiles('content/figures.yaml', 'generator/simulation/**')" in cache["with"]["key"]
    commands = [step.get("run", "") for step in steps]
    check = next(i for i, run in enumerate(commands) if "make check" in run or "symposium check" in run)
    build = next(i for i, run in enumerate(commands) if run.startswith("make site"))
    assert check < build
    assert "BASE_URL" in commands[build]
    assert "github.event.repository.name" in steps[build]["env"]["BASE_URL"]


def test_only_a_push_to_main_configures_pages_and_uploads_the_site(workflow):
    steps = _steps(workflow, "build")
    for action in ("actions/configure-pages", "actions/upload-pages-artifact"):
        step = next(step for step in steps if _uses(step) == action)
        assert re.sub(r"\s", "", step["if"]) == "github.event_name=='push'&&github.ref=='refs/heads/main'"
    upload = next(step for step in steps if _uses(step) == "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"


def test_every_action_is_pinned_to_a_major_version(workflow):
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.search(r"@v\d+$", step["uses"]), step["uses"]
