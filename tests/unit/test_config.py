import pytest

from service.config import ConfigError, Settings


def test_default_store_is_an_sqlite_file_under_var():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/steady.db"
    assert settings.eventsourcing_env() == {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": "var/steady.db",
    }


def test_postgres_url_maps_onto_the_eventsourcing_variables():
    env = Settings.from_env(
        {"STEADY_DATABASE_URL": "postgresql://steady:s%40cret@db.internal:6543/district"}
    ).eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == (
        "db.internal",
        "6543",
        "district",
    )
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("steady", "s@cret")


def test_messages_never_show_the_database_password():
    settings = Settings(database_url="postgresql://steady:hunter2@db:5432/steady")
    assert settings.redacted_url() == "postgresql://steady:***@db:5432/steady"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STEADY_DATABASE_URL": "mysql://x@y/z"}, "is not supported: use sqlite:///"),
        ({"STEADY_DATABASE_URL": "postgresql://u:pw@host"}, "needs a host and a database"),
        ({"STEADY_TIMEZONE": "Mars/Olympus"}, "is not a time zone"),
    ],
)
def test_bad_settings_name_the_variable_and_what_is_expected(env, message):
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env(env)
    assert "pw" not in str(caught.value)
