# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Connection options with kubernetes.core's names, their ``K8S_AUTH_*`` fallbacks, and the client configuration.

``AUTH_ARG_SPEC`` is the one argument spec every cluster module merges into its own (documented by
the ``clusternet.k8s.k8s_auth_options`` doc fragment). :func:`resolve_auth` applies the environment
fallbacks and checks types; :func:`secrets` lists every secret to hide from output;
:func:`build_configuration` turns the result into a ``kubernetes.client.Configuration``.
"""

from __future__ import annotations

import base64
import os
from typing import Any, Mapping
from urllib.parse import urlsplit

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ConfigError
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
except ImportError:  # reported by the module through missing_required_lib
    pass

PROXY_HEADERS_SPEC = {
    "proxy_basic_auth": {"type": "str", "no_log": True},
    "basic_auth": {"type": "str", "no_log": True},
    "user_agent": {"type": "str"},
}

AUTH_ARG_SPEC = {
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "host": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["cert_file"]},
    "client_key": {"type": "path", "aliases": ["key_file"]},
    "proxy": {"type": "str", "no_log": True},  # it may hold credentials (http://user:password@proxy:3128)
    "no_proxy": {"type": "str"},
    "proxy_headers": {"type": "dict", "options": PROXY_HEADERS_SPEC},
    "persist_config": {"type": "bool"},
    "impersonate_user": {"type": "str"},
    "impersonate_groups": {"type": "list", "elements": "str"},
}

# Environment variables read when an option is not set, in order. The second names are the ones
# kubernetes.core also reads (the client's own attribute names), so existing setups carry over.
AUTH_ENV = {
    "kubeconfig": ("K8S_AUTH_KUBECONFIG",),
    "context": ("K8S_AUTH_CONTEXT",),
    "host": ("K8S_AUTH_HOST",),
    "api_key": ("K8S_AUTH_API_KEY",),
    "username": ("K8S_AUTH_USERNAME",),
    "password": ("K8S_AUTH_PASSWORD",),
    "validate_certs": ("K8S_AUTH_VALIDATE_CERTS", "K8S_AUTH_VERIFY_SSL"),
    "ca_cert": ("K8S_AUTH_CA_CERT", "K8S_AUTH_SSL_CA_CERT"),
    "client_cert": ("K8S_AUTH_CLIENT_CERT", "K8S_AUTH_CERT_FILE"),
    "client_key": ("K8S_AUTH_CLIENT_KEY", "K8S_AUTH_KEY_FILE"),
    "proxy": ("K8S_AUTH_PROXY",),
    "no_proxy": ("K8S_AUTH_NO_PROXY",),
    "persist_config": ("K8S_AUTH_PERSIST_CONFIG",),
    "impersonate_user": ("K8S_AUTH_IMPERSONATE_USER",),
    "impersonate_groups": ("K8S_AUTH_IMPERSONATE_GROUPS",),
}
BOOLEAN_OPTIONS = ("validate_certs", "persist_config")
# The headers of user impersonation (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation).
IMPERSONATION_HEADERS = {"impersonate_user": "Impersonate-User", "impersonate_groups": "Impersonate-Group"}

PATH_OPTIONS = ("kubeconfig", "ca_cert", "client_cert", "client_key")

_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f")

# Secret fields of a kubeconfig's users[].user (auth-provider secrets sit under auth-provider.config).
_USER_SECRETS = ("token", "password", "client-key-data")
_AUTH_PROVIDER_SECRETS = ("id-token", "refresh-token", "access-token", "client-secret")


def resolve_auth(params: dict, environ: Mapping[str, str]) -> dict:
    """The effective connection options: ``params`` (module parameters), else the ``K8S_AUTH_*`` variables.

    Returns a dict holding only the options that are set. Raises ``InputError`` for a malformed
    value, naming the option or variable it came from.
    """
    auth = {}
    for option, names in AUTH_ENV.items():
        value, source = params.get(option), option
        if value is None:
            value, source = _from_env(option, names, environ)
        if value is not None:
            auth[option] = _check(option, value, source)
    headers = _proxy_headers(params.get("proxy_headers") or {}, environ)
    if headers:
        auth["proxy_headers"] = headers
    return auth


def _from_env(option, names, environ):
    """``(value, variable name)`` of the first of ``names`` set in ``environ``, converted to the option's type."""
    for name in names:
        text = environ.get(name)
        if text:
            if option in BOOLEAN_OPTIONS:
                return _boolean(text, name), name
            if option == "impersonate_groups":  # a comma-separated list, as kubernetes.core reads it
                return [group for group in text.split(",") if group], name
            return (os.path.expanduser(text) if option in PATH_OPTIONS else text), name
    return None, None


def _boolean(text, name):
    lowered = text.strip().lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise InputError("%s must be a boolean (true/false), got %r" % (name, text))


def _check(option, value, source):
    if option == "kubeconfig":
        if not isinstance(value, (str, dict)):
            raise InputError("%s must be a path or a kubeconfig mapping, got %s" % (source, type_name(value)))
        if isinstance(value, str):
            value = os.path.expanduser(value)
    elif option == "host":
        check_host(value, source)
    elif option == "proxy":
        check_proxy(value, source)
    elif option in IMPERSONATION_HEADERS:
        for item in value if isinstance(value, list) else [value]:
            check_header_value(item, source, IMPERSONATION_HEADERS[option])
    return value


def check_header_value(value: str, source: str, header: str) -> None:
    """A value sent in an HTTP header: no control characters (a line break would end the header; http.client refuses
    them). Raises ``InputError``."""
    bad = [c for c in value if (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7f]
    if bad:
        raise InputError("%s: %s cannot be sent in the %s header: it holds the control character %s"
                         % (source, go_quote(value), header, go_quote(bad[0])))


API_SERVER_SCHEMES = ("https", "http")
# The proxies the official client can use: urllib3's ProxyManager (http, https) and SOCKSProxyManager.
PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


def _url_parts(value, what, source):
    """``urlsplit`` of a URL option, with its port read; ``InputError`` naming ``source`` when it cannot be parsed."""
    try:
        parts = urlsplit(value)
        parts.port  # pylint: disable=pointless-statement  # raises for a port that is not a number in range
    except ValueError as exc:
        raise InputError("%s: %s is not %s: %s" % (source, go_quote(value), what, exc)) from None
    return parts


def check_host(value: str, source: str = "host") -> None:
    """``host``: an ``https://`` or ``http://`` URL with a host (``host:port`` alone is read as ``http://host:port``,
    as the client does); anything else would fail every request the same way. Raises ``InputError``."""
    what = "an API server URL"
    parts = _url_parts(value if "://" in value else "http://" + value, what, source)
    if parts.scheme.lower() not in API_SERVER_SCHEMES:
        raise InputError('%s: %s is not %s: unsupported protocol scheme %s (use https:// or http://)'
                         % (source, go_quote(value), what, go_quote(parts.scheme)))
    if not parts.hostname:
        raise InputError("%s: %s is not %s: it has no host" % (source, go_quote(value), what))


def check_proxy(value: str, source: str = "proxy") -> None:
    """``proxy``: a URL with one of ``PROXY_SCHEMES`` and a host. Raises ``InputError``."""
    what = "a proxy URL"
    parts = _url_parts(value, what, source)
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise InputError("%s: %s is not %s: it needs a scheme (%s or %s) and a host, such as http://proxy.example:3128"
                         % (source, go_quote(value), what, ", ".join(PROXY_SCHEMES[:-1]), PROXY_SCHEMES[-1]))


def _proxy_headers(given, environ):
    headers = {}
    for key in PROXY_HEADERS_SPEC:
        value = given.get(key)
        if value is None:
            value = environ.get("K8S_AUTH_PROXY_HEADERS_" + key.upper()) or None
        if value is not None:
            if key == "user_agent":
                check_header_value(value, "proxy_headers.user_agent", "User-Agent")
            headers[key] = value
    return headers


def impersonation_headers(auth: dict) -> dict:
    """The ``Impersonate-User`` and ``Impersonate-Group`` headers of ``auth``: ``{header: value or list of values}``."""
    return {header: auth[option] for option, header in IMPERSONATION_HEADERS.items() if auth.get(option)}


def secrets(auth: dict) -> set:
    """Every secret in ``auth`` (api_key, password, proxy credentials, a kubeconfig mapping's tokens, passwords, keys, the
    passwords in the ``host`` and ``proxy`` URLs)."""
    return param_secrets(auth)


def param_secrets(params: dict) -> set:
    """The secrets of connection options, from module arguments as given (before any validation: any value of any
    type may be there), so that they can be hidden even when the arguments are refused."""
    found = [params.get("api_key"), params.get("password")]
    headers = params.get("proxy_headers")
    if isinstance(headers, dict):
        found.extend(headers.get(key) for key in ("proxy_basic_auth", "basic_auth"))
        found.extend(_basic_auth_password(headers.get(key)) for key in ("proxy_basic_auth", "basic_auth"))
    kubeconfig = params.get("kubeconfig")
    if isinstance(kubeconfig, dict):
        found.extend(kubeconfig_secrets(kubeconfig))
    for option in ("host", "proxy"):
        found.extend(url_secrets(params.get(option)))
    return {value for value in found if isinstance(value, str) and value}


def _basic_auth_password(value):
    return value.split(":", 1)[1] if isinstance(value, str) and ":" in value else None


def url_secrets(value: Any) -> set:
    """The password of a URL's user information (``https://user:pass@host``), and that ``user:pass`` itself."""
    if not isinstance(value, str) or "@" not in value:
        return set()
    userinfo = value.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]
    password = _basic_auth_password(userinfo)
    return {userinfo, password} if password else set()


def redact_url(value: Any) -> Any:
    """A URL with the password of its user information replaced by ``xxxxx``, as Go's ``url.URL.Redacted`` does."""
    if not isinstance(value, str):
        return value
    scheme, sep, rest = value.rpartition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return value
    return "%s%s%s:xxxxx@%s%s%s" % (scheme, sep, userinfo.split(":", 1)[0], hostport, slash, path)


def kubeconfig_secrets(kubeconfig: dict) -> set:
    """The secret strings of a kubeconfig mapping's users."""
    found: list = []
    users = kubeconfig.get("users")
    for entry in users if isinstance(users, list) else []:
        user = entry.get("user") if isinstance(entry, dict) else None
        if not isinstance(user, dict):
            continue
        found.extend(user.get(key) for key in _USER_SECRETS)
        found.extend(url_secrets(user.get("proxy-url")))
        provider = user.get("auth-provider")
        provider_config = provider.get("config") if isinstance(provider, dict) else None
        if isinstance(provider_config, dict):
            found.extend(provider_config.get(key) for key in _AUTH_PROVIDER_SECRETS)
    clusters = kubeconfig.get("clusters")
    for entry in clusters if isinstance(clusters, list) else []:
        cluster = entry.get("cluster") if isinstance(entry, dict) else None
        if isinstance(cluster, dict):
            for key in ("server", "proxy-url"):
                found.extend(url_secrets(cluster.get(key)))
    return {value for value in found if isinstance(value, str) and value}


def configuration_secrets(configuration: Any) -> set:
    """Secrets a loaded configuration carries (e.g. from a kubeconfig file): bearer tokens, bare and with their
    prefix, a basic-auth password, the passwords of the server and proxy URLs."""
    found: set = set()
    for value in (configuration.api_key or {}).values():
        if isinstance(value, str) and value:
            found.add(value)
            found.add(value.split(" ", 1)[-1])
    for value in (configuration.host, configuration.proxy):
        found.update(url_secrets(value))
    found.add(getattr(configuration, "password", None))  # basic auth from a kubeconfig file
    return {value for value in found if isinstance(value, str) and value}


def build_configuration(auth: dict, environ: Mapping[str, str] | None = None) -> Any:
    """A ``kubernetes.client.Configuration`` for ``auth`` (as returned by :func:`resolve_auth`).

    Like kubernetes.core: ``host`` with ``api_key`` (or ``username`` and ``password``) needs no kubeconfig; otherwise the kubeconfig
    (``kubeconfig``/``context``, else the in-cluster service account, else ``KUBECONFIG`` or
    ``~/.kube/config``) is loaded and the explicit options override it. Unlike kubernetes.core, a
    ``host`` without any kubeconfig is accepted (an unauthenticated or client-certificate server).
    """
    environ = os.environ if environ is None else environ
    configuration = k8s_client.Configuration()
    _load_base(auth, configuration, environ)
    _apply_overrides(auth, configuration)
    configuration.retries = False  # our own policy retries; urllib3 must report every failure
    return configuration


def basic_auth_header(username: str, password: str) -> str:
    """``Basic`` and the base64 of ``username:password`` in UTF-8, as client-go (Go's ``SetBasicAuth``) sends it.
    urllib3's ``make_headers`` encodes Latin-1 and fails on any other character."""
    return proxy_headers({"basic_auth": "%s:%s" % (username, password)})["authorization"]


def proxy_headers(options: dict) -> dict:
    """The headers of the ``proxy_headers`` options, as urllib3's ``make_headers`` gives them, credentials in UTF-8."""
    headers = {}
    if options.get("user_agent"):
        headers["user-agent"] = options["user_agent"].encode("utf-8").decode("latin-1")  # its UTF-8 bytes, as Go sends them
    for option, header in (("basic_auth", "authorization"), ("proxy_basic_auth", "proxy-authorization")):
        if options.get(option):
            headers[header] = "Basic " + base64.b64encode(options[option].encode("utf-8")).decode("ascii")
    return headers


def _load_base(auth, configuration, environ):
    kubeconfig, context = auth.get("kubeconfig"), auth.get("context")
    if kubeconfig is None and context is None:
        if auth.get("host") and (auth.get("api_key") or (auth.get("username") and auth.get("password"))):
            return
        if environ.get("KUBERNETES_SERVICE_HOST") and environ.get("KUBERNETES_SERVICE_PORT"):
            _guard("the in-cluster service account", k8s_config.load_incluster_config, client_configuration=configuration)
            return
        kubeconfig = _default_kubeconfig(environ)
        if kubeconfig is None:
            if auth.get("host"):
                return
            raise ConfigError("no cluster to connect to: set kubeconfig (or K8S_AUTH_KUBECONFIG or KUBECONFIG), or host,"
                              " or run inside a pod; ~/.kube/config does not exist")
    if isinstance(kubeconfig, dict):
        _guard("the kubeconfig mapping", k8s_config.load_kube_config_from_dict, kubeconfig, context=context,
               client_configuration=configuration, persist_config=False)
    else:  # persist_config: a token the kubeconfig's auth provider refreshes is written back to the file
        _guard("kubeconfig %s" % kubeconfig, k8s_config.load_kube_config, config_file=kubeconfig, context=context,
               client_configuration=configuration, persist_config=bool(auth.get("persist_config")))


def _default_kubeconfig(environ):
    """``KUBECONFIG`` (a ``:``-separated list) or ``~/.kube/config``, if any of those files exists."""
    value = environ.get("KUBECONFIG") or "~/.kube/config"
    paths = [os.path.expanduser(p) for p in value.split(os.pathsep) if p]
    return value if any(os.path.exists(p) for p in paths) else None


def _guard(what, loader, *args, **kwargs):
    """Run a kubeconfig loader; its errors (of any type) become one ConfigError naming the source."""
    try:
        loader(*args, **kwargs)
    except Exception as exc:  # the loaders raise ConfigException, OSError, YAML and type errors alike
        raise ConfigError("cannot load %s: %s" % (what, exc or type(exc).__name__)) from None


def _apply_overrides(auth, configuration):
    if auth.get("host"):
        configuration.host = auth["host"].rstrip("/")
    if auth.get("api_key"):
        configuration.api_key = {"authorization": "Bearer " + auth["api_key"]}
        configuration.api_key_prefix = {}
        configuration.refresh_api_key_hook = None
    elif auth.get("username") and auth.get("password"):  # HTTP basic authentication, as a kubeconfig user gives it
        configuration.username, configuration.password = auth["username"], auth["password"]
        configuration.api_key = {"authorization": basic_auth_header(auth["username"], auth["password"])}
        configuration.api_key_prefix = {}
        configuration.refresh_api_key_hook = None
    for option, attribute in (("validate_certs", "verify_ssl"), ("ca_cert", "ssl_ca_cert"), ("client_cert", "cert_file"),
                              ("client_key", "key_file"), ("proxy", "proxy"), ("no_proxy", "no_proxy")):
        if auth.get(option) is not None:
            setattr(configuration, attribute, auth[option])
    if auth.get("proxy_headers"):
        configuration.proxy_headers = proxy_headers(auth["proxy_headers"])
