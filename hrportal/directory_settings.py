"""The settings of corporate sign-in (django-auth-ldap), built from a handful of values in one place.

`hrportal.settings` calls `auth_ldap_settings` with the LDAP_* environment variables (the names are in
../shared/CONTRACT.md, "Directory sign-in", and README); the directory tests call it with their own slapd's address.
The backend that reads these is `staff.directory.DirectoryBackend` (docs/decisions/directory-sign-in.md).
"""

from __future__ import annotations

from typing import Any

import ldap
from django_auth_ldap.config import LDAPSearch, NestedMemberDNGroupType

# Active Directory's defaults; FreeIPA and OpenLDAP set LDAP_LOGIN_ATTR, LDAP_EMPLOYEE_ID_ATTR and
# LDAP_ENABLED_FILTER (README, "Corporate sign-in").
LOGIN_ATTR = "sAMAccountName"
EMPLOYEE_ID_ATTR = "employeeID"
# userAccountControl's bit 2 is ACCOUNTDISABLE; 1.2.840.113556.1.4.803 is the bitwise-AND matching rule (AD and
# OpenLDAP both implement it).
ENABLED_FILTER = "(!(userAccountControl:1.2.840.113556.1.4.803:=2))"


def auth_ldap_settings(
    *,
    server_uri: str,
    bind_dn: str,
    bind_password: str,
    user_search_base: str,
    group_search_base: str,
    hr_group: str,
    login_attr: str = LOGIN_ATTR,
    employee_id_attr: str = EMPLOYEE_ID_ATTR,
    enabled_filter: str = ENABLED_FILTER,
    timeout: int = 5,
    start_tls: bool = False,
) -> dict[str, Any]:
    """Every AUTH_LDAP_* setting the directory backend reads, for `globals().update(...)` or `override_settings`."""
    return {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, f"({login_attr}=%(user)s)"),
        # Groups are searched below this base by their `member` attribute, nested groups included (AD and
        # groupOfNames alike), only to decide the HR role.
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(group_search_base, ldap.SCOPE_SUBTREE, "(objectClass=*)"),
        "AUTH_LDAP_GROUP_TYPE": NestedMemberDNGroupType(member_attr="member"),
        "AUTH_LDAP_HR_GROUP": hr_group,
        "AUTH_LDAP_EMPLOYEE_ID_ATTR": employee_id_attr,
        "AUTH_LDAP_ENABLED_FILTER": enabled_filter,
        # The portal writes the account itself (staff.services.directory_account_sync), never django-auth-ldap.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_NO_NEW_USERS": True,
        "AUTH_LDAP_USER_ATTR_MAP": {},
        # A directory that does not answer must not hold a login (and a web worker) for long: past these many
        # seconds it is "unavailable" and local accounts are tried. No referrals: AD's would need another bind.
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,
        },
    }
