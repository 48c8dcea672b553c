"""Catalogers' approved and corrected analyses -> training pairs in LLaVA's conversation format.

The instruction is the prompt the analysis was generated with (a named template, or the run's
custom question), so the model learns the museum's corrections for the question it was asked.
"""

from __future__ import annotations

from archive_analyzer.db.database import Database
from archive_analyzer.model.prompts import QUERIES
from archive_analyzer.train.data import Example, write_conversations


def _query(row: dict) -> str:
    # A run's custom question overrides its template, whatever the prompt's name.
    return row["custom_prompt"] or QUERIES.get(row["prompt_name"], QUERIES["formal_analysis"])


def reviewed_examples(db: Database) -> list[Example]:
    return [
        Example(
            id=f"{row['object_id'] or 'analysis'}-{row['analysis_id']}",
            image=row["uri"],
            turns=((_query(row), row["text"].strip()),),
        )
        for row in db.fetch_all("reviewed_pairs")
    ]


def export_dataset(db: Database, out: str) -> list[Example]:
    examples = reviewed_examples(db)
    write_conversations(examples, out)
    return examples
