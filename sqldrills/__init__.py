"""sqldrills: practise and grade the SQL mistakes that run fine but return misleading numbers."""

__version__ = "0.1.0"

# The SQL dialects an answer may be written in (``--dialect``): here, not in sqlcheck, so
# that the command line can offer them without importing sqlglot.
DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "bigquery", "snowflake", "spark", "trino", "mysql")
