"""OP-1: `meterline serve` with no configuration runs its own PostgreSQL, keeps data across
restarts, and stops the database when it is stopped."""
import os
import subprocess
import urllib.request

from conftest import Server


def postgres_running(data_dir):
    pid_file = os.path.join(data_dir, "pg", "data", "postmaster.pid")
    if not os.path.exists(pid_file):
        return False
    pid = int(open(pid_file).read().split()[0])
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def psql(data_dir, sql):
    socket_dir = os.path.join(data_dir, "pg", "run")
    out = subprocess.run(["psql", "-h", socket_dir, "-U", "meterline", "-d", "meterline", "-tAc", sql],
                         check=True, capture_output=True, text=True, cwd="/tmp")
    return out.stdout.strip()


def test_sigterm_stops_the_embedded_database_and_a_restart_keeps_the_data():
    first = Server()
    try:
        assert postgres_running(first.data)
        psql(first.data, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')")
        migrations = psql(first.data, "SELECT count(*) FROM schema_migrations")
        assert first.stop() == 0
        assert not postgres_running(first.data), first.output()

        second = Server(data=first.data)
        try:
            assert psql(first.data, "SELECT note FROM kept") == "still here"
            assert psql(first.data, "SELECT count(*) FROM schema_migrations") == migrations
            with urllib.request.urlopen(second.url + "/healthz") as response:
                assert response.status == 200
        finally:
            assert second.stop() == 0
        assert not postgres_running(first.data), second.output()
    finally:
        first.stop()
        first.cleanup()


def test_a_broken_migration_stops_start_up_with_a_clear_message_and_changes_nothing(tmp_path):
    import conftest
    migrations = tmp_path / "Migrations"
    migrations.mkdir()
    for f in (conftest.ROOT / "Migrations").iterdir():
        (migrations / f.name).write_text(f.read_text())
    (migrations / "9000_test_broken.sql").write_text("CREATE TABLE half_done (id int);\nCREATE TABEL oops (id int);\n")
    os.chmod(tmp_path, 0o755)

    first = Server()
    try:
        assert first.stop() == 0
        env = dict(os.environ, DATA_DIR=first.data, MIGRATIONS_DIR=str(migrations))
        env.pop("DATABASE_URL", None)
        result = subprocess.run([str(conftest.ROOT / ".build" / "debug" / "meterline"), "serve", "--port", "1"],
                                cwd=conftest.ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0
        assert "9000_test_broken.sql:2:" in result.stderr
        assert "syntax error" in result.stderr
        # It stopped the database it had started, and the half-applied file left nothing behind.
        assert not postgres_running(first.data)
        second = Server(data=first.data)
        try:
            assert psql(first.data, "SELECT to_regclass('half_done') IS NULL") == "t"
            assert psql(first.data, "SELECT count(*) FROM schema_migrations WHERE name LIKE '9000%'") == "0"
        finally:
            second.stop()
    finally:
        first.stop()
        first.cleanup()


def test_with_database_url_the_server_uses_that_database_and_starts_none_of_its_own(tmp_path):
    import conftest
    host = Server()  # provides a PostgreSQL to point at
    try:
        psql(host.data, "SELECT 1")
        subprocess.run(["psql", "-h", os.path.join(host.data, "pg", "run"), "-U", "meterline", "-d", "postgres",
                        "-c", "CREATE DATABASE outside"], check=True, capture_output=True, cwd="/tmp")
        url = f"postgresql://meterline@/outside?host={os.path.join(host.data, 'pg', 'run')}&port=5432"
        os.chmod(tmp_path, 0o755)
        guest = Server(data=str(tmp_path), database_url=url, environment={"DEV_MODE": "true"})
        try:
            with urllib.request.urlopen(guest.url + "/healthz") as response:
                assert response.status == 200
            assert not os.path.exists(os.path.join(tmp_path, "pg")), "started an embedded database anyway"
            out = subprocess.run(["psql", "-h", os.path.join(host.data, "pg", "run"), "-U", "meterline", "-d", "outside",
                                  "-tAc", "SELECT count(*) FROM schema_migrations"],
                                 check=True, capture_output=True, text=True, cwd="/tmp")
            assert int(out.stdout) == len(list((conftest.ROOT / "Migrations").glob("*.sql")))
        finally:
            assert guest.stop() == 0
        # Stopping the guest left the outside database running.
        assert postgres_running(host.data)
    finally:
        host.stop()
        host.cleanup()
