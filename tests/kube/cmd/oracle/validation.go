package main

// validation_errors: the object sent to kube-apiserver's create path in process - decoded by the
// apiserver's codec (a decode error as the create handler reports it, transformDecodeError),
// defaulted, then the kind's own REST storage (BeforeCreate: PrepareForCreate and the strategy's
// validation, declarative validation included). Services are created on a cluster with the test
// control plane's service CIDRs. Gateway and GKEIPRoute are CRDs: only the real apiserver
// (tests/differential, its dry-run tier) judges them.

import (
	"encoding/json"
	"fmt"
	_ "unsafe"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"k8s.io/kubernetes/pkg/api/legacyscheme"
)

//go:linkname transformDecodeError k8s.io/apiserver/pkg/endpoints/handlers.transformDecodeError
func transformDecodeError(typer runtime.ObjectTyper, baseErr error, into runtime.Object, gvk *schema.GroupVersionKind, body []byte) error

// The service CIDRs of the test control plane (tests/support/kube_cluster.py), whose dry runs
// judge the same objects.
var validationServiceCIDRs = []string{"10.96.0.0/16", "fd00:10:96::/112"}

// errorList is an apiserver refusal as the filter lists it: an Invalid status's causes, each
// "field: message"; any other status, its message alone.
func errorList(err error) []string {
	if list, ok := causes(err); ok {
		return list
	}
	return []string{statusText(err)}
}

func validationErrors(a map[string]json.RawMessage) (interface{}, error) {
	raw := a["resource"]
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, ownError{"resource: " + err.Error()}
	}
	if head.Kind == "Service" {
		cluster, err := newServiceCluster(validationServiceCIDRs, nil, true)
		if err != nil {
			return nil, err
		}
		defer cluster.close()
		return createForValidation(raw, serviceGVK, true, cluster.rest)
	}
	entry, ok := registries().byKind[head.Kind]
	if !ok {
		return nil, ownError{fmt.Sprintf("kind %q is not judged in process", head.Kind)}
	}
	return createForValidation(raw, entry.gvk, entry.namespaced, entry.rest)
}

func createForValidation(raw json.RawMessage, gvk schema.GroupVersionKind, namespaced bool, r creater) (interface{}, error) {
	obj, err := decodeInternal(raw, gvk)
	if err != nil {
		into, _ := legacyscheme.Scheme.New(schema.GroupVersionKind{Group: gvk.Group, Version: runtime.APIVersionInternal, Kind: gvk.Kind})
		return errorList(transformDecodeError(legacyscheme.Scheme, err, into, &gvk, raw)), nil
	}
	ns := ""
	if namespaced {
		ns = "default"
		if accessor, ok := obj.(interface{ GetNamespace() string }); ok && accessor.GetNamespace() != "" {
			ns = accessor.GetNamespace()
		}
	}
	if _, err := createIn(r, ns, gvk, obj); err != nil {
		if _, ok := err.(apierrors.APIStatus); !ok {
			return nil, err
		}
		return errorList(err), nil
	}
	return []string{}, nil
}
