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
    assert env["PERSISTENCE_MODULE"] == "service.store.pg_datastore:SteadyPostgresFactory"
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
        (
            {"STEADY_SMTP_URL": "mail.example:25"},
            "STEADY_SMTP_URL must be smtp://user:password@host:587",
        ),
        ({"STEADY_SMTP_URL": "smtp://u:pw@mail.example:abc"}, "the port must be a number"),
        ({"STEADY_DIGEST_TIME": "7am"}, "STEADY_DIGEST_TIME='7am' is not a time of day"),
        ({"STEADY_PUBLIC_URL": "steady.example"}, "is not a web address"),
        (
            {"STEADY_REUNIFICATION_UPDATE_MINUTES": "0"},
            "STEADY_REUNIFICATION_UPDATE_MINUTES='0' is not a number of minutes from 1 to 1440",
        ),
    ],
)
def test_bad_settings_name_the_variable_and_what_is_expected(env, message):
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env(env)
    assert "pw" not in str(caught.value)


def test_no_proxy_is_trusted_unless_named():
    assert Settings.from_env({}).trusted_proxies == ()
    assert Settings.from_env({}).forwarded_allow_ips() is None
    named = Settings.from_env({"STEADY_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,"})
    assert named.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert named.forwarded_allow_ips() == "127.0.0.1,10.0.0.0/8"
    with pytest.raises(ConfigError, match=r"STEADY_TRUSTED_PROXIES: 'proxy\.local'"):
        Settings.from_env({"STEADY_TRUSTED_PROXIES": "proxy.local"})


@pytest.mark.parametrize(
    ("env", "proxy_headers", "allowed"),
    [({}, False, ""), ({"STEADY_TRUSTED_PROXIES": "10.1.2.3"}, True, "10.1.2.3")],
)
def test_steady_serve_believes_forwarded_headers_only_from_trusted_proxies(
    monkeypatch, env, proxy_headers, allowed
):
    import uvicorn

    import web.cli as cli
    from service.cli.main import build_parser

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setattr(cli, "open_steady", lambda settings: None)
    monkeypatch.setattr(cli, "assemble", lambda steady, settings: None)
    monkeypatch.setattr(cli, "create_app_from", lambda parts: object())
    args = build_parser([cli.add_serve]).parse_args(["serve"])
    cli.run_serve(args, Settings.from_env(env))
    [options] = calls
    assert options["proxy_headers"] is proxy_headers
    assert options["forwarded_allow_ips"] == allowed


def test_the_store_timeout_bounds_every_wait_on_postgresql():
    env = Settings.from_env(
        {"STEADY_DATABASE_URL": "postgresql://db/steady", "STEADY_STORE_TIMEOUT": "4.5"}
    ).eventsourcing_env()
    assert env["STEADY_STORE_TIMEOUT"] == "4.5"
    assert env["POSTGRES_CONNECT_TIMEOUT"] == "5"  # the library takes whole seconds
    assert env["POSTGRES_LOCK_TIMEOUT"] == "2"  # a lock wait leaves time to try again
    assert Settings.from_env({}).store_timeout == 3


@pytest.mark.parametrize("value", ["soon", "0", "0.1", "61", "nan", "inf", "-3"])
def test_a_store_timeout_that_is_not_a_number_of_seconds_is_refused_by_name(value):
    with pytest.raises(ConfigError, match=r"STEADY_STORE_TIMEOUT=.* from 0.5 to 60"):
        Settings.from_env({"STEADY_STORE_TIMEOUT": value})


def test_the_outbox_settings_default_to_sending_nothing_at_seven_in_the_morning():
    settings = Settings.from_env({})
    assert (settings.smtp_url, settings.digest_time) == ("", "07:00")
    assert settings.public_url == "http://localhost:8000"
    chosen = Settings.from_env(
        {
            "STEADY_SMTP_URL": "smtps://steady:pw@mail.riverside.example:465",
            "STEADY_DIGEST_TIME": "6:30",
            "STEADY_PUBLIC_URL": "https://steady.riverside.example/",
        }
    )
    assert chosen.smtp_url == "smtps://steady:pw@mail.riverside.example:465"
    assert "pw" not in repr(chosen)  # the mail server's password stays out of logs
    assert (chosen.digest_time, chosen.public_url) == ("06:30", "https://steady.riverside.example")


def test_families_hear_of_reunification_every_30_minutes_unless_the_district_says():
    assert Settings.from_env({}).reunification_update_minutes == 30
    said = Settings.from_env({"STEADY_REUNIFICATION_UPDATE_MINUTES": "15"})
    assert said.reunification_update_minutes == 15
