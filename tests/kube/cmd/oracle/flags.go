package main

// component_flag_errors: each component's own flag parsing and option checks, in the order its
// command runs them, on a baseline of the flags it requires (chosen so that the baseline alone
// passes every check; the flags under test are added after it, so they win).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
	controllersmetrics "k8s.io/component-base/metrics/prometheus/controllers"
	"k8s.io/controller-manager/pkg/clientbuilder"
	"k8s.io/klog/v2"
	netutils "k8s.io/utils/net"

	apiserveroptions "k8s.io/kubernetes/cmd/kube-apiserver/app/options"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	kcmconfig "k8s.io/kubernetes/cmd/kube-controller-manager/app/config"
	kcmoptions "k8s.io/kubernetes/cmd/kube-controller-manager/app/options"
	"k8s.io/kubernetes/cmd/kube-controller-manager/names"
	proxyapp "k8s.io/kubernetes/cmd/kube-proxy/app"
	kubeletapp "k8s.io/kubernetes/cmd/kubelet/app"
	kubeletoptions "k8s.io/kubernetes/cmd/kubelet/app/options"
	"k8s.io/kubernetes/pkg/kubelet"
)

// flagArgs turns the filter's flags (a mapping, or a list of --name=value strings) into the
// command line, in the order given: values as the filter documents them (lists comma-joined, a
// --feature-gates mapping as Gate=bool pairs in the order given).
func flagArgs(raw json.RawMessage) ([]string, error) {
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	pairs, err := orderedObject(raw)
	if err != nil {
		return nil, fmt.Errorf("flags: %v", err)
	}
	var args []string
	for _, p := range pairs {
		value, err := orderedValue(p.value)
		if err != nil {
			return nil, err
		}
		args = append(args, "--"+strings.TrimLeft(p.key, "-")+"="+value)
	}
	return args, nil
}

type keyValue struct {
	key   string
	value json.RawMessage
}

// orderedObject is a JSON object's members in the order written.
func orderedObject(raw json.RawMessage) ([]keyValue, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var out []keyValue
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		out = append(out, keyValue{t.(string), value})
	}
	return out, nil
}

// orderedValue is flagValue keeping the order of a mapping's members.
func orderedValue(raw json.RawMessage) (string, error) {
	if pairs, err := orderedObject(raw); err == nil {
		parts := make([]string, len(pairs))
		for i, p := range pairs {
			v, err := orderedValue(p.value)
			if err != nil {
				return "", err
			}
			parts[i] = p.key + "=" + v
		}
		return strings.Join(parts, ","), nil
	}
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	return flagValue(v), nil
}

func flagValue(v interface{}) string {
	switch v := v.(type) {
	case []interface{}:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = flagValue(p)
		}
		return strings.Join(parts, ",")
	case map[string]interface{}:
		var keys []string
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + flagValue(v[k])
		}
		return strings.Join(parts, ",")
	case float64:
		return fmt.Sprintf("%v", json.Number(fmt.Sprint(v)))
	default:
		return fmt.Sprint(v)
	}
}

func errorTexts(errs []error) []string {
	out := []string{}
	for _, err := range errs {
		if agg, ok := err.(utilerrors.Aggregate); ok {
			out = append(out, errorTexts(agg.Errors())...)
		} else if err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

func componentFlagErrors(raw json.RawMessage, component string) (interface{}, error) {
	args, err := flagArgs(raw)
	if err != nil {
		return nil, err
	}
	// Each command registers its component on the global registry; every request starts afresh.
	compatibility.DefaultComponentGlobalsRegistry.Reset()
	switch component {
	case "kube-apiserver":
		return kubeAPIServerFlagErrors(args)
	case "kube-controller-manager":
		return kubeControllerManagerFlagErrors(args)
	case "kubelet":
		return kubeletFlagErrors(args)
	case "kube-proxy":
		return kubeProxyFlagErrors(args)
	}
	return nil, ownError{fmt.Sprintf("unknown component %q", component)}
}

func parseFlags(fs *pflag.FlagSet, args []string) []string {
	if err := fs.Parse(args); err != nil {
		return []string{err.Error()}
	}
	return nil
}

var (
	apiserverFilesOnce sync.Once
	apiserverFiles     string
)

// apiserverBaseline: the flags kube-apiserver requires to start, with files written once.
func apiserverBaseline() []string {
	apiserverFilesOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oracle-apiserver-")
		if err != nil {
			panic(err)
		}
		certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("localhost", []net.IP{net.ParseIP("127.0.0.1")}, nil)
		if err != nil {
			panic(err)
		}
		saKey, err := keyutil.MakeEllipticPrivateKeyPEM()
		if err != nil {
			panic(err)
		}
		for name, data := range map[string][]byte{"tls.crt": certPEM, "tls.key": keyPEM, "sa.key": saKey} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				panic(err)
			}
		}
		apiserverFiles = dir
	})
	d := apiserverFiles
	return []string{
		"--etcd-servers=http://127.0.0.1:2379",
		"--tls-cert-file=" + filepath.Join(d, "tls.crt"),
		"--tls-private-key-file=" + filepath.Join(d, "tls.key"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + filepath.Join(d, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(d, "sa.key"),
		"--cert-dir=" + filepath.Join(d, "certs"),
	}
}

// kube-apiserver: NewAPIServerCommand's order - flags parsed, the component globals set
// (--feature-gates), ServerRunOptions.Complete (stops at its first error), then Validate (all).
func kubeAPIServerFlagErrors(args []string) (interface{}, error) {
	s := apiserveroptions.NewServerRunOptions()
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if errs := parseFlags(fs, append(apiserverBaseline(), args...)); errs != nil {
		return errs, nil
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return []string{err.Error()}, nil
	}
	// Without an --advertise-address (or with an unspecified one) kube-apiserver advertises an
	// address of the host it runs on. The filter assumes that host has an address of the primary
	// service range's family; so does the oracle, whatever machine it runs on.
	if a := s.GenericServerRunOptions.AdvertiseAddress; a == nil || a.IsUnspecified() {
		primary := strings.Split(s.ServiceClusterIPRanges, ",")[0]
		if _, ipnet, err := netutils.ParseCIDRSloppy(primary); err == nil && ipnet.IP.To4() == nil {
			s.GenericServerRunOptions.AdvertiseAddress = net.ParseIP("2001:db8::1")
		} else {
			s.GenericServerRunOptions.AdvertiseAddress = net.ParseIP("192.0.2.1")
		}
	}
	completed, err := s.Complete(context.Background())
	if err != nil {
		return []string{err.Error()}, nil
	}
	return errorTexts(completed.Validate()), nil
}

// kube-controller-manager: flags parsed, the component globals set, Validate, ApplyTo, then the
// node IPAM controller built as StartControllers builds it (its constructor is where the
// --allocate-node-cidrs checks run), against a fake API.
func kubeControllerManagerFlagErrors(args []string) (interface{}, error) {
	errs, controller, _, _, err := buildNodeIpamControllerWith(args, fake.NewSimpleClientset())
	if controller != nil {
		controller.Stop()
	}
	return errs, err
}

type fakeClientBuilder struct {
	clientbuilder.ControllerClientBuilder
	client kubernetes.Interface
}

func (b fakeClientBuilder) Client(name string) (kubernetes.Interface, error) { return b.client, nil }
func (b fakeClientBuilder) ClientOrDie(name string) kubernetes.Interface     { return b.client }

// buildNodeIpamControllerWith runs kube-controller-manager's option checks and builds its node
// IPAM controller over client (a fake holding the cluster's Nodes), with the informer factory and
// the informers-started channel of its controller context. Refusals come back as texts.
func buildNodeIpamControllerWith(args []string, client *fake.Clientset) ([]string, nodeIpamController, informers.SharedInformerFactory, chan struct{}, error) {
	s, err := kcmoptions.NewKubeControllerManagerOptions()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	all, disabled, aliases := kcmapp.KnownControllers(), kcmapp.ControllersDisabledByDefault(), kcmapp.ControllerAliases()
	fs := pflag.NewFlagSet("kube-controller-manager", pflag.ContinueOnError)
	for _, f := range s.Flags(all, disabled, aliases).FlagSets {
		fs.AddFlagSet(f)
	}
	// --secure-port=0: no listener (the baseline; kube-controller-manager serves nothing here).
	if errs := parseFlags(fs, append([]string{"--secure-port=0"}, args...)); errs != nil {
		return errs, nil, nil, nil, nil
	}
	if err := s.ComponentGlobalsRegistry.Set(); err != nil {
		return []string{err.Error()}, nil, nil, nil, nil
	}
	if err := s.Validate(all, disabled, aliases); err != nil {
		return errorTexts([]error{err}), nil, nil, nil, nil
	}
	c := &kcmconfig.Config{ComponentGlobalsRegistry: s.ComponentGlobalsRegistry}
	if err := s.ApplyTo(c, all, disabled, aliases); err != nil {
		return []string{err.Error()}, nil, nil, nil, nil
	}
	ctx := klog.NewContext(context.Background(), klog.Background())
	factory := informers.NewSharedInformerFactory(client, 0)
	started := make(chan struct{})
	controllerContext := kcmapp.ControllerContext{
		ClientBuilder:    fakeClientBuilder{client: client},
		InformerFactory:  factory,
		ComponentConfig:  c.ComponentConfig,
		InformersStarted: started,
		// One metrics object per request: registering the same name twice is refused.
		ControllerManagerMetrics: controllersmetrics.NewControllerManagerMetrics("kube-controller-manager"),
	}
	descriptor := kcmapp.NewControllerDescriptors()[names.NodeIpamController]
	controller, err := buildController(ctx, descriptor, controllerContext)
	if err != nil {
		return []string{err.Error()}, nil, nil, nil, nil
	}
	return []string{}, controller, factory, started, nil
}

// kubelet: its flags parsed, then RunKubelet, whose first check is the --node-ip argument
// (ParseNodeIPArgument); an empty root directory stops it right after (NewMainKubelet's first
// check), which is how a passing --node-ip is recognised.
func kubeletFlagErrors(args []string) (interface{}, error) {
	s, err := kubeletoptions.NewKubeletServer()
	if err != nil {
		return nil, err
	}
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	s.KubeletFlags.AddFlags(fs)
	if errs := parseFlags(fs, args); errs != nil {
		return errs, nil
	}
	s.RootDirectory = ""
	s.HostnameOverride = "oracle-node"
	deps := &kubelet.Dependencies{Recorder: record.NewFakeRecorder(100)}
	err = kubeletapp.RunKubelet(context.Background(), s, deps)
	if err != nil && strings.HasPrefix(err.Error(), "failed to create kubelet: invalid root directory") {
		return []string{}, nil
	}
	if err == nil {
		return nil, fmt.Errorf("RunKubelet did not stop at the empty root directory")
	}
	return []string{err.Error()}, nil
}

// kube-proxy: its flags parsed, Options.Complete, then Options.Validate (the configuration's
// field errors, aggregated).
func kubeProxyFlagErrors(args []string) (interface{}, error) {
	o := proxyapp.NewOptions()
	fs := pflag.NewFlagSet("kube-proxy", pflag.ContinueOnError)
	o.AddFlags(fs)
	if errs := parseFlags(fs, args); errs != nil {
		return errs, nil
	}
	if err := o.Complete(fs); err != nil {
		return []string{err.Error()}, nil
	}
	if err := o.Validate(); err != nil {
		return errorTexts([]error{err}), nil
	}
	return []string{}, nil
}
