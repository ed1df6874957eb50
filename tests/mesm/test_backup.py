"""`manage.py backup` then `manage.py restore` into an empty database gives back the same data."""

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests import factories
from tests.listening.factories import MentionFactory, SourceFactory
from tests.strategy.calendar_factories import PlannedPostFactory


def _conninfo(dbname: str) -> str:
    params = connection.get_connection_params()
    params["dbname"] = dbname
    keys = ("dbname", "host", "port", "user", "password")
    return psycopg.conninfo.make_conninfo(**{k: params[k] for k in keys if params.get(k)})


def _fingerprint(dbname: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows, in a stable order."""
    with psycopg.connect(_conninfo(dbname), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        result = {}
        for table in tables:
            count, digest = conn.execute(
                psycopg.sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
                ).format(psycopg.sql.Identifier(table))
            ).fetchone()
            result[table] = (count, digest)
        return result


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(name)))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    yield name
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@pytest.mark.django_db(transaction=True)
def test_backup_restores_the_same_data_into_an_empty_database(tmp_path, empty_database):
    org = factories.OrganizationFactory(name="Biblioteca Norte", slug="norte")
    factories.MembershipFactory(org=org)
    factories.ObjectiveFactory(org=org, title="Más socios jóvenes «2026»")
    source = SourceFactory(org=org)
    for n in range(25):
        MentionFactory(org=org, source=source, text=f"Mención {n} con acentos: ñandú, 😀")
    PlannedPostFactory(org=org)
    dump = tmp_path / "mesm.dump"

    call_command("backup", str(dump))
    assert dump.exists() and dump.stat().st_size > 0
    assert not dump.with_name("mesm.dump.partial").exists()
    call_command("restore", str(dump), database_name=empty_database)

    original = _fingerprint(connection.settings_dict["NAME"])
    restored = _fingerprint(empty_database)
    assert original["listening_mention"][0] == 25
    assert original["strategy_objective"][0] >= 1
    assert restored == original


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_data_fails_whole_and_changes_nothing(tmp_path, empty_database):
    factories.OrganizationFactory(name="Biblioteca Sur", slug="sur")
    dump = tmp_path / "mesm.dump"
    call_command("backup", str(dump))
    call_command("restore", str(dump), database_name=empty_database)
    before = _fingerprint(empty_database)

    # A second restore without --clean meets existing tables: it stops and rolls back whole.
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(dump), database_name=empty_database)
    assert _fingerprint(empty_database) == before


def test_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), database_name="unused")
