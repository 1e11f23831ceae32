"""Connection options: K8S_AUTH_* fallbacks, secrets, and the client configuration they produce."""
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import auth
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ConfigError

NO_FILE = {"KUBECONFIG": "/nonexistent/kubeconfig"}


def kubeconfig_dict(token="tok-123456", ca_data=None, namespace=None):
    cluster = {"server": "https://k8s.example:6443"}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "main",
        "clusters": [{"name": "c1", "cluster": cluster},
                     {"name": "c2", "cluster": {"server": "http://127.0.0.1:8001"}}],
        "users": [{"name": "u1", "user": {"token": token}},
                  {"name": "u2", "user": {"password": "pw-secret", "username": "admin", "client-key-data": "S0VZ"}},
                  {"name": "u3", "user": {"auth-provider": {"name": "oidc", "config": {
                      "id-token": "idt-1", "refresh-token": "rt-1", "client-id": "public-client"}}}}],
        "contexts": [{"name": "main", "context": {"cluster": "c1", "user": "u1"}},
                     {"name": "local", "context": {"cluster": "c2", "user": "u1"}}],
    }


def test_parameters_win_over_environment():
    resolved = auth.resolve_auth({"host": "https://a", "context": None}, {"K8S_AUTH_HOST": "https://b", "K8S_AUTH_CONTEXT": "ctx"})
    assert resolved == {"host": "https://a", "context": "ctx"}


@pytest.mark.parametrize("option, variable, text, value", [
    ("kubeconfig", "K8S_AUTH_KUBECONFIG", "/etc/kube.conf", "/etc/kube.conf"),
    ("api_key", "K8S_AUTH_API_KEY", "s3cret", "s3cret"),
    ("validate_certs", "K8S_AUTH_VALIDATE_CERTS", "no", False),
    ("validate_certs", "K8S_AUTH_VERIFY_SSL", "True", True),
    ("ca_cert", "K8S_AUTH_SSL_CA_CERT", "/ca.pem", "/ca.pem"),
    ("ca_cert", "K8S_AUTH_CA_CERT", "/ca.pem", "/ca.pem"),
    ("client_cert", "K8S_AUTH_CERT_FILE", "/c.pem", "/c.pem"),
    ("client_key", "K8S_AUTH_KEY_FILE", "/k.pem", "/k.pem"),
    ("client_key", "K8S_AUTH_CLIENT_KEY", "/k.pem", "/k.pem"),
    ("proxy", "K8S_AUTH_PROXY", "http://proxy:3128", "http://proxy:3128"),
    ("no_proxy", "K8S_AUTH_NO_PROXY", "localhost,10.0.0.0/8", "localhost,10.0.0.0/8"),
])
def test_environment_fallbacks(option, variable, text, value):
    assert auth.resolve_auth({}, {variable: text}) == {option: value}


def test_own_name_wins_over_kubernetes_core_alias():
    env = {"K8S_AUTH_VALIDATE_CERTS": "false", "K8S_AUTH_VERIFY_SSL": "true"}
    assert auth.resolve_auth({}, env) == {"validate_certs": False}


def test_false_parameter_is_not_replaced_by_environment():
    assert auth.resolve_auth({"validate_certs": False}, {"K8S_AUTH_VERIFY_SSL": "yes"}) == {"validate_certs": False}


def test_empty_variables_are_unset():
    assert auth.resolve_auth({}, {"K8S_AUTH_HOST": "", "K8S_AUTH_VERIFY_SSL": ""}) == {}


def test_paths_from_environment_are_expanded():
    resolved = auth.resolve_auth({}, {"K8S_AUTH_KUBECONFIG": "~/kc", "K8S_AUTH_CA_CERT": "~/ca.pem"})
    assert resolved == {"kubeconfig": os.path.expanduser("~/kc"), "ca_cert": os.path.expanduser("~/ca.pem")}


def test_bad_boolean_names_the_variable():
    with pytest.raises(InputError, match="K8S_AUTH_VERIFY_SSL must be a boolean.*'maybe'"):
        auth.resolve_auth({}, {"K8S_AUTH_VERIFY_SSL": "maybe"})


def test_kubeconfig_must_be_path_or_mapping():
    with pytest.raises(InputError, match="kubeconfig must be a path or a kubeconfig mapping, got list"):
        auth.resolve_auth({"kubeconfig": ["a"]}, {})


def test_proxy_headers_merge_parameters_and_environment():
    resolved = auth.resolve_auth({"proxy_headers": {"user_agent": "me/1", "basic_auth": None, "proxy_basic_auth": None}},
                                 {"K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH": "u:p"})
    assert resolved == {"proxy_headers": {"user_agent": "me/1", "proxy_basic_auth": "u:p"}}


def test_secrets_of_a_kubeconfig_mapping_and_options():
    resolved = {"kubeconfig": kubeconfig_dict(), "api_key": "ak-1", "proxy_headers": {"proxy_basic_auth": "u:pp"}}
    assert auth.secrets(resolved) == {"tok-123456", "pw-secret", "S0VZ", "idt-1", "rt-1", "ak-1", "u:pp", "pp"}


@pytest.mark.parametrize("params, found", [
    ({"host": "https://admin:s3cret@10.0.0.1:6443"}, {"admin:s3cret", "s3cret"}),
    ({"proxy": "http://u:proxy-pw@proxy:3128/x@y"}, {"u:proxy-pw", "proxy-pw"}),
    ({"host": "https://10.0.0.1:6443", "proxy": "http://proxy:3128"}, set()),
    ({"kubeconfig": {"clusters": [{"cluster": {"server": "https://a:b@h", "proxy-url": "http://c:d@p"}}]}},
     {"a:b", "b", "c:d", "d"}),
    # arguments as given, before validation: any shape, no error
    ({"kubeconfig": ["x"], "proxy_headers": "x", "host": 5, "api_key": {"a": 1}}, set()),
    ({"kubeconfig": {"users": [None, {"user": None}, {"user": {"token": 5}}], "clusters": "x"}}, set()),
])
def test_secrets_of_the_arguments_as_given(params, found):
    """Issue 13, defect 5: a password in host or proxy is a secret, also when the arguments are refused."""
    assert auth.param_secrets(params) == found


@pytest.mark.parametrize("url, redacted", [
    ("https://admin:s3cret@10.0.0.1:6443/x", "https://admin:xxxxx@10.0.0.1:6443/x"),
    ("https://admin@10.0.0.1", "https://admin@10.0.0.1"), ("https://10.0.0.1", "https://10.0.0.1"), (None, None)])
def test_urls_are_redacted_as_go_redacts_them(url, redacted):
    assert auth.redact_url(url) == redacted


def test_a_kubeconfig_path_has_no_secrets_until_loaded(tmp_path):
    assert auth.secrets({"kubeconfig": str(tmp_path / "kc")}) == set()


def test_malformed_users_have_no_secrets():
    assert auth.kubeconfig_secrets({"users": "nope"}) == set()
    assert auth.kubeconfig_secrets({"users": [None, {"user": 3}, {"user": {"token": 5}}]}) == set()


def test_configuration_from_mapping_with_context_and_ca_data():
    ca = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
    configuration = auth.build_configuration({"kubeconfig": kubeconfig_dict(ca_data=ca)}, NO_FILE)
    assert configuration.host == "https://k8s.example:6443"
    assert os.path.exists(configuration.ssl_ca_cert)
    assert auth.configuration_secrets(configuration) == {"Bearer tok-123456", "tok-123456"}
    assert configuration.retries is False
    local = auth.build_configuration({"kubeconfig": kubeconfig_dict(), "context": "local"}, NO_FILE)
    assert local.host == "http://127.0.0.1:8001"


def test_configuration_from_file_path(tmp_path):
    import yaml
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig_dict(token="file-token")))
    configuration = auth.build_configuration({"kubeconfig": str(path)}, NO_FILE)
    assert configuration.host == "https://k8s.example:6443"
    assert "file-token" in auth.configuration_secrets(configuration)


def test_default_kubeconfig_comes_from_KUBECONFIG(tmp_path):
    import yaml
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(kubeconfig_dict()))
    configuration = auth.build_configuration({}, {"KUBECONFIG": "/nonexistent:%s" % path})
    assert configuration.host == "https://k8s.example:6443"


def test_explicit_options_override_the_kubeconfig():
    configuration = auth.build_configuration({
        "kubeconfig": kubeconfig_dict(), "host": "https://other:443/", "api_key": "override-token",
        "validate_certs": False, "ca_cert": "/ca.pem", "client_cert": "/c.pem", "client_key": "/k.pem",
        "proxy": "http://proxy:3128", "no_proxy": "10.0.0.0/8", "proxy_headers": {"proxy_basic_auth": "u:p"},
    }, NO_FILE)
    assert configuration.host == "https://other:443"
    assert configuration.auth_settings()["BearerToken"]["value"] == "Bearer override-token"
    assert (configuration.verify_ssl, configuration.ssl_ca_cert, configuration.cert_file, configuration.key_file) == (
        False, "/ca.pem", "/c.pem", "/k.pem")
    assert (configuration.proxy, configuration.no_proxy) == ("http://proxy:3128", "10.0.0.0/8")
    assert configuration.proxy_headers["proxy-authorization"] == "Basic dTpw"


def test_host_and_token_need_no_kubeconfig():
    configuration = auth.build_configuration({"host": "https://h:6443", "api_key": "t"}, {"KUBECONFIG": "/broken"})
    assert configuration.host == "https://h:6443"


def test_host_alone_without_kubeconfig_is_accepted():
    assert auth.build_configuration({"host": "http://127.0.0.1:1"}, NO_FILE).host == "http://127.0.0.1:1"


def test_nothing_to_connect_to():
    with pytest.raises(ConfigError, match="no cluster to connect to"):
        auth.build_configuration({}, NO_FILE)


def test_unreadable_kubeconfig_names_the_file(tmp_path):
    path = tmp_path / "config"
    path.write_text("clusters: [")
    with pytest.raises(ConfigError, match="cannot load kubeconfig %s: " % path):
        auth.build_configuration({"kubeconfig": str(path)}, NO_FILE)


def test_unknown_context_is_a_config_error():
    with pytest.raises(ConfigError, match="cannot load the kubeconfig mapping: .*nope"):
        auth.build_configuration({"kubeconfig": kubeconfig_dict(), "context": "nope"}, NO_FILE)


@pytest.mark.parametrize("params, env, message", [
    ({"impersonate_user": "alice\n"}, {},
     'impersonate_user: "alice\\n" cannot be sent in the Impersonate-User header: it holds the control character "\\n"'),
    ({"impersonate_groups": ["ops", "a\rb"]}, {},
     'impersonate_groups: "a\\rb" cannot be sent in the Impersonate-Group header: it holds the control character "\\r"'),
    ({}, {"K8S_AUTH_IMPERSONATE_USER": "bob\x00"},
     'K8S_AUTH_IMPERSONATE_USER: "bob\\x00" cannot be sent in the Impersonate-User header: it holds the control character "\\x00"'),
])
def test_impersonation_values_that_cannot_be_headers_are_refused(params, env, message):
    with pytest.raises(InputError) as err:
        auth.resolve_auth(params, env)
    assert str(err.value) == message


def test_impersonating_a_non_ascii_user_is_allowed():
    assert auth.resolve_auth({"impersonate_user": "jürgen 用户\t"}, {}) == {"impersonate_user": "jürgen 用户\t"}


@pytest.mark.parametrize("username, password, header", [
    ("admin", "secret", "Basic YWRtaW46c2VjcmV0"),
    ("Ā", "0", "Basic xIA6MA=="),  # UTF-8 bytes, as Go's SetBasicAuth sends them; Latin-1 cannot encode it
    ("jürgen", "pässwörd", "Basic asO8cmdlbjpww6Rzc3fDtnJk"),
])
def test_basic_auth_is_sent_in_utf8_as_client_go_sends_it(username, password, header):
    configuration = auth.build_configuration({"host": "https://h:6443", "username": username, "password": password}, NO_FILE)
    assert configuration.api_key == {"authorization": header}


def test_proxy_headers_with_credentials_beyond_latin1():
    headers = auth.proxy_headers({"proxy_basic_auth": "Ā:0", "basic_auth": "u:p", "user_agent": "ü/1"})
    assert headers == {"proxy-authorization": "Basic xIA6MA==", "authorization": "Basic dTpw", "user-agent": "Ã¼/1"}


def test_a_user_agent_with_a_line_break_is_refused():
    with pytest.raises(InputError, match='proxy_headers.user_agent: "me\\\\n" cannot be sent in the User-Agent header'):
        auth.resolve_auth({"proxy_headers": {"user_agent": "me\n"}}, {})
