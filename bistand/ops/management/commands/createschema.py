"""`bistand createschema`: a new, empty database's schema straight from the models.

`migrate` on an empty database replays every migration, and Django re-renders the project's
model state after each operation: with about 150 related models that costs 30 s of CPU on
SQLite (issue #15: `make run` under two minutes). This command builds the same schema the way
Django builds an unmigrated app's tables (`schema_editor.create_model` for every model of the migrations' final state), runs
the database rules our own migrations install (their `RunPython` operations: triggers, seeds;
on an empty database the data fixes among them change nothing), and records every migration
as applied, as `migrate` would leave it. A later `migrate` then applies only new migrations.

It refuses a database that has tables (`--if-empty` makes that a no-op instead), and
tests/ops/test_createschema.py compares the schema it builds with the one the migrations
build, column by column, index, constraint and trigger, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython, RunSQL
from django.db.migrations.recorder import MigrationRecorder

OWN_APPS_PREFIX = "bistand."


def _models(state_apps, connection):
    """Every model the migrations create, as the migrations' final state defines it (their
    rendered project state, not the app registry: an auto-created many-to-many table's key,
    for one, follows the project's default there)."""
    return [model for model in state_apps.get_models() if model._meta.can_migrate(connection)]


def _plan(loader):
    """Every migration of the graph (squashed ones as their replacement), in applying order."""
    plan, seen = [], set()
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                plan.append(key)
    return plan


def _own_operations(loader, plan):
    """The RunPython operations of our own apps' migrations, in applying order."""
    operations = []
    for key in plan:
        migration = loader.graph.nodes[key]
        app_config = global_apps.get_app_config(migration.app_label)
        if not app_config.name.startswith(OWN_APPS_PREFIX):
            continue  # Django's and the libraries' RunPython: data fixes of existing rows
        for operation in migration.operations:
            if isinstance(operation, RunSQL):
                raise CommandError(
                    f"{key[0]}.{key[1]} has a RunSQL operation; createschema cannot replay it. "
                    "Use `bistand migrate`."
                )
            if isinstance(operation, RunPython):
                operations.append((key, operation))
    return operations


class Command(BaseCommand):
    help = (
        "Create the schema of an empty database directly from the models, install the "
        "database rules of the migrations and mark every migration applied (faster than "
        "`migrate` on a new database; refuses a database that has tables)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has tables.",
        )

    def handle(self, *args, database, if_empty, verbosity, **options):
        connection = connections[database]
        existing = connection.introspection.table_names()
        if existing:
            if if_empty:
                if verbosity:
                    self.stdout.write("The database has tables: left to `migrate`.")
                return
            raise CommandError(
                f"The database has {len(existing)} tables; createschema builds only an empty "
                "one. Use `bistand migrate`."
            )
        loader = MigrationLoader(connection)
        plan = _plan(loader)
        operations = _own_operations(loader, plan)
        state_apps = loader.project_state().apps  # rendered once, not once per operation
        models = _models(state_apps, connection)
        # One transaction where the database allows DDL in one (PostgreSQL, SQLite): a failure
        # leaves the database empty, as it was.
        with connection.schema_editor(atomic=True) as editor:
            for model in models:
                editor.create_model(model)
            for _key, operation in operations:
                operation.code(state_apps, editor)
            recorder = MigrationRecorder(connection)
            recorder.ensure_schema()
            for app_label, name in plan:
                recorder.record_applied(app_label, name)
        if verbosity:
            self.stdout.write(
                f"Created the tables of {len(models)} models, ran {len(operations)} database rules, "
                f"recorded {len(plan)} migrations as applied."
            )
