"""PostgreSQL access: the embedded server, migrations and named queries from sql/."""
