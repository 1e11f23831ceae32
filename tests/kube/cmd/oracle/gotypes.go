package main

// `oracle --go-types` prints the Go types kube-apiserver decodes each builtin kind of validation_errors
// into (k8s.io/api, at the release built), as the JSON decoder sees them: for every struct its JSON
// fields (embedded structs flattened, with the Go name the decoder puts in an error's field path),
// and for every other type its kind, its name as an error prints it, and its element types. The
// collection's validation_errors reports decoding errors from this table
// (plugins/module_utils/_go_types.py is generated from it by tests/kube/gotypes.py).

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

var goTypeRoots = map[string]interface{}{
	"Pod": v1.Pod{}, "PodTemplate": v1.PodTemplate{}, "ReplicationController": v1.ReplicationController{},
	"Service": v1.Service{}, "Node": v1.Node{}, "Deployment": appsv1.Deployment{}, "StatefulSet": appsv1.StatefulSet{},
	"DaemonSet": appsv1.DaemonSet{}, "ReplicaSet": appsv1.ReplicaSet{}, "Job": batchv1.Job{}, "CronJob": batchv1.CronJob{},
	"ServiceCIDR": networkingv1.ServiceCIDR{},
}

var jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

type goTypeTable struct {
	Release string                            `json:"release"`
	Roots   map[string]string                 `json:"roots"`
	Types   map[string]map[string]interface{} `json:"types"`
}

func (t *goTypeTable) ref(typ reflect.Type) string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	name := typeKey(typ)
	if _, seen := t.Types[name]; seen {
		return name
	}
	entry := map[string]interface{}{"name": typ.String()}
	t.Types[name] = entry
	if reflect.PointerTo(typ).Implements(jsonUnmarshaler) {
		entry["kind"] = "custom"
		return name
	}
	switch typ.Kind() {
	case reflect.Struct:
		entry["kind"] = "struct"
		entry["struct"] = typ.Name()
		entry["fields"] = t.fields(typ, nil)
	case reflect.Slice, reflect.Array:
		entry["kind"] = "slice"
		if typ.Elem().Kind() == reflect.Uint8 {
			entry["kind"] = "bytes"
		} else {
			entry["elem"] = t.ref(typ.Elem())
		}
	case reflect.Map:
		entry["kind"] = "map"
		entry["elem"] = t.ref(typ.Elem())
	case reflect.String:
		entry["kind"] = "string"
	case reflect.Bool:
		entry["kind"] = "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		entry["kind"] = "int"
		entry["bits"] = typ.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		entry["kind"] = "uint"
		entry["bits"] = typ.Bits()
	case reflect.Float32, reflect.Float64:
		entry["kind"] = "float"
		entry["bits"] = typ.Bits()
	case reflect.Interface:
		entry["kind"] = "any"
	default:
		panic(fmt.Sprintf("no JSON decoding model for %s", typ))
	}
	return name
}

// typeKey names a type uniquely (typ.String() may not: v1 is core/v1, apps/v1, meta/v1...).
func typeKey(typ reflect.Type) string {
	if typ.Name() != "" {
		if typ.PkgPath() == "" {
			return typ.Name()
		}
		return typ.PkgPath() + "." + typ.Name()
	}
	switch typ.Kind() {
	case reflect.Slice:
		return "[]" + typeKey(typ.Elem())
	case reflect.Map:
		return "map[" + typeKey(typ.Key()) + "]" + typeKey(typ.Elem())
	case reflect.Pointer:
		return "*" + typeKey(typ.Elem())
	}
	return typ.String()
}

// fields are the JSON fields of a struct, as the decoder matches them: [json name, type, Go names
// of the embedded structs on the way].
func (t *goTypeTable) fields(typ reflect.Type, via []string) [][]interface{} {
	var out [][]interface{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(jsonUnmarshaler) {
			out = append(out, t.fields(ft, append(append([]string{}, via...), f.Name))...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, []interface{}{name, t.ref(f.Type), via})
	}
	return out
}

func printGoTypes() {
	table := &goTypeTable{Release: release(), Roots: map[string]string{}, Types: map[string]map[string]interface{}{}}
	var kinds []string
	for kind := range goTypeRoots {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		table.Roots[kind] = table.ref(reflect.TypeOf(goTypeRoots[kind]))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(table); err != nil {
		panic(err)
	}
}
