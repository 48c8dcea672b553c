"""An artwork as a Linked Art HumanMadeObject with the analysis as a description.

The analysis is a LinguisticObject in `referred_to_by`, classified as a description
(aat:300435416, itself a brief text, aat:300418049) in English, the Linked Art pattern for
descriptive statements. Its aspects are its parts; vocabulary terms with a verified AAT id are
what it is `about`. How the text came to be (model name and version, prompt version, run) is an
AttributeAssignment in its `assigned_by`. Dominant colours follow Linked Art's colour pattern:
a Dimension classified as a colour (aat:300080438) whose value is the RGB integer, unit RGB
colour space (aat:300266239), with the hex string as an Identifier. Ids of our own concepts
(aspects, runs, models) are under the `urn:archive-analyzer:` namespace.
"""

from __future__ import annotations

from typing import Any

from archive_analyzer.catalog.vocabulary import Vocabulary
from archive_analyzer.export.records import model_name, slug, top_colours

CONTEXT = "https://linked.art/ns/v1/linked-art.json"
AAT = "http://vocab.getty.edu/aat/"
OURS = "urn:archive-analyzer:"


def aat(number: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"id": AAT + number, "type": "Type", "_label": label, **extra}


BRIEF_TEXT = aat("300418049", "Brief Text")
DESCRIPTION = aat("300435416", "Description", classified_as=[BRIEF_TEXT])
ENGLISH = {"id": AAT + "300388277", "type": "Language", "_label": "English"}
PRIMARY_NAME = aat("300404670", "Primary Name")
ACCESSION_NUMBER = aat("300312355", "Accession Number")
MATERIAL_STATEMENT = aat("300435429", "Material Statement", classified_as=[BRIEF_TEXT])
PRODUCTION_STATEMENT = aat("300435436", "Production Statement", classified_as=[BRIEF_TEXT])
COLOUR = aat("300080438", "Color")
RGB = {"id": AAT + "300266239", "type": "MeasurementUnit", "_label": "rgb"}


def statement(content: str, kind: dict[str, Any]) -> dict[str, Any]:
    return {"type": "LinguisticObject", "content": content, "classified_as": [kind]}


def provenance(row: dict[str, Any]) -> dict[str, Any]:
    """Who or what wrote the text: the model, the prompt and the run, as an assignment."""
    run = row.get("run_id")
    assignment: dict[str, Any] = {
        "type": "AttributeAssignment",
        "_label": "Machine-generated formal analysis (archive-analyzer)",
        "used_specific_object": [
            {
                "id": f"{OURS}model:{row['model_version']}",
                "type": "DigitalObject",
                "_label": model_name(row),
                "identified_by": [
                    {"type": "Name", "content": model_name(row)},
                    {"type": "Identifier", "content": row["model_version"]},
                ],
            },
            {
                "id": f"{OURS}prompt:{row['prompt_version']}",
                "type": "LinguisticObject",
                "_label": f"prompt {row['prompt_name']}",
                "identified_by": [{"type": "Identifier", "content": row["prompt_version"]}],
            },
        ],
    }
    if run is not None:
        assignment["part_of"] = [{"id": f"{OURS}run:{run}", "type": "Activity"}]
    if row.get("analysed_at"):
        when = row["analysed_at"].isoformat()
        assignment["timespan"] = {
            "type": "TimeSpan",
            "begin_of_the_begin": when,
            "end_of_the_end": when,
        }
    return assignment


def analysis_statement(row: dict[str, Any], vocabulary: Vocabulary) -> dict[str, Any]:
    text = statement(row["analysis"], DESCRIPTION)
    text.update(
        id=f"{OURS}analysis:{row['analysis_id']}",
        _label="Formal analysis",
        language=[ENGLISH],
        assigned_by=[provenance(row)],
    )
    about = []
    for name in row.get("terms") or ():
        term = vocabulary.term(name)
        if term is not None and term.aat:
            about.append({"id": AAT + term.aat, "type": "Type", "_label": term.term})
    if about:
        text["about"] = about
    parts = [
        {
            "type": "LinguisticObject",
            "content": " ".join(sentences),
            "classified_as": [{"id": f"{OURS}aspect:{aspect}", "type": "Type", "_label": aspect}],
        }
        for aspect, sentences in (row.get("aspects") or {}).items()
        if sentences
    ]
    if parts:
        text["part"] = parts
    return text


def colour(entry: dict[str, Any]) -> dict[str, Any]:
    hex_value = str(entry["hex"]).lstrip("#")
    return {
        "type": "Dimension",
        "_label": f"{entry['css_name']} ({round(100 * float(entry['share']))}% of the image)",
        "classified_as": [COLOUR],
        "value": int(hex_value, 16),
        "unit": RGB,
        "identified_by": [{"type": "Identifier", "content": "#" + hex_value}],
    }


def production(row: dict[str, Any]) -> dict[str, Any] | None:
    if not (row.get("artist") or row.get("date_text")):
        return None
    made: dict[str, Any] = {"type": "Production"}
    if row.get("artist"):
        made["referred_to_by"] = [statement(row["artist"], PRODUCTION_STATEMENT)]
    if row.get("year_start") is not None or row.get("year_end") is not None:
        span: dict[str, Any] = {"type": "TimeSpan"}
        if row.get("date_text"):
            span["identified_by"] = [{"type": "Name", "content": row["date_text"]}]
        if row.get("year_start") is not None:
            span["begin_of_the_begin"] = f"{row['year_start']:04d}-01-01T00:00:00Z"
        if row.get("year_end") is not None:
            span["end_of_the_end"] = f"{row['year_end']:04d}-12-31T23:59:59Z"
        made["timespan"] = span
    return made


def artwork(row: dict[str, Any], base: str, vocabulary: Vocabulary) -> dict[str, Any]:
    """One artwork as a Linked Art JSON-LD document."""
    title = row.get("title") or row["object_id"]
    names = [{"type": "Name", "content": title, "classified_as": [PRIMARY_NAME]}]
    names.append({"type": "Identifier", "content": row["object_id"]})
    statements = [analysis_statement(row, vocabulary)]
    if row.get("medium"):
        statements.append(statement(row["medium"], MATERIAL_STATEMENT))
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{base}/object/{slug(row['object_id'])}",
        "type": "HumanMadeObject",
        "_label": title,
        "identified_by": names,
        "referred_to_by": statements,
    }
    if made := production(row):
        document["produced_by"] = made
    if colours := [colour(c) for c in top_colours(row)]:
        document["dimension"] = colours
    return document
