"""psql explains the catalog: every documented view, each of its columns, every project
function and the words table carry a COMMENT (what \\d+ and \\df+ show)."""

from __future__ import annotations

from tests.test_security_roles import DOCUMENTED_VIEWS

UNDESCRIBED_COLUMNS = """
SELECT c.relname || '.' || a.attname AS name
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s)
  AND col_description(c.oid, a.attnum) IS NULL
ORDER BY 1
"""
UNDESCRIBED_RELATIONS = """
SELECT c.relname AS name FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s)
  AND obj_description(c.oid, 'pg_class') IS NULL
"""
# The project's own functions: in public and not an extension's.
UNDESCRIBED_FUNCTIONS = """
SELECT p.oid::regprocedure::text AS name FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
  AND obj_description(p.oid, 'pg_proc') IS NULL
"""


def names(db, sql: str, *params) -> list[str]:
    with db.connect() as conn:
        return [row["name"] for row in conn.execute(sql, params).fetchall()]


def test_every_documented_view_and_each_of_its_columns_is_described(db):
    views = sorted(DOCUMENTED_VIEWS | {"query_embeddings"})
    assert names(db, UNDESCRIBED_RELATIONS, views) == []
    assert names(db, UNDESCRIBED_COLUMNS, views) == []
    with db.connect() as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relname = ANY(%s)", (views,)
        ).fetchone()["count"]
    assert found == len(views)  # a renamed view must not pass as "nothing undescribed"


def test_every_project_function_is_described(db):
    assert names(db, UNDESCRIBED_FUNCTIONS) == []
    with db.connect() as conn:
        described = conn.execute(
            "SELECT obj_description('catalog_search_color'::regproc, 'pg_proc') AS d"
        ).fetchone()["d"]
    assert "HIGHER is better" in described  # the direction of a score, where it matters
