"""The KubeRay manifests agree with the code: they parse, their images carry the Ray and Python
versions the project pins, their entrypoints are the jobs/ scripts, the settings they set are
names the code reads, and credentials come only from the Secrets the README tells people to
create."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import ray
import yaml

from archive_analyzer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
SECRET_ENV = {"ARCHIVE_ANALYZER_DATABASE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
AWS_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"}
ENV_THE_STACK_READS = {"HF_HUB_OFFLINE", "TRANSFORMERS_VERBOSITY"}


def documents() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(INFRA.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((path.name, doc))
    return found


def walk(node, key: str):
    """Every value stored under `key` anywhere in a parsed manifest."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, key)


def kind(name: str) -> list[dict]:
    return [doc for _, doc in documents() if doc["kind"] == name]


def secret_keys() -> set[tuple[str, str]]:
    docs = yaml.safe_load_all((INFRA / "secrets.example.yaml").read_text())
    return {(d["metadata"]["name"], key) for d in docs for key in d["stringData"]}


def test_every_manifest_parses_and_names_itself():
    docs = documents()
    assert {doc["kind"] for _, doc in docs} >= {"RayCluster", "RayJob", "CronJob", "Secret"}
    for name, doc in docs:
        assert doc.get("apiVersion") and doc.get("kind"), name
        if doc["kind"] != "Kustomization":
            assert doc["metadata"].get("name") or doc["metadata"].get("generateName"), name


def cluster_specs() -> list[dict]:
    """The standalone RayCluster's spec and those RayJobs bring along."""
    standalone = [doc["spec"] for doc in kind("RayCluster")]
    embedded = [job["spec"].get("rayClusterSpec") for job in kind("RayJob")]
    return standalone + [spec for spec in embedded if spec]


def test_images_carry_the_ray_and_python_versions_the_project_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = project["requires-python"].removeprefix(">=").replace(".", "")
    images = [image for _, doc in documents() for image in walk(doc, "image")]
    ray_images = [image for image in images if image.startswith("rayproject/ray:")]
    assert len(ray_images) == 4
    for image in ray_images:
        assert re.fullmatch(rf"rayproject/ray:{ray.__version__}-py{python}(-gpu)?", image), image
    assert {spec["rayVersion"] for spec in cluster_specs()} == {ray.__version__}


def test_head_is_cpu_and_workers_have_a_gpu_each():
    assert len(cluster_specs()) == 2
    for spec in cluster_specs():
        head = spec["headGroupSpec"]["template"]["spec"]["containers"][0]
        assert "nvidia.com/gpu" not in head["resources"]["limits"]
        for group in spec["workerGroupSpecs"]:
            worker = group["template"]["spec"]["containers"][0]
            assert worker["resources"]["limits"]["nvidia.com/gpu"] == "1"
            assert worker["image"].endswith("-gpu")


def test_entrypoints_are_the_job_scripts():
    jobs = kind("RayJob")
    assert jobs
    for job in jobs:
        words = shlex.split(job["spec"]["entrypoint"])
        assert words[0] == "python" and (ROOT / words[1]).is_file(), words
        assert words[1].startswith("jobs/")
        runtime_env = yaml.safe_load(job["spec"]["runtimeEnvYAML"])  # code as a zip in S3
        assert runtime_env["working_dir"].endswith(".zip")


def test_runtime_env_pip_matches_the_project_dependencies():
    wanted = [
        line.strip()
        for line in (ROOT / "jobs" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(wanted) == {dep for dep in project["dependencies"] if not dep.startswith("ray")}
    for job in kind("RayJob"):
        assert yaml.safe_load(job["spec"]["runtimeEnvYAML"])["pip"] == wanted
    local = yaml.safe_load((ROOT / "jobs" / "runtime_env.yaml").read_text())
    assert (ROOT / local["pip"]).is_file() and local["working_dir"] == "."


def test_settings_are_names_the_code_reads_and_credentials_come_from_secrets():
    settings = {f"ARCHIVE_ANALYZER_{name.upper()}" for name in Settings.model_fields}
    known = secret_keys()
    env_lists = [env for _, doc in documents() for env in walk(doc, "env")]
    assert env_lists
    for env in env_lists:
        names = {item["name"] for item in env}
        assert SECRET_ENV <= names
        for item in env:
            assert item["name"] in settings | AWS_ENV | ENV_THE_STACK_READS, item["name"]
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if item["name"] in SECRET_ENV:
                assert ref is not None and "value" not in item, item["name"]
            if ref:
                assert (ref["name"], ref["key"]) in known, ref


def test_nightly_schedule_creates_the_nightly_rayjob_and_never_overlaps():
    (cron,) = kind("CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert len(cron["spec"]["schedule"].split()) == 5
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    command = pod["containers"][0]["command"]
    volume = pod["volumes"][0]["configMap"]["name"]
    kustomization = yaml.safe_load((INFRA / "kustomization.yaml").read_text())
    (generated,) = kustomization["configMapGenerator"]
    assert generated["name"] == volume
    assert Path(command[-1]).name in generated["files"]
    nightly = yaml.safe_load((INFRA / Path(command[-1]).name).read_text())
    assert nightly["kind"] == "RayJob" and "nightly_reanalysis.py" in nightly["spec"]["entrypoint"]
    assert nightly["spec"]["shutdownAfterJobFinishes"] is True
    for resource in kustomization["resources"]:
        assert (INFRA / resource).is_file()
    assert "secrets.example.yaml" not in kustomization["resources"]
