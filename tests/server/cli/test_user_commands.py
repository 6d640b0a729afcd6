"""`flask users`: create (one-time password or stdin), list, remove."""

from cli_support import json_of

from widget_server.dashboard.accounts import check_password


def test_create_prints_a_one_time_password_that_signs_in(app, run, site):
    created = json_of(
        run("users", "create", "--email", "Ana@Shop.example", "--site", site, "--json")
    )
    assert created["email"] == "ana@shop.example" and created["sites"] == [site]
    assert created["admin"] is False
    with app.app_context():
        assert check_password("ana@shop.example", created["password"]) is not None


def test_create_reads_the_password_from_stdin_and_never_prints_it(app, site):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "root@shop.example", "--admin", "--password-stdin",
              "--json"], input="a long enough secret\n",
    )  # fmt: skip
    assert "password" not in json_of(result) and json_of(result)["admin"] is True
    with app.app_context():
        assert check_password("root@shop.example", "a long enough secret") is not None


def test_bad_input_is_a_one_line_error_with_status_2(app, run, site):
    run("users", "create", "--email", "ana@shop.example")
    for args, message in [
        (["--email", "ana@shop.example"], "a user ana@shop.example exists already"),
        (["--email", "no-at-sign"], "'no-at-sign' is not an e-mail address"),
        (["--email", "bo@shop.example", "--site", "s_nope"], "no site with key 's_nope'"),
    ]:
        result = run("users", "create", *args)
        assert result.exit_code == 2, args
        assert message in result.output, args
    short = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "cy@shop.example", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_list_and_remove(run, site):
    run("users", "create", "--email", "ana@shop.example", "--site", site)
    assert json_of(run("users", "list", "--json"))[0]["sites"] == [site]
    assert f"ana@shop.example  member  {site}" in run("users", "list").output
    assert run("users", "remove", "ANA@shop.example").exit_code == 0
    assert run("users", "list").output.strip() == "No users yet."
    assert run("users", "remove", "ana@shop.example").exit_code == 2
