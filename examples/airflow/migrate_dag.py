"""migrate from Airflow: one task per table, all sharing the PostgreSQL state store.

Each task runs the migrate binary for one table (--table). The tasks may run on different
workers at once: the shared store keeps one position per table, and a lease makes a second
run of the same table skip it instead of running it twice. Exit codes: 0 ok, 1 the table
failed (the task fails), 2 configuration, 3 another run holds a SQLite state file (not with
a shared store), 4 max_runtime reached. See docs/operations.md, "Running on several machines".
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

# The tables of table_mapping.yaml, by the name --table takes.
TABLES = ["customers", "orders", "order_items", "products", "payments"]

MIGRATE = "/usr/bin/migrate"
CONFIG = "/etc/migrate"

default_args = {
    "owner": "data-platform",
    "retries": 1,  # migrate retries transient failures itself; this covers a lost worker
    "retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=6),
}

with DAG(
    dag_id="migrate_mysql_to_postgresql",
    description="Sync MySQL tables into PostgreSQL with migrate",
    schedule="0 2 * * *",
    start_date=datetime(2026, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["migrate"],
) as dag:
    for table in TABLES:
        BashOperator(
            task_id=f"sync_{table}",
            bash_command=(
                f"{MIGRATE} --config {CONFIG} --table {table} "
                "--worker-id airflow-{{ ti.hostname }}-{{ ti.task_id }}"
            ),
            # Passwords come from the worker's environment (or an Airflow connection exported as
            # MIGRATE_* variables); migrate.yaml reads them through ${VAR}.
            append_env=True,
        )
