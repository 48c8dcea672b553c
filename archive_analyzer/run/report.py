"""The morning report: one run as a person reads it (`archive-analyzer runs show RUN`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from archive_analyzer.run.plan import PLAN_CLASSES

OUTCOMES = ("analysed", "reused", "failed", "skipped", "metadata_synced")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if value else "-"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m {seconds % 60:02d}s"


def _counts_line(counts: dict[str, Any], names: tuple[str, ...]) -> str:
    return "  ".join(f"{name} {counts.get(name, 0)}" for name in names)


def _header(run: dict[str, Any]) -> list[str]:
    return [
        f"run {run['id']}: {run['status'].upper()}",
        f"  collection   {run['collection']}",
        f"  source       {run['source_uri']}",
        f"  started      {_when(run['started_at'])}   on {run['host']} (pid {run['pid']})",
        f"  finished     {_when(run['finished_at'])}   took {_duration(run['duration'])}",
        f"  model        {run['model_version']}",
        f"  prompt       {run['prompt_name'] or '-'} {run['prompt_version']}",
    ]


def _body(run: dict[str, Any]) -> list[str]:
    counts = run["counts"] or {}
    rate = run["images_per_second"]
    lines = [
        f"  plan         {_counts_line(run['plan'] or {}, PLAN_CLASSES)}",
        f"  outcome      {_counts_line(counts, OUTCOMES)}  (of {counts.get('seen', '-')} seen)",
        f"  throughput   {rate:.2f} images/s" if rate is not None else "  throughput   -",
    ]
    for reason, count in sorted((counts.get("failures_by_reason") or {}).items()):
        lines.append(f"  failed       {reason}: {count}")
    if run["error"]:
        lines.append(f"  error        {run['error']}")
    return lines


def _failures(failures: list[dict[str, Any]]) -> list[str]:
    if not failures:
        return []
    lines = ["", "failures (first ones):"]
    lines += [f"  {f['reason']:<14}{f['uri']}  {f['message']}" for f in failures]
    return lines


def _settings(settings: dict[str, Any]) -> list[str]:
    # Stored without secrets (Settings.public_dict); printed as stored.
    shown = {key: value for key, value in sorted(settings.items()) if value is not None}
    return ["", "settings:", *(f"  {key} = {value}" for key, value in shown.items())]


def format_report(run: dict[str, Any], failures: list[dict[str, Any]]) -> str:
    lines = _header(run) + _body(run) + _failures(failures) + _settings(run["settings"] or {})
    return "\n".join(lines)
