package main

// node_pod_cidrs: kube-controller-manager's node IPAM controller, built from its flags as the
// controller manager builds it, then run (its own informer, queue and workers) against a fake API
// holding the nodes. Nodes that already have podCIDRs exist when it starts (its start-up list
// occupies them); the others register one at a time, in the order given, each once the previous
// one is done - the one order in which kube-controller-manager's result is deterministic.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/klog/v2"

	"k8s.io/kubernetes/cmd/kube-controller-manager/names"
)

// errorSink receives what upstream reports through utilruntime.HandleError (a controller's
// failed work item): the text kube-controller-manager logs.
var errorSink struct {
	sync.Mutex
	errors []string
}

func init() {
	utilruntime.ErrorHandlers = []utilruntime.ErrorHandler{
		func(ctx context.Context, err error, msg string, keysAndValues ...interface{}) {
			if err == nil {
				return
			}
			errorSink.Lock()
			errorSink.errors = append(errorSink.errors, err.Error())
			errorSink.Unlock()
		},
	}
}

func takeErrors() []string {
	errorSink.Lock()
	defer errorSink.Unlock()
	out := errorSink.errors
	errorSink.errors = nil
	return out
}

type nodeEntry struct {
	name     string
	podCIDRs []string
	node     *v1.Node
}

// nodeEntries reads the filter's nodes: names, or Node objects (decoded as the apiserver stores
// them: spec.podCIDR alone fills spec.podCIDRs).
func nodeEntries(raw json.RawMessage) ([]nodeEntry, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, ownError{"nodes: " + err.Error()}
	}
	var out []nodeEntry
	for i, item := range items {
		var name string
		if err := json.Unmarshal(item, &name); err == nil {
			out = append(out, nodeEntry{name: name, node: &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}})
			continue
		}
		obj, err := decodeInternal(item, v1.SchemeGroupVersion.WithKind("Node"))
		if err != nil {
			return nil, ownError{fmt.Sprintf("nodes[%d]: %v", i, err)}
		}
		node := &v1.Node{}
		if err := encodeVersioned(obj, v1.SchemeGroupVersion, node); err != nil {
			return nil, err
		}
		out = append(out, nodeEntry{name: node.Name, podCIDRs: node.Spec.PodCIDRs, node: node})
	}
	return out, nil
}

// ipamFlags are the kube-controller-manager flags the filter's arguments stand for.
func ipamFlags(a map[string]json.RawMessage) ([]string, error) {
	args := []string{"--allocate-node-cidrs=true"}
	var clusterCIDRs interface{}
	if err := json.Unmarshal(a["cluster_cidrs"], &clusterCIDRs); err != nil {
		return nil, err
	}
	args = append(args, "--cluster-cidr="+flagValue(clusterCIDRs))
	if raw, ok := a["service_cidrs"]; ok {
		var services interface{}
		if err := json.Unmarshal(raw, &services); err != nil {
			return nil, err
		}
		if services != nil {
			args = append(args, "--service-cluster-ip-range="+flagValue(services))
		}
	}
	var masks interface{}
	if raw, ok := a["node_mask_sizes"]; ok {
		if err := json.Unmarshal(raw, &masks); err != nil {
			return nil, err
		}
	}
	switch m := masks.(type) {
	case nil:
	case float64:
		args = append(args, fmt.Sprintf("--node-cidr-mask-size=%v", m))
	case map[string]interface{}:
		for _, family := range []string{"IPv4", "IPv6"} {
			if v, ok := m[family]; ok {
				args = append(args, fmt.Sprintf("--node-cidr-mask-size-%s=%v", strings.ToLower(family), v))
			}
		}
	case []interface{}:
		// one mask per cluster CIDR: the per-family flags say the same for a dual-stack pair,
		// --node-cidr-mask-size for one CIDR.
		cidrs := strings.Split(flagValue(clusterCIDRs), ",")
		if len(m) != len(cidrs) {
			return nil, ownError{"node_mask_sizes: one mask per cluster CIDR"}
		}
		if len(m) == 1 {
			args = append(args, fmt.Sprintf("--node-cidr-mask-size=%v", m[0]))
		} else {
			for i, cidr := range cidrs {
				family := "ipv4"
				if strings.Contains(strings.SplitN(cidr, "/", 2)[0], ":") {
					family = "ipv6"
				}
				args = append(args, fmt.Sprintf("--node-cidr-mask-size-%s=%v", family, m[i]))
			}
		}
	default:
		return nil, ownError{fmt.Sprintf("node_mask_sizes: %T", masks)}
	}
	return args, nil
}

// caseNumber numbers the requests: each one's nodes carry its own name prefix (see nodePodCIDRs).
var caseNumber atomic.Uint64

// nodePodCIDRs answers for the nodes under their own names. In the fake API every node's name has a prefix of
// its request's own (the same for all, so their name order stays), taken out of the texts upstream reports: a
// controller of an earlier request, still finishing a work item after its context ended, may report a failure
// for a node of the same name (a node retried after "no remaining CIDRs"), and that text must not be taken for
// this request's. Nothing else upstream computes depends on the names but their order.
func nodePodCIDRs(a map[string]json.RawMessage) (interface{}, error) {
	prefix := fmt.Sprintf("oracle%d-", caseNumber.Add(1))
	value, err := nodePodCIDRsAs(a, prefix)
	switch e := err.(type) {
	case upstreamError:
		return nil, upstreamError{strings.ReplaceAll(e.text, prefix, "")}
	case ownError:
		return nil, ownError{strings.ReplaceAll(e.text, prefix, "")}
	case nil:
		return value, nil
	}
	return nil, errors.New(strings.ReplaceAll(err.Error(), prefix, ""))
}

func nodePodCIDRsAs(a map[string]json.RawMessage, prefix string) (interface{}, error) {
	entries, err := nodeEntries(a["nodes"])
	if err != nil {
		return nil, err
	}
	for i := range entries {
		entries[i].node = entries[i].node.DeepCopy()
		entries[i].node.Name = prefix + entries[i].name
	}
	args, err := ipamFlags(a)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var existing []runtime.Object
	for _, e := range entries {
		if seen[e.name] {
			return nil, ownError{fmt.Sprintf("node %q listed twice", e.name)}
		}
		seen[e.name] = true
		if len(e.podCIDRs) > 0 {
			existing = append(existing, e.node)
		}
	}
	client := fake.NewSimpleClientset(existing...)
	// The apiserver lists in key (name) order; the fake tracker in map order.
	client.PrependReactor("list", "nodes", func(action k8stesting.Action) (bool, runtime.Object, error) {
		obj, err := client.Tracker().List(v1.SchemeGroupVersion.WithResource("nodes"), v1.SchemeGroupVersion.WithKind("Node"), "")
		if err != nil {
			return true, nil, err
		}
		list := obj.(*v1.NodeList)
		sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
		return true, list, nil
	})
	watching := signalNodeWatch(client)
	takeErrors()
	errs, controller, err := buildIpamController(args, client)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, upstreamError{strings.Join(errs, "\n")}
	}
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background()))
	defer cancel()
	// Informers synced before the controller starts: its own wait then passes at once.
	controller.informers.Start(ctx.Done())
	nodes := controller.informers.Core().V1().Nodes().Informer()
	if err := waitSynced(nodes.HasSynced); err != nil {
		return nil, err
	}
	if err := waitWatching(watching); err != nil {
		return nil, err
	}
	close(controller.started)
	go controller.controller.Run(ctx)

	result := map[string]interface{}{}
	for _, e := range entries {
		if len(e.podCIDRs) > 0 {
			result[e.name] = e.podCIDRs
			continue
		}
		if _, err := client.CoreV1().Nodes().Create(ctx, e.node, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		cidrs, err := waitForPodCIDRs(ctx, client, e.node.Name)
		if err != nil {
			return nil, err
		}
		result[e.name] = cidrs
	}
	return orderedResult(entries, result), nil
}

// signalNodeWatch makes the fake clientset report when the node informer's watch is open: the channel closes
// once it is. The reactor does what the fake's own watch reactor does (the tracker's watch with the request's
// options), then signals.
//
// The nodes must register only once that watch is open: before client-go 1.36 the fake tracker has no
// resource versions, so its watch delivers only what happens after it opens, and a node created between the
// informer's list and its watch would never reach the controller (no podCIDRs and no error: the oracle timed
// out at 1.34 and 1.35). kube-controller-manager's informer resumes its watch from the list's resource version
// and misses nothing, so waiting changes no answer.
func signalNodeWatch(client *fake.Clientset) chan struct{} {
	watching := make(chan struct{})
	var once sync.Once
	client.PrependWatchReactor("nodes", func(action k8stesting.Action) (bool, watch.Interface, error) {
		var opts metav1.ListOptions
		if watchAction, ok := action.(k8stesting.WatchActionImpl); ok {
			opts = watchAction.ListOptions
		}
		w, err := client.Tracker().Watch(action.GetResource(), action.GetNamespace(), opts)
		if err != nil {
			return false, nil, err
		}
		once.Do(func() { close(watching) })
		return true, w, nil
	})
	return watching
}

func waitWatching(watching chan struct{}) error {
	select {
	case <-watching:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("the node informer opened no watch within 10s")
	}
}

// waitForPodCIDRs waits until the controller has patched the node, or has reported failing it.
func waitForPodCIDRs(ctx context.Context, client *fake.Clientset, name string) ([]string, error) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err == nil && len(node.Spec.PodCIDRs) > 0 {
			return node.Spec.PodCIDRs, nil
		}
		for _, text := range takeErrors() {
			if strings.Contains(text, "'"+name+"'") {
				return nil, upstreamError{text}
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return nil, fmt.Errorf("node %s: no podCIDRs and no error within 20s", name)
}

// orderedResult keeps the input order of the nodes (JSON objects keep key order on the Python side).
type orderedMap struct {
	keys   []string
	values map[string]interface{}
}

func (m orderedMap) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range m.keys {
		if i > 0 {
			b.WriteString(",")
		}
		key, _ := json.Marshal(k)
		value, err := json.Marshal(m.values[k])
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteString(":")
		b.Write(value)
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}

func orderedResult(entries []nodeEntry, values map[string]interface{}) orderedMap {
	m := orderedMap{values: values}
	for _, e := range entries {
		m.keys = append(m.keys, e.name)
	}
	return m
}

type ipamController struct {
	controller nodeIpamController
	informers  informers.SharedInformerFactory
	started    chan struct{}
}

// buildIpamController is buildNodeIpamController keeping what running the controller needs.
func buildIpamController(args []string, client *fake.Clientset) ([]string, *ipamController, error) {
	errs, controller, factory, started, err := buildNodeIpamControllerWith(args, client)
	if err != nil || len(errs) > 0 {
		return errs, nil, err
	}
	return nil, &ipamController{controller: controller, informers: factory, started: started}, nil
}

var _ = names.NodeIpamController
