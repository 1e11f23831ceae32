// oracle answers, from the upstream Kubernetes code pinned in go.mod, what each filter of the
// collection claims to reproduce. It is the judge of the differential test tier
// (tests/differential): nothing of upstream is copied here, the program only calls upstream
// functions (exported ones, or unexported ones through //go:linkname, see upstream.go) on the
// inputs the filters receive.
//
// Protocol: one JSON object per line on stdin,
//
//	{"filter": NAME, "args": [...], "kwargs": {...}}
//
// one JSON object per line on stdout, in the same order:
//
//	{"value": ...}            what the filter must return
//	{"error": "..."}          upstream refuses: its error text
//	{"fault": "..."}          the request itself is wrong (unknown filter, bad arguments, wrong
//	                          kubernetes_version, a panic): never a verdict on the filter
//
// The kwargs "kubernetes_version" (must equal the release this program was built at) and
// "feature_gates" (a map of gate to bool, set on the default feature gate for this request only)
// are accepted by every filter. Filters are listed, with the upstream functions that judge them,
// in filters.go.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"k8s.io/klog/v2"
)

type request struct {
	Filter string                     `json:"filter"`
	Args   []json.RawMessage          `json:"args"`
	Kwargs map[string]json.RawMessage `json:"kwargs"`
}

// upstreamError is an error upstream returns: its text is the verdict.
type upstreamError struct{ text string }

func (e upstreamError) Error() string { return e.text }

func verdict(err error) error {
	if err == nil {
		return nil
	}
	return upstreamError{err.Error()}
}

func main() {
	// Upstream logs (klog) go to stderr, never into the answers.
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "--version":
			fmt.Println(release())
			return
		case "--go-types":
			printGoTypes()
			return
		case "--gates":
			printGates()
			return
		case "--filters":
			for _, name := range filterNames() {
				fmt.Println(name)
			}
			return
		}
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			writeAnswer(out, answer(line))
			out.Flush()
		}
		if err != nil {
			return
		}
	}
}

func writeAnswer(out io.Writer, v map[string]interface{}) {
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(map[string]interface{}{"fault": "cannot encode the answer: " + err.Error()})
	}
	out.Write(data)
	out.Write([]byte("\n"))
}

func answer(line []byte) (result map[string]interface{}) {
	defer func() {
		if r := recover(); r != nil {
			result = map[string]interface{}{"fault": fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return map[string]interface{}{"fault": "bad request line: " + err.Error()}
	}
	value, err := call(req)
	switch e := err.(type) {
	case nil:
		return map[string]interface{}{"value": value}
	case upstreamError:
		return map[string]interface{}{"error": e.text}
	case ownError:
		return map[string]interface{}{"error": e.text, "own": true}
	case alternativesError:
		return map[string]interface{}{"error": e.texts[0], "alternatives": e.texts}
	default:
		return map[string]interface{}{"fault": err.Error()}
	}
}

func call(req request) (interface{}, error) {
	f, ok := filters[req.Filter]
	if !ok {
		return nil, fmt.Errorf("unknown filter %q; known: %s", req.Filter, strings.Join(filterNames(), ", "))
	}
	kwargs := map[string]json.RawMessage{}
	for k, v := range req.Kwargs {
		kwargs[k] = v
	}
	if raw, ok := kwargs["kubernetes_version"]; ok {
		delete(kwargs, "kubernetes_version")
		var want *string
		if err := json.Unmarshal(raw, &want); err != nil {
			return nil, fmt.Errorf("kubernetes_version: %v", err)
		}
		if want != nil && strings.TrimPrefix(*want, "v") != strings.TrimPrefix(release(), "v") {
			return nil, fmt.Errorf("kubernetes_version %s: this oracle was built at %s", *want, release())
		}
	}
	var gates map[string]bool
	if raw, ok := kwargs["feature_gates"]; ok {
		delete(kwargs, "feature_gates")
		if err := json.Unmarshal(raw, &gates); err != nil {
			return nil, fmt.Errorf("feature_gates: %v", err)
		}
	}
	restore, err := setFeatureGates(gates)
	if err != nil {
		return nil, err
	}
	defer restore()
	args, err := bind(f, req.Args, kwargs)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", req.Filter, err)
	}
	return f.run(args)
}

// bind matches positional and keyword arguments to the filter's parameters, as Python does.
func bind(f filter, args []json.RawMessage, kwargs map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	bound := map[string]json.RawMessage{}
	if len(args) > len(f.params) {
		return nil, fmt.Errorf("takes at most %d positional arguments, got %d", len(f.params), len(args))
	}
	for i, raw := range args {
		bound[f.params[i]] = raw
	}
	for k, v := range kwargs {
		known := false
		for _, p := range f.params {
			known = known || p == k
		}
		if !known {
			return nil, fmt.Errorf("unexpected keyword argument %q", k)
		}
		if _, dup := bound[k]; dup {
			return nil, fmt.Errorf("got multiple values for argument %q", k)
		}
		bound[k] = v
	}
	for i := 0; i < f.required; i++ {
		if _, ok := bound[f.params[i]]; !ok {
			return nil, fmt.Errorf("missing required argument %q", f.params[i])
		}
	}
	return bound, nil
}
