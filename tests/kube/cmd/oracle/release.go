package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/component-base/featuregate"

	// Registers the kube feature gates on the default feature gate.
	_ "k8s.io/kubernetes/pkg/features"
)

// release is the k8s.io/kubernetes version this program was built against (go.mod, or the
// -modfile of another release).
func release() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "k8s.io/kubernetes" {
				if dep.Replace != nil {
					return dep.Replace.Version
				}
				return dep.Version
			}
		}
	}
	return "unknown"
}

var (
	gateDefaultsOnce sync.Once
	gateDefaults     map[string]bool
	gateSnapshot     map[string]interface{}
)

// gateInternals are the default feature gate's stored states (what is enabled, and the raw
// values set from flags or maps, kept even when a set fails): the values put back after each
// request, so that no request sees another's settings.
var gateInternals = []string{"enabled", "enabledRaw"}

func snapshotGates() map[string]interface{} {
	snap := map[string]interface{}{}
	for _, name := range gateInternals {
		snap[name] = gateValue(name).Load()
	}
	return snap
}

func restoreGates(snap map[string]interface{}) {
	for _, name := range gateInternals {
		gateValue(name).Store(snap[name])
	}
}

func gateValue(name string) *atomic.Value {
	f := reflect.ValueOf(utilfeature.DefaultMutableFeatureGate).Elem().FieldByName(name)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Interface().(*atomic.Value)
}

// gateState is the value of every known gate now.
func gateState() map[string]bool {
	state := map[string]bool{}
	for name := range utilfeature.DefaultMutableFeatureGate.GetAll() {
		state[string(name)] = utilfeature.DefaultFeatureGate.Enabled(name)
	}
	return state
}

// setFeatureGates sets gates on the default feature gate for one request. The returned function
// puts every gate back to the value it had when the program started, whatever the request
// changed (a component's --feature-gates flag sets the same global gate).
func setFeatureGates(gates map[string]bool) (func(), error) {
	gateDefaultsOnce.Do(func() { gateDefaults, gateSnapshot = gateState(), snapshotGates() })
	restore := func() {
		restoreGates(gateSnapshot)
		now := gateState()
		changed := map[string]bool{}
		for name, value := range gateDefaults {
			if now[name] != value {
				changed[name] = value
			}
		}
		if len(changed) > 0 {
			if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(changed); err != nil {
				panic(fmt.Sprintf("cannot restore feature gates %v: %v", changed, err))
			}
		}
	}
	if len(gates) == 0 {
		return restore, nil
	}
	known := utilfeature.DefaultMutableFeatureGate.GetAll()
	var names []string
	for name := range gates {
		if _, ok := known[featuregate.Feature(name)]; !ok {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		sort.Strings(names)
		return restore, fmt.Errorf("feature_gates: unknown gates %v at %s", names, release())
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(gates); err != nil {
		restore()
		return restore, fmt.Errorf("feature_gates: %v", err)
	}
	return restore, nil
}

// printGates prints every feature gate of the default feature gate at this release, as JSON
// {gate: {"default": bool, "locked": bool}}: the judge of the collection's table of gate defaults
// (plugins/module_utils/releases.py).
func printGates() {
	gates := map[string]map[string]bool{}
	for name, spec := range utilfeature.DefaultMutableFeatureGate.GetAll() {
		gates[string(name)] = map[string]bool{"default": spec.Default, "locked": spec.LockToDefault}
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", " ")
	if err := out.Encode(gates); err != nil {
		panic(err)
	}
}
