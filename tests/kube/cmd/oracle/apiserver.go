package main

// The apiserver's create and update paths, in process: JSON decoded with the apiserver's own codec
// (defaulting, conversion to the internal version), then the resource's own registry (REST store:
// its BeginCreate/BeginUpdate hooks, strategy, validation) over storage kept in memory. The storage
// is this program's (memStore); everything above it is upstream's.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"

	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
)

// memStore is a storage.Interface kept in a map: enough for the registry's create, get and
// update paths. It is this program's own, not upstream's.
type memStore struct {
	mu      sync.Mutex
	rv      uint64
	objects map[string]runtime.Object
}

func newMemStore() *memStore { return &memStore{objects: map[string]runtime.Object{}} }

var versioner = storage.APIObjectVersioner{}

func copyInto(dst, src runtime.Object) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src.DeepCopyObject()).Elem())
}

func (m *memStore) Versioner() storage.Versioner { return versioner }

func (m *memStore) Create(ctx context.Context, key string, obj, out runtime.Object, ttl uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[key]; ok {
		return storage.NewKeyExistsError(key, 0)
	}
	if err := versioner.PrepareObjectForStorage(obj); err != nil {
		return err
	}
	m.rv++
	stored := obj.DeepCopyObject()
	if err := versioner.UpdateObject(stored, m.rv); err != nil {
		return err
	}
	m.objects[key] = stored
	if out != nil {
		copyInto(out, stored)
	}
	return nil
}

func (m *memStore) Delete(ctx context.Context, key string, out runtime.Object, preconditions *storage.Preconditions,
	validateDeletion storage.ValidateObjectFunc, cachedExistingObject runtime.Object, opts storage.DeleteOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	current, ok := m.objects[key]
	if !ok {
		return storage.NewKeyNotFoundError(key, 0)
	}
	if preconditions != nil {
		if err := preconditions.Check(key, current); err != nil {
			return err
		}
	}
	if err := validateDeletion(ctx, current); err != nil {
		return err
	}
	delete(m.objects, key)
	copyInto(out, current)
	return nil
}

func (m *memStore) Watch(ctx context.Context, key string, opts storage.ListOptions) (watch.Interface, error) {
	return nil, fmt.Errorf("memStore: watch is not supported")
}

func (m *memStore) Get(ctx context.Context, key string, opts storage.GetOptions, objPtr runtime.Object) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	current, ok := m.objects[key]
	if !ok {
		if opts.IgnoreNotFound {
			return runtime.SetZeroValue(objPtr)
		}
		return storage.NewKeyNotFoundError(key, 0)
	}
	copyInto(objPtr, current)
	return nil
}

func (m *memStore) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	return fmt.Errorf("memStore: list is not supported")
}

func (m *memStore) GuaranteedUpdate(ctx context.Context, key string, destination runtime.Object, ignoreNotFound bool,
	preconditions *storage.Preconditions, tryUpdate storage.UpdateFunc, cachedExistingObject runtime.Object) error {
	m.mu.Lock()
	current, ok := m.objects[key]
	rv := m.rv
	m.mu.Unlock()
	input := destination.DeepCopyObject()
	if ok {
		copyInto(input, current)
	} else {
		if !ignoreNotFound {
			return storage.NewKeyNotFoundError(key, 0)
		}
		if err := runtime.SetZeroValue(input); err != nil {
			return err
		}
	}
	if preconditions != nil {
		if err := preconditions.Check(key, input); err != nil {
			return err
		}
	}
	output, _, err := tryUpdate(input, storage.ResponseMeta{ResourceVersion: rv})
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rv++
	stored := output.DeepCopyObject()
	if err := versioner.UpdateObject(stored, m.rv); err != nil {
		return err
	}
	m.objects[key] = stored
	copyInto(destination, stored)
	return nil
}

func (m *memStore) Stats(ctx context.Context) (storage.Stats, error)              { return storage.Stats{}, nil }
func (m *memStore) ReadinessCheck() error                                         { return nil }
func (m *memStore) RequestWatchProgress(ctx context.Context) error                { return nil }
func (m *memStore) GetCurrentResourceVersion(ctx context.Context) (uint64, error) { return m.rv, nil }
func (m *memStore) EnableResourceSizeEstimation(storage.KeysFunc) error           { return nil }
func (m *memStore) CompactRevision() int64                                        { return 0 }

// memOptions is a generic.RESTOptionsGetter whose every resource is kept in one memStore.
type memOptions struct{ store *memStore }

func (o memOptions) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	return generic.RESTOptions{
		StorageConfig: &storagebackend.ConfigForResource{
			Config:        storagebackend.Config{Codec: legacyscheme.Codecs.LegacyCodec(legacyscheme.Scheme.PrioritizedVersionsAllGroups()...)},
			GroupResource: resource,
		},
		Decorator: func(config *storagebackend.ConfigForResource, resourcePrefix string,
			cacheKeyFunc func(obj runtime.Object) (string, error), newFunc func() runtime.Object,
			newListFunc func() runtime.Object, getAttrsFunc storage.AttrFunc, trigger storage.IndexerFuncs,
			indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
			return o.store, func() {}, nil
		},
		ResourcePrefix:          resource.Group + "/" + resource.Resource,
		DeleteCollectionWorkers: 1,
	}, nil
}

// requestContext is the context of a request (verb create or update) to the resource of gvk in
// namespace ns ("" for cluster-scoped resources), as the apiserver's handler chain builds it:
// declarative validation reads the request's group and version from it.
func requestContext(verb, ns string, gvk schema.GroupVersionKind) context.Context {
	ctx := genericapirequest.WithNamespace(genericapirequest.NewContext(), ns)
	return genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: verb, APIGroup: gvk.Group, APIVersion: gvk.Version, Namespace: ns,
		Resource: resourceOf(gvk.Kind)})
}

// resourceOf is the plural resource name of a kind the filters take.
func resourceOf(kind string) string {
	switch kind {
	case "":
		return ""
	case "ServiceCIDR":
		return "servicecidrs"
	}
	return strings.ToLower(kind) + "s"
}

// decodeInternal decodes a JSON object as the apiserver decodes a request body of version gv:
// the versioned type, defaulted, converted to the internal version. Missing apiVersion and kind
// are taken from gvk.
func decodeInternal(raw json.RawMessage, gvk schema.GroupVersionKind) (runtime.Object, error) {
	data, err := withTypeMeta(raw, gvk)
	if err != nil {
		return nil, err
	}
	internal := gvk.GroupVersion().WithKind(gvk.Kind)
	internal.Version = runtime.APIVersionInternal
	decoder := legacyscheme.Codecs.DecoderToVersion(legacyscheme.Codecs.UniversalDeserializer(), internal.GroupVersion())
	obj, _, err := decoder.Decode(data, &gvk, nil)
	return obj, err
}

// withTypeMeta is the object's JSON text with apiVersion and kind added where missing, in front,
// the rest byte for byte as given (the decoder reports the first error in document order).
func withTypeMeta(raw json.RawMessage, gvk schema.GroupVersionKind) ([]byte, error) {
	var head map[string]json.RawMessage
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	var prefix []string
	if _, ok := head["apiVersion"]; !ok {
		v, _ := json.Marshal(gvk.GroupVersion().String())
		prefix = append(prefix, `"apiVersion":`+string(v))
	}
	if _, ok := head["kind"]; !ok {
		v, _ := json.Marshal(gvk.Kind)
		prefix = append(prefix, `"kind":`+string(v))
	}
	text := strings.TrimSpace(string(raw))
	if len(prefix) == 0 || !strings.HasPrefix(text, "{") {
		return []byte(text), nil
	}
	rest := strings.TrimSpace(text[1:])
	if rest != "}" {
		prefix = append(prefix, "")
	}
	return []byte("{" + strings.Join(prefix, ",") + rest), nil
}

// encodeVersioned is the object as the apiserver serves it at gv (what a client such as the
// kubelet reads), decoded again into out.
func encodeVersioned(obj runtime.Object, gv schema.GroupVersion, out runtime.Object) error {
	data, err := runtime.Encode(legacyscheme.Codecs.LegacyCodec(gv), obj)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// creater is a REST storage that creates.
type creater interface {
	Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error)
}

// updater is a REST storage (or subresource) that updates.
type updater interface {
	Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc,
		updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error)
}

// createIn runs the registry's create path for obj (a gvk manifest) in namespace ns; the object
// as stored.
func createIn(r creater, ns string, gvk schema.GroupVersionKind, obj runtime.Object) (runtime.Object, error) {
	if accessor, err := meta.Accessor(obj); err == nil && ns != "" && accessor.GetNamespace() == "" {
		accessor.SetNamespace(ns)
	}
	return r.Create(requestContext("create", ns, gvk), obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
}

// statusText is the text of an apiserver error the way a client shows it: for an Invalid
// status, its causes one by one as "field: message" would be lost, so the whole message is used.
func statusText(err error) string {
	if status, ok := err.(apierrors.APIStatus); ok {
		return status.Status().Message
	}
	return err.Error()
}

// causes are the field errors of an Invalid status, each as "field: body".
func causes(err error) ([]string, bool) {
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Reason != metav1.StatusReasonInvalid || status.Status().Details == nil {
		return nil, false
	}
	var out []string
	for _, c := range status.Status().Details.Causes {
		if c.Field != "" {
			out = append(out, c.Field+": "+c.Message)
		} else {
			out = append(out, c.Message)
		}
	}
	return out, true
}

func itoa(i int) string { return strconv.Itoa(i) }
