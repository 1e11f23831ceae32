package main

import (
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"unsafe"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	netutils "k8s.io/utils/net"

	cpoptions "k8s.io/kubernetes/pkg/controlplane/apiserver/options"
	"k8s.io/kubernetes/pkg/registry/core/service/ipallocator"
)

// getField reads the (unexported) field name of the struct *obj points to.
func getField(obj interface{}, name string) interface{} {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !f.IsValid() {
		panic("no field " + name)
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
}

func band(first, last netip.Addr, size uint64) interface{} {
	if size == 0 {
		return nil
	}
	return map[string]interface{}{"first": first.String(), "last": last.String(), "size": size}
}

// serviceCIDRInfo: the CIDR parsed as kube-apiserver parses --service-cluster-ip-range
// (netutils.ParseCIDRSloppy); the IPAddress allocator's own first, last, size, KEP-3070 offset and
// offset address (ipallocator.NewIPAllocator; its bands are the ranges allocateNextService walks);
// the kubernetes Service address (controlplane options.ServiceIPRange); the legacy bitmap
// allocator's base and size (ipallocator.NewInMemory).
func serviceCIDRInfo(cidr string) (interface{}, error) {
	_, ipnet, err := netutils.ParseCIDRSloppy(cidr)
	if err != nil {
		return nil, ownError{err.Error()}
	}
	client := fake.NewSimpleClientset()
	factory := informers.NewSharedInformerFactory(client, 0)
	alloc, err := ipallocator.NewIPAllocator(ipnet, client.NetworkingV1(), factory.Networking().V1().IPAddresses())
	if err != nil {
		return nil, verdict(err)
	}
	first := getField(alloc, "firstAddress").(netip.Addr)
	last := getField(alloc, "lastAddress").(netip.Addr)
	offsetAddress := getField(alloc, "offsetAddress").(netip.Addr)
	offset := getField(alloc, "rangeOffset").(int)
	size := getField(alloc, "size").(uint64)
	family := "IPv4"
	if netutils.IsIPv6CIDR(ipnet) {
		family = "IPv6"
	}
	result := map[string]interface{}{
		"cidr":    ipnet.String(),
		"family":  family,
		"size":    size,
		"first":   nil,
		"last":    nil,
		"offset":  offset,
		"static":  nil,
		"dynamic": nil,
	}
	if size > 0 {
		result["first"], result["last"] = first.String(), last.String()
	}
	if offset > 0 {
		result["static"] = band(first, offsetAddress.Prev(), uint64(offset))
	}
	if size > uint64(offset) {
		result["dynamic"] = band(offsetAddress, last, size-uint64(offset))
	}
	if _, ip, err := cpoptions.ServiceIPRange(*ipnet); err == nil {
		result["kubernetes_service_ip"] = ip.String()
	} else {
		result["kubernetes_service_ip"] = nil
	}
	legacy, err := ipallocator.NewInMemory(ipnet)
	if err != nil {
		return nil, verdict(err)
	}
	base := getField(legacy, "base").(*big.Int)
	max := getField(legacy, "max").(int)
	result["legacy"] = map[string]interface{}{"first": nil, "last": nil, "size": max}
	if max > 0 {
		last := new(big.Int).Add(base, big.NewInt(int64(max-1)))
		result["legacy"] = map[string]interface{}{
			"first": netutils.AddIPOffset(base, 0).String(), "last": netutils.AddIPOffset(last, 0).String(), "size": max}
	}
	_ = net.IP{}
	return result, nil
}

// fieldPointer is a pointer to the (unexported) field name of the struct *obj points to.
func fieldPointer(obj interface{}, name string) interface{} {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !f.IsValid() {
		panic("no field " + name)
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Interface()
}

// reflectLen is len() of the (unexported) map, slice or string field name of *obj.
func reflectLen(obj interface{}, name string) int {
	return reflect.ValueOf(obj).Elem().FieldByName(name).Len()
}
