"""Corporate sign-in against a real directory: Debian's slapd, started by the harness on a loopback port with a
throwaway test directory (tests/harness/slapd.py), through the real login page. No mock of the LDAP server; a
machine without slapd fails these tests (CI installs it), it does not skip them."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from conftest import PASSWORD
from hrportal.directory_settings import auth_ldap_settings
from staff import access, directory
from staff.models import Employee
from tests.harness.slapd import GROUPS, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Slapd
from tests.harness.util import child_env, free_port

DIRECTORY_PASSWORD = "Corp-Passw0rd!"
BACKENDS = ["axes.backends.AxesStandaloneBackend", "staff.directory.DirectoryBackend"]
BACKENDS += ["staff.authentication.PrincipalModelBackend"]


@pytest.fixture(scope="module")
def slapd() -> Iterator[Slapd]:
    """One directory for the module: the people below, the HR group with a nested one (AD's usual layout)."""
    with Slapd() as server:
        plain = server.add_user(
            "a.kuznetsov",
            DIRECTORY_PASSWORD,
            given_name="Алексей",
            surname="Кузнецов",
            mail="a.kuznetsov@corp.example.test",
            employee_id="7001",
        )
        hr = server.add_user(
            "m.lebedeva", DIRECTORY_PASSWORD, given_name="Мария", surname="Лебедева", employee_id="7002"
        )
        server.add_user(
            "d.popov", DIRECTORY_PASSWORD, given_name="Дмитрий", surname="Попов", mail="outsider@example.test"
        )
        server.add_user("stranger", DIRECTORY_PASSWORD, given_name="Некто", surname="Чужой", employee_id="9999")
        server.add_user(
            "blocked", DIRECTORY_PASSWORD, given_name="Олег", surname="Орлов", employee_id="7003", disabled=True
        )
        server.add_user(
            "long",
            DIRECTORY_PASSWORD,
            given_name="Я" * 300,
            surname="<script>alert(1)</script>",
            mail="not an email",
            employee_id="7004",
        )
        moscow_hr = server.add_group("HR Moscow", [hr])
        server.add_group("HR", [moscow_hr])
        server.add_group("Sales", [plain])
        yield server


def use_directory(settings, uri: str, *, timeout: int = 5) -> None:
    """Point the portal at a directory, as LDAP_SERVER_URI and the other LDAP_* variables do."""
    values = auth_ldap_settings(
        server_uri=uri,
        bind_dn=SERVICE_DN,
        bind_password=SERVICE_PASSWORD,
        user_search_base=PEOPLE,
        group_search_base=GROUPS,
        hr_group=f"cn=HR,{GROUPS}",
        timeout=timeout,
    )
    for name, value in values.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = BACKENDS


@pytest.fixture
def corp(cast, slapd, settings):
    """The cast, its personnel numbers as the directory has them, the portal signed in to the test directory."""
    numbers = ((cast.employee, "7001"), (cast.hr, "7002"), (cast.sub_manager, "7003"), (cast.other_manager, "7004"))
    for person, number in numbers:
        Employee.objects.filter(pk=person.pk).update(personnel_number=number)
    use_directory(settings, slapd.uri)
    return cast


def sign_in(client: Client, username: str, password: str = DIRECTORY_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def signed_in_as(client: Client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def message(reason: str) -> str:
    with translation.override("en"):
        return str(directory.MESSAGES[reason])


def test_sign_in_by_corporate_login_syncs_name_and_email_each_time(corp, slapd) -> None:
    client = Client()
    response = sign_in(client, "a.kuznetsov")
    assert response.status_code == 302, response.content.decode()[:500]
    user = signed_in_as(client)
    assert user == corp.employee.user  # the employee's own account, not a new one
    assert (user.first_name, user.last_name, user.email) == ("Алексей", "Кузнецов", "a.kuznetsov@corp.example.test")
    employee = Employee.objects.get(pk=corp.employee.pk)
    assert employee.email == "a.kuznetsov@corp.example.test"  # the outbox mails here
    assert employee.history.first().history_change_reason == "directory sign-in: email"
    # The local password is gone: disabling the directory account now locks this person out of the portal.
    assert not user.has_usable_password()
    assert Client().post("/accounts/login/", {"username": "employee", "password": PASSWORD}).status_code == 200
    # The page works for the signed-in employee.
    assert client.get("/").status_code == 200

    slapd.replace(f"cn=a.kuznetsov,{PEOPLE}", "sn", ["Кузнецов-Белов"])
    slapd.replace(f"cn=a.kuznetsov,{PEOPLE}", "mail", ["kuznetsov-belov@corp.example.test"])
    try:
        assert sign_in(Client(), "a.kuznetsov").status_code == 302
        user.refresh_from_db()
        assert (user.last_name, user.email) == ("Кузнецов-Белов", "kuznetsov-belov@corp.example.test")
        assert Employee.objects.get(pk=corp.employee.pk).email == "kuznetsov-belov@corp.example.test"
        assert Employee.objects.get(pk=corp.employee.pk).last_name == "Кузнецов"  # the legal name is HR's
    finally:
        slapd.replace(f"cn=a.kuznetsov,{PEOPLE}", "sn", ["Кузнецов"])
        slapd.replace(f"cn=a.kuznetsov,{PEOPLE}", "mail", ["a.kuznetsov@corp.example.test"])


def test_overlong_and_hostile_directory_values_do_not_break_the_sign_in(corp) -> None:
    client = Client()
    assert sign_in(client, "long").status_code == 302
    user = signed_in_as(client)
    assert user == corp.other_manager.user
    assert user.first_name == "Я" * 150  # cut to the account's field
    assert user.last_name == "<script>alert(1)</script>"
    assert user.email == "other_manager@example.test"  # an invalid mail is not taken
    assert Employee.objects.get(pk=corp.other_manager.pk).email == "other_manager@example.test"
    page = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_the_login_is_case_insensitive_as_in_the_directory(corp) -> None:
    client = Client()
    assert sign_in(client, "A.Kuznetsov").status_code == 302
    assert signed_in_as(client) == corp.employee.user


def test_a_member_of_the_hr_group_gets_the_hr_role(corp) -> None:
    """m.lebedeva is in "HR Moscow", which is in "HR": nested membership counts."""
    user = corp.hr.user
    user.groups.clear()
    User.objects.filter(pk=user.pk).update(is_staff=False)
    client = Client()
    assert sign_in(client, "m.lebedeva").status_code == 302
    user = signed_in_as(client)
    assert user == corp.hr.user
    assert access.is_hr(user) and user.is_staff
    assert client.get("/admin/").status_code == 200  # HR works in the admin


def test_the_hr_role_follows_the_directory_when_withdrawn(corp) -> None:
    """The portal's HR person signs in with a directory account outside the HR group: the role goes."""
    Employee.objects.filter(pk=corp.employee.pk).update(personnel_number="7101")
    Employee.objects.filter(pk=corp.hr.pk).update(personnel_number="7001")
    User.objects.filter(pk=corp.hr.user.pk).update(is_staff=True)
    assert access.is_hr(User.objects.get(pk=corp.hr.user.pk))
    client = Client()
    assert sign_in(client, "a.kuznetsov").status_code == 302
    user = signed_in_as(client)
    assert user == corp.hr.user
    assert not access.is_hr(user) and not user.is_staff
    assert client.get("/admin/").status_code == 302  # to the admin's login


def test_an_entry_without_employee_id_is_matched_by_email(corp) -> None:
    client = Client()
    assert sign_in(client, "d.popov").status_code == 302
    assert signed_in_as(client) == corp.outsider.user


def test_a_directory_user_without_employee_record_is_told_so(corp) -> None:
    client = Client()
    response = sign_in(client, "stranger")
    assert response.status_code == 200
    assert message(directory.NO_EMPLOYEE) in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="stranger").exists()  # no account is made for them
    # In Russian, the portal's default language.
    russian = client.post("/accounts/login/", {"username": "stranger", "password": DIRECTORY_PASSWORD})
    with translation.override("ru"):
        assert str(directory.MESSAGES[directory.NO_EMPLOYEE]) in russian.content.decode()
        assert "нет вашей карточки сотрудника" in russian.content.decode()


def test_an_api_token_is_issued_for_directory_credentials(corp) -> None:
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": "a.kuznetsov", "password": DIRECTORY_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    me = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.status_code == 200
    assert me.json()["email"] == "a.kuznetsov@corp.example.test"


def test_a_disabled_directory_user_is_refused(corp, slapd) -> None:
    client = Client()
    response = sign_in(client, "blocked")
    assert response.status_code == 200
    assert message(directory.DISABLED) in response.content.decode()
    assert signed_in_as(client) is None
    # A wrong password does not learn that the account is disabled.
    response = sign_in(Client(), "blocked", "wrong")
    assert message(directory.DISABLED) not in response.content.decode()
    # It is the directory's flag that refuses: enabled again (userAccountControl 512), the same login works.
    slapd.replace(f"cn=blocked,{PEOPLE}", "userAccountControl", ["512"])
    try:
        assert sign_in(client, "blocked").status_code == 302
        assert signed_in_as(client) == corp.sub_manager.user
    finally:
        slapd.replace(f"cn=blocked,{PEOPLE}", "userAccountControl", ["514"])


def test_a_wrong_password_is_the_usual_message(corp) -> None:
    response = sign_in(Client(), "a.kuznetsov", "wrong")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The login or the password is wrong" in page
    assert all(message(reason) not in page for reason in directory.MESSAGES)


def test_local_accounts_keep_working(corp) -> None:
    """The demo logins and the break-glass admin are local accounts: the directory does not know them."""
    client = Client()
    assert client.post("/accounts/login/", {"username": "manager", "password": PASSWORD}).status_code == 302
    assert signed_in_as(client) == corp.manager.user
    User.objects.create_superuser("breakglass", password="Break-Glass-1!")
    admin = Client()
    assert admin.post("/accounts/login/", {"username": "breakglass", "password": "Break-Glass-1!"}).status_code == 302
    assert admin.get("/admin/").status_code == 200


def test_the_login_page_asks_for_the_corporate_login(corp) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "corporate login and password" in page


def test_failed_directory_attempts_lock_the_login_out(corp) -> None:
    client = Client(REMOTE_ADDR="10.9.8.21")
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "a.kuznetsov", "wrong").status_code == 200
    assert sign_in(client, "a.kuznetsov", "wrong").status_code == 429  # the last allowed failure locks
    # Now even the directory's right password is refused for this login and address.
    response = sign_in(client, "a.kuznetsov")
    assert response.status_code == 429
    assert signed_in_as(client) is None
    assert AccessAttempt.objects.get(username="a.kuznetsov").failures_since_start >= django_settings.AXES_FAILURE_LIMIT


@pytest.mark.faults
def test_a_directory_that_is_down_is_a_clear_error_and_local_logins_work(cast, settings) -> None:
    with Slapd() as server:
        server.add_user("a.kuznetsov", DIRECTORY_PASSWORD, given_name="Алексей", surname="Кузнецов", employee_id="1")
        use_directory(settings, server.uri)
        Employee.objects.filter(pk=cast.employee.pk).update(personnel_number="1")
        assert sign_in(Client(), "a.kuznetsov").status_code == 302  # up: it works

        server.stop()
        client = Client()
        response = sign_in(client, "a.kuznetsov")
        assert response.status_code == 200
        assert message(directory.UNAVAILABLE) in response.content.decode()
        assert signed_in_as(client) is None
        local = Client()
        assert local.post("/accounts/login/", {"username": "manager", "password": PASSWORD}).status_code == 302
        assert signed_in_as(local) == cast.manager.user

        server.start()  # back: corporate logins work again
        assert sign_in(Client(), "a.kuznetsov").status_code == 302


@pytest.mark.faults
def test_a_directory_that_does_not_answer_times_out_into_the_same_error(cast, settings) -> None:
    """A port that accepts connections and never answers (a hung server): the login gives up after the timeout
    instead of holding the web worker, and local logins still work."""
    with socket.socket() as silent:
        port = free_port()
        silent.bind(("127.0.0.1", port))
        silent.listen(8)
        use_directory(settings, f"ldap://127.0.0.1:{port}/", timeout=1)
        response = sign_in(Client(), "a.kuznetsov")
        assert response.status_code == 200
        assert message(directory.UNAVAILABLE) in response.content.decode()
        local = Client()
        assert local.post("/accounts/login/", {"username": "manager", "password": PASSWORD}).status_code == 302


def test_a_wrong_service_account_password_is_reported_as_unavailable(corp, settings) -> None:
    settings.AUTH_LDAP_BIND_PASSWORD = "not-the-service-password"
    response = sign_in(Client(), "a.kuznetsov")
    assert message(directory.UNAVAILABLE) in response.content.decode()


def test_without_ldap_server_uri_the_directory_is_not_asked(cast, settings) -> None:
    """The backend listed but no server configured: the login page is the local one and logins are local."""
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    settings.AUTH_LDAP_SERVER_URI = ""
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Use the login and password HR gave you." in page
    assert Client().post("/accounts/login/", {"username": "manager", "password": PASSWORD}).status_code == 302


def test_the_contract_variables_switch_it_on() -> None:
    """The environment variables of ../shared/CONTRACT.md ("Directory sign-in") configure the backend."""
    env = child_env() | {
        "DJANGO_SETTINGS_MODULE": "hrportal.settings",
        "LDAP_SERVER_URI": "ldap://dc1.corp.example:389",
        "LDAP_BIND_DN": "CN=hrportal,OU=Service,DC=corp,DC=example",
        "LDAP_BIND_PASSWORD": "s3cret",
        "LDAP_USER_SEARCH_BASE": "OU=Staff,DC=corp,DC=example",
        "LDAP_GROUP_SEARCH_BASE": "OU=Groups,DC=corp,DC=example",
        "LDAP_HR_GROUP": "CN=HR,OU=Groups,DC=corp,DC=example",
        "LDAP_LOGIN_ATTR": "uid",
    }
    script = (
        "from django.conf import settings as s; "
        "print(s.AUTHENTICATION_BACKENDS); print(s.AUTH_LDAP_USER_SEARCH.base_dn, s.AUTH_LDAP_USER_SEARCH.filterstr); "
        "print(s.AUTH_LDAP_GROUP_SEARCH.base_dn, s.AUTH_LDAP_HR_GROUP, s.AUTH_LDAP_BIND_DN)"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    backends, search, groups = out.splitlines()
    assert backends == str(BACKENDS)
    assert search == "OU=Staff,DC=corp,DC=example (uid=%(user)s)"
    assert groups.split() == [env["LDAP_GROUP_SEARCH_BASE"], env["LDAP_HR_GROUP"], env["LDAP_BIND_DN"]]
    env.pop("LDAP_SERVER_URI")
    out = subprocess.run(
        [sys.executable, "-c", script.split(";")[0] + "; print(s.AUTHENTICATION_BACKENDS)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "staff.directory.DirectoryBackend" not in out
