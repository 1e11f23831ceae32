package main

// service_ip_plan: kube-apiserver's Service REST storage (servicestore.NewREST: beginCreate /
// beginUpdate, the Service strategy, ValidateServiceCreate / ValidateServiceUpdate) with the
// ClusterIP allocators kube-apiserver uses since 1.34 - one ipallocator.MetaAllocator per family
// over ServiceCIDR and IPAddress objects (here in a fake API: the cluster's service CIDRs, and
// one IPAddress per address already taken).

import (
	"context"
	"encoding/json"
	"fmt"
	mathrand "math/rand"
	"net"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/util/compatibility"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	netutils "k8s.io/utils/net"

	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/registry/core/service/ipallocator"
	"k8s.io/kubernetes/pkg/registry/core/service/portallocator"
	servicestore "k8s.io/kubernetes/pkg/registry/core/service/storage"
)

var serviceGVK = v1.SchemeGroupVersion.WithKind("Service")

// serviceCluster is one cluster's Service IP machinery, for one request.
type serviceCluster struct {
	client     *fake.Clientset
	rest       *servicestore.REST
	allocators []*ipallocator.MetaAllocator
	stop       chan struct{}
	mu         sync.Mutex
	picked     []string // addresses the allocators picked (allocateFromRange), in order
}

func (c *serviceCluster) close() {
	for _, a := range c.allocators {
		a.Destroy()
	}
	close(c.stop)
}

func (c *serviceCluster) takePicked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.picked
	c.picked = nil
	return out
}

// stackHas reports whether a function whose name ends in suffix is on the calling stack.
func stackHas(suffix string) bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		frame, more := frames.Next()
		if strings.HasSuffix(frame.Function, suffix) {
			return true
		}
		if !more {
			return false
		}
	}
}

// newServiceCluster configures the cluster as kube-apiserver --service-cluster-ip-range does:
// the flag's own checks (the kube-apiserver component checks), then its default ServiceCIDR.
func newServiceCluster(cidrs []string, allocated []string, lowest bool) (*serviceCluster, error) {
	compatibility.DefaultComponentGlobalsRegistry.Reset()
	flagErrs, err := kubeAPIServerFlagErrors([]string{"--service-cluster-ip-range=" + strings.Join(cidrs, ",")})
	if err != nil {
		return nil, err
	}
	if errs := flagErrs.([]string); len(errs) > 0 {
		return nil, ownError{"kube-apiserver refuses --service-cluster-ip-range=" + strings.Join(cidrs, ",") + ": " + strings.Join(errs, "; ")}
	}
	var nets []*net.IPNet
	var specCIDRs []string
	for _, text := range cidrs {
		_, ipnet, err := netutils.ParseCIDRSloppy(text)
		if err != nil {
			return nil, ownError{err.Error()}
		}
		// the IPAddress allocator's own limit (NewIPAllocator), which kube-apiserver hits at start
		if _, err := ipallocator.NewIPAllocator(ipnet, fake.NewSimpleClientset().NetworkingV1(),
			informers.NewSharedInformerFactory(fake.NewSimpleClientset(), 0).Networking().V1().IPAddresses()); err != nil {
			return nil, ownError{err.Error()}
		}
		nets = append(nets, ipnet)
		specCIDRs = append(specCIDRs, ipnet.String())
	}
	objects := []k8sruntime.Object{&networkingv1.ServiceCIDR{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes"},
		Spec:       networkingv1.ServiceCIDRSpec{CIDRs: specCIDRs},
	}}
	seen := map[string]bool{}
	for i, text := range allocated {
		if text == "" || text == "None" {
			continue
		}
		ip := netutils.ParseIPSloppy(text)
		if ip == nil {
			return nil, ownError{fmt.Sprintf("allocated[%d]: %q is not an IP", i, text)}
		}
		name := ip.String()
		if seen[name] {
			continue
		}
		seen[name] = true
		family := "IPv4"
		if ip.To4() == nil {
			family = "IPv6"
		}
		objects = append(objects, &networkingv1.IPAddress{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
				networkingv1.LabelIPAddressFamily: family, networkingv1.LabelManagedBy: ipallocator.ControllerName}},
			Spec: networkingv1.IPAddressSpec{ParentRef: &networkingv1.ParentReference{
				Resource: "services", Namespace: "elsewhere", Name: fmt.Sprintf("taken-%d", i)}},
		})
	}
	c := &serviceCluster{client: fake.NewSimpleClientset(objects...), stop: make(chan struct{})}
	c.client.PrependReactor("create", "ipaddresses", func(action k8stesting.Action) (bool, k8sruntime.Object, error) {
		if stackHas("ipallocator.(*Allocator).allocateFromRange") {
			c.mu.Lock()
			c.picked = append(c.picked, action.(k8stesting.CreateAction).GetObject().(*networkingv1.IPAddress).Name)
			c.mu.Unlock()
		}
		return false, nil, nil
	})
	factory := informers.NewSharedInformerFactory(c.client, 0)
	// Informers started and synced before the allocators start (their own wait then passes at once).
	cidrInformer, addressInformer := factory.Networking().V1().ServiceCIDRs(), factory.Networking().V1().IPAddresses()
	cidrInformer.Informer()
	addressInformer.Informer()
	factory.Start(c.stop)
	if err := waitSynced(cidrInformer.Informer().HasSynced, addressInformer.Informer().HasSynced); err != nil {
		close(c.stop)
		return nil, err
	}
	ipAllocs := map[api.IPFamily]ipallocator.Interface{}
	var families []api.IPFamily
	for _, ipnet := range nets {
		isIPv6 := netutils.IsIPv6CIDR(ipnet)
		meta, err := ipallocator.NewMetaAllocator(c.client.NetworkingV1(), cidrInformer, addressInformer, isIPv6, nil)
		if err != nil {
			c.close()
			return nil, err
		}
		family := api.IPv4Protocol
		if isIPv6 {
			family = api.IPv6Protocol
		}
		ipAllocs[family] = meta
		families = append(families, family)
		c.allocators = append(c.allocators, meta)
	}
	for _, meta := range c.allocators {
		if err := waitForAllocators(meta, 1); err != nil {
			c.close()
			return nil, err
		}
		if lowest {
			zeroRandom(meta)
		}
	}
	ports, err := portallocator.NewInMemory(utilnet.PortRange{Base: 30000, Size: 2768})
	if err != nil {
		c.close()
		return nil, err
	}
	c.rest, _, _, err = servicestore.NewREST(memOptions{newMemStore()}, families[0], ipAllocs, ports, nil, nil, nil)
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// waitSynced polls informers until they have synced (client-go's own wait polls every 100 ms).
func waitSynced(synced ...func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		all := true
		for _, f := range synced {
			all = all && f()
		}
		if all {
			return nil
		}
		time.Sleep(50 * time.Microsecond)
	}
	return fmt.Errorf("informers did not sync within 10s")
}

// waitForAllocators waits until the MetaAllocator has built n CIDR allocators from the
// ServiceCIDR (its own controller loop does it once its informers have synced).
func waitForAllocators(meta *ipallocator.MetaAllocator, n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mu := fieldPointer(meta, "mu").(*sync.Mutex)
		mu.Lock()
		count := reflectLen(meta, "allocators")
		mu.Unlock()
		if count >= n {
			return nil
		}
		time.Sleep(100 * time.Microsecond)
	}
	return fmt.Errorf("the ClusterIP allocator did not become ready")
}

// zeroSource is a random source whose every draw is 0.
type zeroSource struct{}

func (zeroSource) Int63() int64    { return 0 }
func (zeroSource) Seed(seed int64) {}

// zeroRandom gives each ClusterIP allocator of meta a random source that always draws 0: a dynamic
// pick then starts at offset 0 of the dynamic band, which makes it the band's lowest free address,
// and a fallback pick the static band's lowest free address - one of the picks upstream makes
// (each offset is drawn uniformly), and the one the filter documents.
func zeroRandom(meta *ipallocator.MetaAllocator) {
	mu := fieldPointer(meta, "mu").(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	items := reflect.ValueOf(meta).Elem().FieldByName("allocators")
	iter := items.MapRange()
	for iter.Next() {
		item := iter.Value().Elem()
		f := item.FieldByName("allocator")
		alloc := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*ipallocator.Allocator)
		setField(alloc, "rand", mathrand.New(zeroSource{}))
	}
}

// servicePlan is what the filter returns for one Service: its IP fields as stored.
func servicePlan(obj k8sruntime.Object, released []string, picked []string) (map[string]interface{}, error) {
	svc := &v1.Service{}
	if err := encodeVersioned(obj, v1.SchemeGroupVersion, svc); err != nil {
		return nil, err
	}
	var policy interface{}
	if svc.Spec.IPFamilyPolicy != nil {
		policy = string(*svc.Spec.IPFamilyPolicy)
	}
	families := []string{}
	for _, f := range svc.Spec.IPFamilies {
		families = append(families, string(f))
	}
	ips := []string{}
	ips = append(ips, svc.Spec.ClusterIPs...)
	if released == nil {
		released = []string{}
	}
	if picked == nil {
		picked = []string{}
	}
	return map[string]interface{}{
		"ipFamilyPolicy": policy, "ipFamilies": families, "clusterIP": svc.Spec.ClusterIP, "clusterIPs": ips,
		"released": released, "picked": picked,
	}, nil
}

func stringList(raw json.RawMessage, what string) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		return strings.Split(text, ","), nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var loose []*string
		if err2 := json.Unmarshal(raw, &loose); err2 != nil {
			return nil, ownError{what + ": " + err.Error()}
		}
		for _, s := range loose {
			if s != nil {
				list = append(list, *s)
			}
		}
	}
	return list, nil
}

// serviceIPPlan runs the plan; when allocation fails it runs it again: allocIPs visits the families
// in Go map order, so with two failing families either error may be reported (a requested IP already
// allocated, "failed to allocate IP", or a full range, "failed to allocate a serviceIP"). Every
// distinct error of 16 runs is an alternative.
func serviceIPPlan(a map[string]json.RawMessage) (interface{}, error) {
	value, err := serviceIPPlanOnce(a)
	if e, ok := err.(upstreamError); !ok || !strings.Contains(e.text, "failed to allocate") {
		return value, err
	}
	texts := []string{err.(upstreamError).text}
	for i := 0; i < 15; i++ {
		_, again := serviceIPPlanOnce(a)
		if e, ok := again.(upstreamError); ok && !slices.Contains(texts, e.text) {
			texts = append(texts, e.text)
		}
	}
	if len(texts) == 1 {
		return nil, err
	}
	return nil, alternativesError{texts}
}

func serviceIPPlanOnce(a map[string]json.RawMessage) (interface{}, error) {
	cidrs, err := stringList(a["service_cidrs"], "service_cidrs")
	if err != nil {
		return nil, err
	}
	allocated, err := stringList(a["allocated"], "allocated")
	if err != nil {
		return nil, err
	}
	var oldRaw json.RawMessage
	if raw, ok := a["old"]; ok && string(raw) != "null" {
		oldRaw = raw
	}
	var old *api.Service
	if oldRaw != nil {
		obj, err := decodeInternal(oldRaw, serviceGVK)
		if err != nil {
			return nil, ownError{"old: " + err.Error()}
		}
		old = obj.(*api.Service)
		allocated = append(allocated, old.Spec.ClusterIPs...)
		if len(old.Spec.ClusterIPs) == 0 && old.Spec.ClusterIP != "" {
			allocated = append(allocated, old.Spec.ClusterIP)
		}
	}
	picks := "lowest"
	if err := optionalArg(a, "picks", &picks); err != nil {
		return nil, err
	}
	if picks != "lowest" && picks != "random" {
		return nil, fmt.Errorf("picks: %q is neither lowest nor random", picks)
	}
	cluster, err := newServiceCluster(cidrs, allocated, picks == "lowest")
	if err != nil {
		return nil, err
	}
	defer cluster.close()

	var list []json.RawMessage
	if err := json.Unmarshal(a["service"], &list); err == nil {
		if old != nil {
			return nil, ownError{"old goes with one Service"}
		}
		plans := []interface{}{}
		for i, raw := range list {
			plan, err := cluster.create(raw)
			if err != nil {
				if e, ok := err.(upstreamError); ok {
					return nil, upstreamError{fmt.Sprintf("service[%d]: %s", i, e.text)}
				}
				return nil, err
			}
			plans = append(plans, plan)
		}
		return plans, nil
	}
	if old != nil {
		return cluster.update(a["service"], old)
	}
	return cluster.create(a["service"])
}

func (c *serviceCluster) create(raw json.RawMessage) (interface{}, error) {
	obj, err := decodeInternal(raw, serviceGVK)
	if err != nil {
		return nil, ownError{"the apiserver cannot decode the service: " + err.Error()}
	}
	svc := obj.(*api.Service)
	ns := svc.Namespace
	if ns == "" {
		ns = "default"
	}
	c.takePicked()
	stored, err := guarded(func() (k8sruntime.Object, error) { return createIn(c.rest, ns, serviceGVK, svc) })
	if err != nil {
		if _, ok := err.(ownError); ok {
			return nil, err
		}
		return nil, upstreamError{statusText(err)}
	}
	return servicePlan(stored, nil, c.takePicked())
}

// update stores old as the cluster holds it, then runs the REST update of the new object over it.
func (c *serviceCluster) update(raw json.RawMessage, old *api.Service) (interface{}, error) {
	obj, err := decodeInternal(raw, serviceGVK)
	if err != nil {
		return nil, ownError{"the apiserver cannot decode the service: " + err.Error()}
	}
	svc := obj.(*api.Service)
	ns := svc.Namespace
	if ns == "" {
		ns = "default"
	}
	old.Namespace = ns
	if old.Name != svc.Name {
		return nil, ownError{"old and the service have different names"}
	}
	ctx := requestContext("update", ns, serviceGVK)
	key, err := c.rest.KeyFunc(ctx, old.Name)
	if err != nil {
		return nil, err
	}
	if err := c.rest.Storage.Storage.Create(ctx, key, old, nil, 0); err != nil {
		return nil, err
	}
	before := c.addresses()
	c.takePicked()
	svc.Namespace = ns
	stored, err := guarded(func() (k8sruntime.Object, error) {
		out, _, err := c.rest.Update(ctx, svc.Name, rest.DefaultUpdatedObjectInfo(svc), rest.ValidateAllObjectFunc,
			rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
		return out, err
	})
	if err != nil {
		if _, ok := err.(ownError); ok {
			return nil, err
		}
		return nil, upstreamError{statusText(err)}
	}
	picked := c.takePicked()
	after := c.addresses()
	var released []string
	for _, ip := range old.Spec.ClusterIPs {
		parsed := netutils.ParseIPSloppy(ip)
		if parsed != nil && before[parsed.String()] && !after[parsed.String()] {
			released = append(released, ip)
		}
	}
	return servicePlan(stored, released, picked)
}

// guarded runs a request to the Service storage; a panic in it (kube-apiserver answers such a
// request with no response at all) is upstream's failure, with no text of its own.
func guarded(request func() (k8sruntime.Object, error)) (obj k8sruntime.Object, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, ownError{fmt.Sprintf("kube-apiserver panics: %v", r)}
		}
	}()
	return request()
}

// addresses are the IPAddress objects of the cluster now.
func (c *serviceCluster) addresses() map[string]bool {
	list, err := c.client.NetworkingV1().IPAddresses().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		panic(err)
	}
	out := map[string]bool{}
	for _, a := range list.Items {
		out[a.Name] = true
	}
	return out
}

var _ = schema.GroupVersionKind{}
