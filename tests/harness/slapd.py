"""A private OpenLDAP directory: Debian's `slapd -f slapd.conf -h ldap://127.0.0.1:N/` on a free loopback port, run as
the current user from a throwaway config and database in a temp directory, that can be stopped and started again
(a directory outage). Never the machine's own slapd, never a mock.

The directory looks like a small Active Directory: users are inetOrgPerson entries with AD's `sAMAccountName`,
`employeeID` and `userAccountControl` (declared with AD's own OIDs in a tiny schema below, with matching rules:
Debian's msuser.schema declares them without any, so a search on them matches nothing); groups are groupOfNames
(`member`, as AD's groups). Anonymous users may only bind; the service account reads everything.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import ldap
import ldap.modlist

from tests.harness.util import file_tail, free_port, wait_until

SUFFIX = "dc=example,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
SERVICE_DN = f"cn=portal,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ACCOUNTDISABLE = 2  # userAccountControl's bit
NORMAL_ACCOUNT = 512

_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
    EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
    EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.35 NAME 'employeeID'
    EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'hrportalTestADUser' SUP top AUXILIARY
    MAY ( sAMAccountName $ userAccountControl $ employeeID ) )
"""

_BASE_LDIF = f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: ou=services,{SUFFIX}
objectClass: organizationalUnit
ou: services

dn: {SERVICE_DN}
objectClass: person
cn: portal
sn: portal
userPassword: {SERVICE_PASSWORD}
"""


def _sbin(name: str) -> str:
    """Debian installs slapd and slapadd in /usr/sbin, which a non-root user's PATH often lacks."""
    return shutil.which(name) or f"/usr/sbin/{name}"


class Slapd:
    """A private slapd on a free loopback port; stop() and start() simulate an outage, the data survives them."""

    def __init__(self, port: int | None = None, binary: str | None = None) -> None:
        self.port = port or free_port()
        if self.port in (389, 636):
            raise ValueError("Slapd never runs on 389 or 636: those are the machine's directory's")
        self.binary = binary or _sbin("slapd")
        self.dir = Path(tempfile.mkdtemp(prefix="harness-slapd-"))
        self.conf_path = self.dir / "slapd.conf"
        self.log_path = self.dir / "slapd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._loaded = False

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}/"

    def _configure(self) -> None:
        (self.dir / "db").mkdir()
        (self.dir / "ad.schema").write_text(_SCHEMA)
        schemas = [f"/etc/ldap/schema/{name}.schema" for name in ("core", "cosine", "inetorgperson")]
        self.conf_path.write_text(
            "".join(f"include {path}\n" for path in [*schemas, self.dir / "ad.schema"])
            + f"pidfile {self.dir / 'slapd.pid'}\nargsfile {self.dir / 'slapd.args'}\n"
            + "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            + f'database mdb\nsuffix "{SUFFIX}"\nrootdn "{ROOT_DN}"\nrootpw {ROOT_PASSWORD}\n'
            + f"directory {self.dir / 'db'}\nmaxsize 10485760\n"
            + "access to attrs=userPassword by anonymous auth by * none\n"
            + f'access to * by dn.exact="{SERVICE_DN}" read by * none\n'
        )
        (self.dir / "base.ldif").write_text(_BASE_LDIF)
        # slapadd fills the database offline from the same config: no slapd is needed for it.
        result = subprocess.run(
            [_sbin("slapadd"), "-f", str(self.conf_path), "-l", str(self.dir / "base.ldif")],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"slapadd failed: {result.stderr}")

    def answers(self) -> bool:
        try:
            self.connect().unbind_s()
            return True
        except ldap.LDAPError:
            return False

    def connect(self, dn: str = ROOT_DN, password: str = ROOT_PASSWORD) -> ldap.ldapobject.LDAPObject:
        conn = ldap.initialize(self.uri)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
        conn.set_option(ldap.OPT_TIMEOUT, 5)
        conn.simple_bind_s(dn, password)
        return conn

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 15) -> Slapd:
        if self.running:
            return self
        if not self._loaded:
            self._configure()
            self._loaded = True
        # -d keeps slapd in the foreground (a child we can stop); no -u/-g: it runs as the current user.
        args = [self.binary, "-f", str(self.conf_path), "-h", self.uri, "-d", "0"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.answers, timeout=timeout, message=self.log_tail)
        return self

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.proc = None
        wait_until(lambda: not self.answers(), timeout=timeout)

    # --- the test directory's content --------------------------------------------------------------------------

    def add_user(
        self,
        login: str,
        password: str,
        *,
        given_name: str,
        surname: str,
        mail: str = "",
        employee_id: str = "",
        disabled: bool = False,
    ) -> str:
        """An AD-like user entry under ou=people; returns its DN."""
        dn = f"cn={ldap.dn.escape_dn_chars(login)},{PEOPLE}"
        attrs: dict[str, list[str]] = {
            "objectClass": ["inetOrgPerson", "hrportalTestADUser"],
            "cn": [login],
            "sAMAccountName": [login],
            "givenName": [given_name],
            "sn": [surname],
            "userPassword": [password],
            "userAccountControl": [str(NORMAL_ACCOUNT | (ACCOUNTDISABLE if disabled else 0))],
        }
        if mail:
            attrs["mail"] = [mail]
        if employee_id:
            attrs["employeeID"] = [employee_id]
        self._add(dn, attrs)
        return dn

    def add_group(self, name: str, members: list[str]) -> str:
        """A groupOfNames under ou=groups with these member DNs (users or groups); returns its DN."""
        dn = f"cn={ldap.dn.escape_dn_chars(name)},{GROUPS}"
        self._add(dn, {"objectClass": ["groupOfNames"], "cn": [name], "member": members})
        return dn

    def replace(self, dn: str, attr: str, values: list[str]) -> None:
        conn = self.connect()
        try:
            conn.modify_s(dn, [(ldap.MOD_REPLACE, attr, [v.encode() for v in values])])
        finally:
            conn.unbind_s()

    def _add(self, dn: str, attrs: dict[str, list[str]]) -> None:
        conn = self.connect()
        try:
            encoded = {name: [v.encode() for v in values] for name, values in attrs.items()}
            conn.add_s(dn, ldap.modlist.addModlist(encoded))
        finally:
            conn.unbind_s()

    def log_tail(self) -> str:
        return file_tail(self.log_path, 2000)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Slapd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
