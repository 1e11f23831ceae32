// kube-testcluster runs a real Kubernetes control plane in one process for the test suite:
// embedded etcd, the real kube-apiserver and the real kube-controller-manager, all built from
// the upstream Go modules pinned in go.mod. Nothing of upstream is copied here: this program only
// chooses their flags, writes the credentials they need and starts them.
//
// It prints "READY <url>" on stdout once /readyz answers and the CRDs given with --crd are
// Established, and stops cleanly (temp dirs removed) on SIGTERM or SIGINT.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/embed"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
	logsapi "k8s.io/component-base/logs/api/v1"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func init() {
	// Two components apply logging options in one process; the second must not fail on it.
	logsapi.ReapplyHandling = logsapi.ReapplyHandlingIgnoreUnchanged
}

type config struct {
	dir          string
	kubeconfig   string
	serviceCIDRs string
	clusterCIDRs string
	maskV4       int
	maskV6       int
	port         int
	crds         multi
	verbosity    int
	token        string
	allocate     bool
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var c config
	flag.StringVar(&c.kubeconfig, "kubeconfig", "", "write an admin kubeconfig here (default: <data dir>/kubeconfig)")
	flag.StringVar(&c.serviceCIDRs, "service-cidrs", "10.96.0.0/16,fd00:10:96::/112", "kube-apiserver --service-cluster-ip-range")
	flag.StringVar(&c.clusterCIDRs, "cluster-cidrs", "10.244.0.0/16,fd00:10:244::/56", "kube-controller-manager --cluster-cidr")
	flag.IntVar(&c.maskV4, "node-cidr-mask-size-ipv4", 24, "kube-controller-manager --node-cidr-mask-size-ipv4")
	flag.IntVar(&c.maskV6, "node-cidr-mask-size-ipv6", 64, "kube-controller-manager --node-cidr-mask-size-ipv6")
	flag.IntVar(&c.port, "port", 0, "kube-apiserver secure port on 127.0.0.1 (0: a free one)")
	flag.Var(&c.crds, "crd", "a CRD manifest file or a directory of them, installed before READY (repeatable)")
	flag.IntVar(&c.verbosity, "v", 0, "log verbosity of the components (their logs go to stderr)")
	flag.StringVar(&c.token, "token", "", "the admin bearer token (default: random)")
	flag.BoolVar(&c.allocate, "allocate-node-cidrs", true, "kube-controller-manager --allocate-node-cidrs (node IPAM)")
	flag.Parse()

	// os.Exit, not a return: kube-controller-manager's goroutines never stop on their own.
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "kube-testcluster:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func run(c config) error {
	dir, err := os.MkdirTemp("", "kube-testcluster-")
	if err != nil {
		return err
	}
	c.dir = dir
	defer os.RemoveAll(dir)
	if c.kubeconfig == "" {
		c.kubeconfig = filepath.Join(dir, "kubeconfig")
	}
	if c.token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		c.token = hex.EncodeToString(b)
	}
	if c.port == 0 {
		if c.port, err = freePort(); err != nil {
			return err
		}
	}

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	etcd, err := startEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	// etcd is never closed: its Close waits for clients that only the process exit stops.

	caPEM, err := writeCredentials(c)
	if err != nil {
		return err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", c.port)
	if err := writeKubeconfig(c.kubeconfig, server, caPEM, c.token); err != nil {
		return err
	}

	// Clients name themselves after the program (user agent, and so the field manager of their writes):
	// each component is named as in a real cluster.
	os.Args[0] = "kube-apiserver"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	apiserverDone := make(chan error, 1)
	go func() { apiserverDone <- runCommand(ctx, apiserverapp.NewAPIServerCommand(), apiserverArgs(c, etcd)) }()

	if err := waitReady(ctx, server, caPEM, c.token, apiserverDone); err != nil {
		return err
	}
	os.Args[0] = "kube-controller-manager"
	go func() {
		if err := runCommand(ctx, kcmapp.NewControllerManagerCommand(), controllerManagerArgs(c)); err != nil {
			fmt.Fprintln(os.Stderr, "kube-testcluster: kube-controller-manager stopped:", err)
		}
	}()
	if err := installCRDs(ctx, c); err != nil {
		return err
	}
	// The etcd endpoint lets the test suite reset the cluster's storage between tests; the data
	// directory (etcd, credentials) is removed when the program stops.
	fmt.Printf("DATA %s\n", dir)
	fmt.Printf("ETCD http://%s\n", etcd.Clients[0].Addr().String())
	fmt.Printf("READY %s\n", server)

	select {
	case sig := <-signals:
		// kube-apiserver saw the signal too and shuts down on its own; give it a moment, then
		// stop: etcd's data and every credential live in the temp dir removed on return.
		fmt.Fprintf(os.Stderr, "kube-testcluster: %s, stopping\n", sig)
		select {
		case <-apiserverDone:
		case <-time.After(5 * time.Second):
		}
		return nil
	case err := <-apiserverDone:
		return fmt.Errorf("kube-apiserver stopped: %v", err)
	}
}

// runCommand runs a component's own cobra command with the given flags.
func runCommand(ctx context.Context, cmd *cobra.Command, args []string) error {
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

func apiserverArgs(c config, etcd *embed.Etcd) []string {
	d := c.dir
	return []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// The loopback address may not be an endpoint of the kubernetes Service.
		"--endpoint-reconciler-type=none",
		fmt.Sprintf("--secure-port=%d", c.port),
		"--cert-dir=" + filepath.Join(d, "certs"),
		"--tls-cert-file=" + filepath.Join(d, "serving.crt"),
		"--tls-private-key-file=" + filepath.Join(d, "serving.key"),
		"--client-ca-file=" + filepath.Join(d, "ca.crt"),
		"--token-auth-file=" + filepath.Join(d, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(d, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(d, "sa.key"),
		"--service-cluster-ip-range=" + c.serviceCIDRs,
		"--etcd-servers=http://" + etcd.Clients[0].Addr().String(),
		"--storage-backend=etcd3",
		"--allow-privileged=true",
		fmt.Sprintf("--v=%d", c.verbosity),
	}
}

func controllerManagerArgs(c config) []string {
	d := c.dir
	return []string{
		"--kubeconfig=" + filepath.Join(d, "admin.kubeconfig"),
		"--authentication-skip-lookup=true",
		"--secure-port=0",
		"--leader-elect=false",
		"--controllers=" + strings.Join([]string{
			"node-ipam-controller", "namespace-controller", "garbage-collector-controller",
			"serviceaccount-controller", "serviceaccount-token-controller", "service-cidr-controller",
			"root-ca-certificate-publisher-controller", "deployment-controller", "replicaset-controller",
			"statefulset-controller", "daemonset-controller", "job-controller", "cronjob-controller",
			"endpointslice-controller",
		}, ","),
		fmt.Sprintf("--allocate-node-cidrs=%t", c.allocate),
		"--cluster-cidr=" + c.clusterCIDRs,
		fmt.Sprintf("--node-cidr-mask-size-ipv4=%d", c.maskV4),
		fmt.Sprintf("--node-cidr-mask-size-ipv6=%d", c.maskV6),
		"--service-cluster-ip-range=" + c.serviceCIDRs,
		"--root-ca-file=" + filepath.Join(d, "ca.crt"),
		"--service-account-private-key-file=" + filepath.Join(d, "sa.key"),
		"--use-service-account-credentials=false",
		fmt.Sprintf("--v=%d", c.verbosity),
	}
}

// writeCredentials writes a CA and the serving certificate it signs, the service-account key
// and the static token file; it returns the CA certificate (PEM) for clients.
func writeCredentials(c config) ([]byte, error) {
	d := c.dir
	// GenerateSelfSignedCertKey returns the serving certificate followed by its own CA.
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("localhost", []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}, []string{"kubernetes", "kubernetes.default"})
	if err != nil {
		return nil, err
	}
	var blocks [][]byte
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, pem.EncodeToMemory(b))
	}
	if len(blocks) < 2 {
		return nil, errors.New("self-signed certificate has no CA")
	}
	caPEM := blocks[len(blocks)-1]
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saPEM, err := keyutil.MarshalPrivateKeyToPEM(saKey)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"serving.crt": certPEM,
		"serving.key": keyPEM,
		"ca.crt":      caPEM,
		"sa.key":      saPEM,
		"tokens.csv":  []byte(fmt.Sprintf("%s,kube-testcluster-admin,kube-testcluster-admin,\"system:masters\"\n", c.token)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", c.port)
	if err := writeKubeconfig(filepath.Join(d, "admin.kubeconfig"), server, caPEM, c.token); err != nil {
		return nil, err
	}
	return caPEM, nil
}

func writeKubeconfig(path, server string, caPEM []byte, token string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["kube-testcluster"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["kube-testcluster"] = &clientcmdapi.Context{Cluster: "kube-testcluster", AuthInfo: "admin", Namespace: "default"}
	kc.CurrentContext = "kube-testcluster"
	return clientcmd.WriteToFile(*kc, path)
}

func startEtcd(dir string) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	cfg.Logger = "zap"
	clientPort, err := freePort()
	if err != nil {
		return nil, err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, err
	}
	client, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", clientPort))
	peer, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, errors.New("not ready within 60s")
	}
}

func waitReady(ctx context.Context, server string, caPEM []byte, token string, done <-chan error) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("kube-apiserver stopped before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		req, _ := http.NewRequest(http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
	return errors.New("kube-apiserver not ready within 120s")
}

// installCRDs creates every CRD found in the --crd files and directories and waits until each
// is Established, so that a test can use it as soon as READY is printed.
func installCRDs(ctx context.Context, c config) error {
	if len(c.crds) == 0 {
		return nil
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return err
	}
	restConfig.UserAgent = "kube-testcluster"
	client, err := apiextensionsclient.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	var names []string
	for _, root := range c.crds {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			decoder := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
			for {
				var crd apiextensionsv1.CustomResourceDefinition
				if err := decoder.Decode(&crd); err != nil {
					if errors.Is(err, io.EOF) {
						return nil
					}
					return fmt.Errorf("%s: %w", path, err)
				}
				if crd.Kind != "CustomResourceDefinition" {
					continue
				}
				_, err := client.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{})
				if err != nil && !apierrors.IsAlreadyExists(err) {
					return fmt.Errorf("%s: CRD %s: %w", path, crd.Name, err)
				}
				names = append(names, crd.Name)
			}
		})
		if err != nil {
			return err
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, name := range names {
		for {
			crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
			if err == nil && established(crd) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("CRD %s not Established within 60s", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, cond := range crd.Status.Conditions {
		if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
