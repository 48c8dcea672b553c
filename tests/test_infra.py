"""The KubeRay manifests are what a cluster would accept and do what the README says.

Every manifest (and the RayJob inside the ConfigMap the CronJob mounts) validates against
KubeRay's CRD schemas for the oldest and newest supported operator (vendored under
tests/fixtures/kuberay/) and against the core Kubernetes schemas (kubernetes-validate), with
unknown fields rejected as kubectl's strict field validation does. The nightly's lifecycle rules
hold: its cluster goes when the job ends, two nights cannot overlap, GPUs are requested as they
are limited, secrets are the ones the code reads, the CronJob's RBAC is exactly what
`kubectl create` needs. `test_each_check_fails_on_a_planted_fault` breaks a manifest once per
rule and shows the matching check rejects it. No network: every schema is on disk."""

from __future__ import annotations

import copy
import json
import re
import shlex
import tomllib
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import kubernetes_validate
import pytest
import ray
import yaml

from archive_analyzer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
KUBERAY = Path(__file__).resolve().parent / "fixtures" / "kuberay"
KUBERAY_VERSIONS = ("v1.2.0", "v1.7.0")  # the oldest and newest operator the README supports
KUBERNETES_VERSIONS = ("1.27", "1.37")  # CronJob timeZone is GA from 1.27; newest bundled
MAX_TTL_S = 300  # a finished night may hold its GPUs this long at most
DELETION_MARGIN_S = 600  # pod termination grace and operator requeues after the TTL
SECRET_ENV = {"ARCHIVE_ANALYZER_DATABASE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
AWS_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"}
ENV_THE_STACK_READS = {"HF_HUB_OFFLINE", "TRANSFORMERS_VERBOSITY"}
KUBECTL_IMAGE = re.compile(r"registry\.k8s\.io/kubectl:v\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?")
Manifests = dict[str, list[dict]]


def load() -> Manifests:
    """Every manifest by file name, plus the ConfigMap kustomize generates from them."""
    found = {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for path in sorted(INFRA.glob("*.yaml"))
    }
    (generator,) = found["kustomization.yaml"][0]["configMapGenerator"]
    data = {name: (INFRA / name).read_text() for name in generator["files"]}
    found["(generated)"] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": generator["name"]},
            "data": data,
        }
    ]
    return found


MANIFESTS = load()


def resources(m: Manifests) -> list[dict]:
    """What reaches the API server: every object, the ConfigMap's RayJob included."""
    docs = [doc for docs in m.values() for doc in docs if doc["kind"] != "Kustomization"]
    return docs + [nightly(m)]


def of_kind(m: Manifests, kind: str) -> list[dict]:
    return [doc for doc in resources(m) if doc["kind"] == kind]


def cron(m: Manifests) -> dict:
    (found,) = [doc for doc in m["nightly-cronjob.yaml"] if doc["kind"] == "CronJob"]
    return found


def creator_pod(m: Manifests) -> dict:
    return cron(m)["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def nightly(m: Manifests) -> dict:
    """The RayJob the CronJob creates: the file it names, read from the ConfigMap it mounts."""
    pod = creator_pod(m)
    path = Path(pod["containers"][0]["command"][-1])
    (mount,) = pod["containers"][0]["volumeMounts"]
    assert Path(mount["mountPath"]) == path.parent
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    (config_map,) = [
        d for d in m["(generated)"] if d["metadata"]["name"] == volume["configMap"]["name"]
    ]
    return yaml.safe_load(config_map["data"][path.name])


def edit_nightly(m: Manifests, change) -> None:
    """Apply `change` to the RayJob inside the generated ConfigMap."""
    (config_map,) = m["(generated)"]
    job = yaml.safe_load(config_map["data"]["rayjob-nightly.yaml"])
    change(job)
    config_map["data"]["rayjob-nightly.yaml"] = yaml.safe_dump(job)


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


def cluster_specs(m: Manifests) -> list[dict]:
    """The standalone RayCluster's spec and those the RayJobs bring along."""
    standalone = [doc["spec"] for doc in of_kind(m, "RayCluster")]
    embedded = [job["spec"].get("rayClusterSpec") for job in of_kind(m, "RayJob")]
    return standalone + [spec for spec in embedded if spec]


# -- schemas ---------------------------------------------------------------------------------


def strict(schema: dict) -> dict:
    """A CRD schema that rejects unknown fields. The API server would silently prune them;
    kubectl's default strict field validation rejects them, and a typo'd field is a bug."""
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: strict(v) for k, v in out["properties"].items()}
        if "additionalProperties" not in out and not out.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = strict(out["additionalProperties"])
    if isinstance(out.get("items"), dict):
        out["items"] = strict(out["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [strict(s) for s in out[key]]
    return out


@cache
def crd(version: str, kind: str) -> dict:
    for path in (KUBERAY / version).glob("ray.io_*.json"):
        definition = json.loads(path.read_text())
        if definition["spec"]["names"]["kind"] == kind:
            return definition
    raise AssertionError(f"KubeRay {version} has no CRD for {kind}")


@cache
def crd_validator(version: str, kind: str) -> jsonschema.Draft7Validator:
    (served,) = [v for v in crd(version, kind)["spec"]["versions"] if v["name"] == "v1"]
    return jsonschema.Draft7Validator(strict(served["schema"]["openAPIV3Schema"]))


def check_kuberay_schema(m: Manifests, version: str) -> None:
    ray_docs = [doc for doc in resources(m) if doc["apiVersion"].startswith("ray.io/")]
    assert {doc["kind"] for doc in ray_docs} == {"RayCluster", "RayJob"}
    for doc in ray_docs:
        assert doc["apiVersion"] == "ray.io/v1", doc["apiVersion"]
        crd_validator(version, doc["kind"]).validate(doc)


def check_kubernetes_schema(m: Manifests, version: str) -> None:
    core = [doc for doc in resources(m) if not doc["apiVersion"].startswith("ray.io/")]
    assert {doc["kind"] for doc in core} >= {"CronJob", "ConfigMap", "Role", "Secret"}
    for doc in core:
        kubernetes_validate.validate(doc, version, strict=True)


# -- lifecycle, resources, secrets, RBAC, images ---------------------------------------------


def shortest_period_s(schedule: str, zone: str) -> float:
    """The shortest gap between two starts of a daily schedule over a year (23 h across DST)."""
    minute, hour, *rest = schedule.split()
    assert rest == ["*", "*", "*"], "the overlap check understands daily schedules only"
    first = datetime(2026, 1, 1, int(hour), int(minute), tzinfo=ZoneInfo(zone))
    starts = [(first + timedelta(days=day)).astimezone(UTC) for day in range(366)]
    return min((b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False))


def check_lifecycle(m: Manifests) -> None:
    job, schedule = nightly(m)["spec"], cron(m)["spec"]
    assert "activeDeadlineSeconds" in job, "a night must end: the RayJob needs a deadline"
    for bound in ("startingDeadlineSeconds", "timeZone", "jobTemplate.spec.activeDeadlineSeconds"):
        node = schedule
        for key in bound.split("."):
            assert key in node, f"the CronJob needs {bound}: the overlap check relies on it"
            node = node[key]
    assert job["shutdownAfterJobFinishes"] is True and not job.get("clusterSelector")
    ttl = job.get("ttlSecondsAfterFinished", 0)
    assert 0 <= ttl <= MAX_TTL_S, f"the night's GPUs stay allocated {ttl} s after it ends"
    assert schedule.get("concurrencyPolicy") == "Forbid"
    latest_creation = (
        schedule["startingDeadlineSeconds"]
        + schedule["jobTemplate"]["spec"]["activeDeadlineSeconds"]
    )
    longest_night = latest_creation + job["activeDeadlineSeconds"] + ttl + DELETION_MARGIN_S
    period = shortest_period_s(schedule["schedule"], schedule["timeZone"])
    assert longest_night < period, (
        f"a night may last {longest_night} s; nights start {period} s apart"
    )


def check_gpus(m: Manifests) -> None:
    for containers in [c for doc in resources(m) for c in walk(doc, "containers")]:
        for container in containers:
            requests = container.get("resources", {}).get("requests", {})
            limits = container.get("resources", {}).get("limits", {})
            for name in [n for n in {*requests, *limits} if "gpu" in n]:
                assert requests.get(name) == limits.get(name), (container["name"], name)
    for spec in cluster_specs(m):
        head = spec["headGroupSpec"]["template"]["spec"]["containers"][0]
        assert "nvidia.com/gpu" not in head["resources"].get("limits", {})
        for group in spec["workerGroupSpecs"]:
            worker = group["template"]["spec"]["containers"][0]
            assert worker["resources"]["limits"].get("nvidia.com/gpu") == "1", group["groupName"]
            assert worker["image"].endswith("-gpu")


def secret_keys(m: Manifests) -> set[tuple[str, str]]:
    docs = m["secrets.example.yaml"]
    return {(d["metadata"]["name"], key) for d in docs for key in d["stringData"]}


def check_secrets(m: Manifests) -> None:
    settings = {f"ARCHIVE_ANALYZER_{name.upper()}" for name in Settings.model_fields}
    known = secret_keys(m)
    env_lists = [env for doc in resources(m) for env in walk(doc, "env")]
    assert env_lists
    for env in env_lists:
        assert SECRET_ENV <= {item["name"] for item in env}
        for item in env:
            assert item["name"] in settings | AWS_ENV | ENV_THE_STACK_READS, item["name"]
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if item["name"] in SECRET_ENV:
                assert ref is not None and "value" not in item, item["name"]
            if ref:
                assert (ref["name"], ref["key"]) in known, ref


def needed_rules(m: Manifests) -> list[dict]:
    """The RBAC rule the creator's command needs: `kubectl create -f` of one RayJob."""
    command = creator_pod(m)["containers"][0]["command"]
    assert command[:3] == ["/bin/kubectl", "create", "-f"] and len(command) == 4, command
    job = nightly(m)
    plural = crd(KUBERAY_VERSIONS[-1], job["kind"])["spec"]["names"]["plural"]
    return [
        {"apiGroups": [job["apiVersion"].split("/")[0]], "resources": [plural], "verbs": ["create"]}
    ]


def check_rbac(m: Manifests) -> None:
    account = creator_pod(m)["serviceAccountName"]
    assert [d["metadata"]["name"] for d in of_kind(m, "ServiceAccount")] == [account]
    (role,) = of_kind(m, "Role")
    assert role["rules"] == needed_rules(m)
    (binding,) = of_kind(m, "RoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account}]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": role["metadata"]["name"],
    }
    assert not of_kind(m, "ClusterRole") and not of_kind(m, "ClusterRoleBinding")


def check_images(m: Manifests) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = project["requires-python"].removeprefix(">=").replace(".", "")
    ray_image = rf"rayproject/ray:{re.escape(ray.__version__)}-py{python}(-gpu)?"
    images = [image for doc in resources(m) for image in walk(doc, "image")]
    assert any(re.fullmatch(ray_image, image) for image in images)
    for image in images:
        assert re.fullmatch(ray_image, image) or KUBECTL_IMAGE.fullmatch(image), image
    assert {spec["rayVersion"] for spec in cluster_specs(m)} == {ray.__version__}


CHECKS = {
    **{f"kuberay-{v}": partial(check_kuberay_schema, version=v) for v in KUBERAY_VERSIONS},
    **{f"kubernetes-{v}": partial(check_kubernetes_schema, version=v) for v in KUBERNETES_VERSIONS},
    "lifecycle": check_lifecycle,
    "gpus": check_gpus,
    "secrets": check_secrets,
    "rbac": check_rbac,
    "images": check_images,
}


@pytest.mark.parametrize("name", CHECKS)
def test_manifests_pass_every_check(name):
    CHECKS[name](MANIFESTS)


# -- planted faults: each check rejects a manifest broken in its way ------------------------

DELETE = object()
NIGHTLY = ("(generated)", "ConfigMap")  # the RayJob inside the ConfigMap the CronJob mounts
CLUSTER, ANALYZE = ("raycluster.yaml", "RayCluster"), ("rayjob-analyze.yaml", "RayJob")
CRON, ROLE = ("nightly-cronjob.yaml", "CronJob"), ("nightly-cronjob.yaml", "Role")
POD = "spec.jobTemplate.spec.template.spec"
WORKER = "workerGroupSpecs.0.template.spec.containers.0"
HEAD_ENV = "headGroupSpec.template.spec.containers.0.env"
GPU = "[nvidia.com/gpu]"


def plant(m: Manifests, where: tuple[str, str], path: str, value) -> None:
    """Set a dotted path (list indexes as numbers, a key with dots in [brackets]) in one
    manifest; DELETE removes it."""
    if where == NIGHTLY:
        return edit_nightly(m, lambda job: plant({"job": [job]}, ("job", job["kind"]), path, value))
    (node,) = [doc for doc in m[where[0]] if doc["kind"] == where[1]]
    keys = [whole or part for whole, part in re.findall(r"\[([^\]]+)\]|([^.\[\]]+)", path)]
    *parents, last = [int(key) if key.isdigit() else key for key in keys]
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


SCHEMA_FAULTS = {
    "kuberay": [
        ("unknown field in the nightly RayJob", NIGHTLY, "spec.ttlSecondAfterFinished", 0),
        ("unknown field in a worker container", CLUSTER, f"spec.{WORKER}.resource", {}),
        ("wrong type in the one-off RayJob", ANALYZE, "spec.shutdownAfterJobFinishes", "yes"),
    ],
    "kubernetes": [
        ("unknown field in the CronJob", CRON, "spec.concurrency", "Forbid"),
        ("unknown field in the creator pod", CRON, f"{POD}.serviceAccount_name", "x"),
        ("wrong type in the Role", ROLE, "rules.0.verbs", "create"),
    ],
}
FAULTS = [
    *[
        (f"{schemas}-{version}", *fault)
        for schemas, versions in (
            ("kuberay", KUBERAY_VERSIONS),
            ("kubernetes", KUBERNETES_VERSIONS),
        )
        for version in versions
        for fault in SCHEMA_FAULTS[schemas]
    ],
    ("lifecycle", "TTL of a day", NIGHTLY, "spec.ttlSecondsAfterFinished", 86400),
    ("lifecycle", "cluster kept", NIGHTLY, "spec.shutdownAfterJobFinishes", False),
    ("lifecycle", "no deadline", NIGHTLY, "spec.activeDeadlineSeconds", DELETE),
    ("lifecycle", "night of 22 h", NIGHTLY, "spec.activeDeadlineSeconds", 79200),
    ("lifecycle", "late start allowed for 14 h", CRON, "spec.startingDeadlineSeconds", 50400),
    (
        "lifecycle",
        "creator without deadline",
        CRON,
        "spec.jobTemplate.spec.activeDeadlineSeconds",
        DELETE,
    ),
    ("lifecycle", "concurrent creators", CRON, "spec.concurrencyPolicy", "Allow"),
    (
        "gpus",
        "missing GPU limit",
        NIGHTLY,
        f"spec.rayClusterSpec.{WORKER}.resources.limits.{GPU}",
        DELETE,
    ),
    ("gpus", "GPU request above limit", CLUSTER, f"spec.{WORKER}.resources.requests.{GPU}", "2"),
    (
        "secrets",
        "wrong secret key",
        CLUSTER,
        f"spec.{HEAD_ENV}.0.valueFrom.secretKeyRef.key",
        "url",
    ),
    ("secrets", "secret as a literal", NIGHTLY, f"spec.rayClusterSpec.{HEAD_ENV}.2.value", "abc"),
    ("rbac", "extra RBAC verb", ROLE, "rules.0.verbs", ["create", "delete"]),
    ("rbac", "any resource", ROLE, "rules.0.resources", ["*"]),
    ("images", "withdrawn bitnami tag", CRON, f"{POD}.containers.0.image", "bitnami/kubectl:1.31"),
    (
        "images",
        "unpinned kubectl",
        CRON,
        f"{POD}.containers.0.image",
        "registry.k8s.io/kubectl:latest",
    ),
    ("images", "other Ray version", CLUSTER, "spec.rayVersion", "2.9.0"),
]


@pytest.mark.parametrize(
    ("check", "where", "path", "value"),
    [pytest.param(check, *fault, id=f"{check}: {what}") for check, what, *fault in FAULTS],
)
def test_each_check_fails_on_a_planted_fault(check, where, path, value):
    broken = copy.deepcopy(MANIFESTS)
    plant(broken, where, path, value)
    with pytest.raises((AssertionError, jsonschema.ValidationError)):
        CHECKS[check](broken)


def test_every_check_has_a_planted_fault():
    assert {check for check, *_ in FAULTS} == set(CHECKS)


def test_every_manifest_names_itself():
    for doc in resources(MANIFESTS):
        assert doc["metadata"].get("name") or doc["metadata"].get("generateName"), doc["kind"]


def test_entrypoints_are_the_job_scripts_and_code_comes_from_object_storage():
    jobs = of_kind(MANIFESTS, "RayJob")
    assert len(jobs) == 3  # the one-off, the nightly file, and the nightly the CronJob creates
    for job in jobs:
        words = shlex.split(job["spec"]["entrypoint"])
        assert words[0] == "python" and (ROOT / words[1]).is_file(), words
        assert words[1].startswith("jobs/")
        # Ray fetches an s3:// working_dir with boto3 + smart_open, preinstalled in the
        # rayproject/ray images (not installable through the runtime_env itself).
        working_dir = yaml.safe_load(job["spec"]["runtimeEnvYAML"])["working_dir"]
        assert working_dir.startswith("s3://") and working_dir.endswith(".zip")


def test_runtime_env_pip_matches_the_project_dependencies():
    wanted = [
        line.strip()
        for line in (ROOT / "jobs" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(wanted) == {dep for dep in project["dependencies"] if not dep.startswith("ray")}
    for job in of_kind(MANIFESTS, "RayJob"):
        assert yaml.safe_load(job["spec"]["runtimeEnvYAML"])["pip"] == wanted
    local = yaml.safe_load((ROOT / "jobs" / "runtime_env.yaml").read_text())
    assert (ROOT / local["pip"]).is_file() and local["working_dir"] == "."


def test_kustomization_applies_the_cluster_and_the_schedule_but_no_secrets():
    (kustomization,) = MANIFESTS["kustomization.yaml"]
    assert kustomization["resources"] == ["raycluster.yaml", "nightly-cronjob.yaml"]
    assert nightly(MANIFESTS) == yaml.safe_load((INFRA / "rayjob-nightly.yaml").read_text())
    assert "nightly_reanalysis.py" in nightly(MANIFESTS)["spec"]["entrypoint"]


def test_the_schedule_allows_23_hours_across_daylight_saving_time():
    assert shortest_period_s("0 1 * * *", "Europe/Berlin") == 23 * 3600
    assert shortest_period_s("0 1 * * *", "UTC") == 24 * 3600
