# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment(object):
    """Connection options of every module that talks to a cluster (argument spec: module_utils/k8s/auth.py)."""

    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or a kubeconfig as a mapping.
      - When neither O(kubeconfig) nor O(context) is set and O(host) with O(api_key) is not given either,
        the in-cluster service account is used inside a pod, else the file(s) named by E(KUBECONFIG), else
        C(~/.kube/config).
      - The tokens, passwords and client keys of a mapping are hidden from all output.
      - Can also be set with the E(K8S_AUTH_KUBECONFIG) environment variable (a path).
    type: raw
  context:
    description:
      - The kubeconfig context to use instead of its current context.
      - Can also be set with E(K8S_AUTH_CONTEXT).
    type: str
  host:
    description:
      - URL of the API server, for example V(https://10.0.0.1:6443). Overrides the kubeconfig's server.
      - An C(https://) or C(http://) URL with a host (V(host:port) alone means C(http://host:port)); anything else
        is refused before any request. A password in the URL (V(https://user:password@host)) is never shown.
      - Can also be set with E(K8S_AUTH_HOST).
    type: str
  api_key:
    description:
      - Bearer token to authenticate with. Overrides the kubeconfig's credentials. Never shown in output.
      - Can also be set with E(K8S_AUTH_API_KEY).
    type: str
  username:
    description:
      - User name for HTTP basic authentication, with O(password); ignored when O(api_key) is set. Kubernetes itself
        removed basic authentication in 1.19; an authenticating proxy in front of the API server may still take it.
      - With O(host), O(username) and O(password) no kubeconfig is read.
      - Can also be set with E(K8S_AUTH_USERNAME).
    type: str
  password:
    description:
      - Password for HTTP basic authentication, with O(username). Never shown in output.
      - Can also be set with E(K8S_AUTH_PASSWORD).
    type: str
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate.
      - Can also be set with E(K8S_AUTH_VALIDATE_CERTS) or E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - Path to the CA certificate(s) that signed the API server's certificate (the full chain).
      - Can also be set with E(K8S_AUTH_CA_CERT) or E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description:
      - Path to a client certificate to authenticate with.
      - Can also be set with E(K8S_AUTH_CLIENT_CERT) or E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path to the key of O(client_cert).
      - Can also be set with E(K8S_AUTH_CLIENT_KEY) or E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  proxy:
    description:
      - URL of an HTTP proxy (or a C(socks5://) proxy) for the connection, with a scheme (C(http), C(https),
        C(socks4), C(socks4a), C(socks5), C(socks5h)) and a host; anything else is refused before any request.
      - Never shown in output, as it may hold credentials (V(http://user:password@proxy.example:3128)).
      - When unset, recent versions of the kubernetes Python client use E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY).
      - Can also be set with E(K8S_AUTH_PROXY).
    type: str
  no_proxy:
    description:
      - Comma-separated hosts, domains, IP addresses or CIDRs reached without the proxy,
        for example V(localhost,.cluster.local,10.0.0.0/8).
      - Can also be set with E(K8S_AUTH_NO_PROXY).
    type: str
  proxy_headers:
    description:
      - Headers sent to the proxy.
    type: dict
    suboptions:
      proxy_basic_auth:
        description:
          - C(username:password) for the proxy's basic authentication. Never shown in output.
          - Can also be set with E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH).
        type: str
      basic_auth:
        description:
          - C(username:password) for a basic authentication header. Never shown in output.
          - Can also be set with E(K8S_AUTH_PROXY_HEADERS_BASIC_AUTH).
        type: str
      user_agent:
        description:
          - The C(User-Agent) sent to the proxy.
          - Can also be set with E(K8S_AUTH_PROXY_HEADERS_USER_AGENT).
        type: str
  persist_config:
    description:
      - Write a token that the kubeconfig's authentication provider (such as OIDC) refreshes back to the kubeconfig
        file, so that the next task does not refresh it again. Only for a kubeconfig file.
      - Can also be set with E(K8S_AUTH_PERSIST_CONFIG).
    type: bool
  impersonate_user:
    description:
      - Act as this user (the C(Impersonate-User) header); the credentials used need the C(impersonate) permission.
      - Can also be set with E(K8S_AUTH_IMPERSONATE_USER).
    type: str
  impersonate_groups:
    description:
      - Act as a member of these groups (one C(Impersonate-Group) header each).
      - Can also be set with E(K8S_AUTH_IMPERSONATE_GROUPS), a comma-separated list.
    type: list
    elements: str
notes:
  - The option names and environment variables are those of C(kubernetes.core), so its
    C(module_defaults) and E(K8S_AUTH_*) settings carry over. Use C(module_defaults) with
    C(group/clusternet.k8s.cluster) to set them once for every module of this collection that talks to a cluster;
    the connection options set with C(module_defaults) for C(group/kubernetes.core.k8s) are used too, below those of
    C(group/clusternet.k8s.cluster) and of the module itself.
  - A relative O(kubeconfig) path is looked for as C(kubernetes.core) looks for it - when the task runs on the
    controller, in the C(files) directories of the role and the playbook (a vault-encrypted file is decrypted for the
    task); on another host, on that host.
  - Each request is made up to 5 times, as urllib3's C(Retry) decides, on HTTP 429, 500, 502, 503 and 504 (and 413
    with C(Retry-After)) and on dropped connections, with exponential backoff or the server's C(Retry-After) (at
    most 30 seconds). Every request this collection makes is idempotent.
requirements:
  - kubernetes >= 29.0.0 (Python library)
  - urllib3 >= 2.0.0 (Python library, installed with kubernetes)
"""
