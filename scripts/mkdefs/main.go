// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command mkdefs writes the runtime's copies of the ABI definitions
// that sys/ states: the runtime may import nothing outside the standard
// library's bottom layers, so it cannot use mirago.dev/sys, but it must
// not hold a second, hand-written definition either. mkdefs renders
// the sys/ structures and constants the runtime needs as Go source,
// the way cgo -godefs makes the runtime's defs_GOOS_GOARCH.go files:
//
//	go run ./scripts/mkdefs                 # rewrite the files
//	go run ./scripts/mkdefs -check          # fail if one is out of date
//
// Packages of sys/ that import nothing, such as the device tree
// reader, are copied whole into the standard library's
// internal/runtime (copies), where the runtime can import them.
//
// Its test runs -check, so make test catches a sys/ change that was not
// carried into the runtime.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"unicode"

	"mirago.dev/sys/pvh"
	"mirago.dev/sys/xen"
)

// A file is one generated runtime file.
type file struct {
	path    string // from the repository root
	build   string // a //go:build line's expression, if the name does not say it all
	sources []string
	types   []typeDef
	consts  []constDef
}

// A typeDef renders the Go type of its value as a runtime struct.
type typeDef struct {
	name string // the runtime's name
	of   any    // a value of the sys/ type
	doc  string
}

// A constDef is a runtime constant with a sys/ value.
type constDef struct {
	name  string
	value any
	doc   string
}

var files = []file{{
	path:    "src/runtime/defs_pvh_xen_amd64.go",
	sources: []string{"mirago.dev/sys/pvh"},
	types: []typeDef{
		{"hvmStartInfo", pvh.StartInfo{}, "struct hvm_start_info, version 1"},
		{"hvmModlistEntry", pvh.ModlistEntry{}, "struct hvm_modlist_entry"},
		{"hvmMemmapEntry", pvh.MemmapEntry{}, "struct hvm_memmap_table_entry"},
	},
	consts: []constDef{
		{"pvhStartMagic", pvh.StartMagic, "hvm_start_info.magic"},
		{"hvmMemmapTypeRAM", uint32(pvh.MemmapRAM), "memory map entry types"},
		{"hvmMemmapTypeACPI", uint32(pvh.MemmapACPI), ""},
		{"hvmMemmapTypeNVS", uint32(pvh.MemmapNVS), ""},
	},
}, {
	path:    "src/runtime/defs_xen_xen.go",
	sources: []string{"mirago.dev/sys/xen"},
	types: []typeDef{
		{"xenConsoleRing", xen.XenconsInterface{}, "struct xencons_interface"},
		{"xenHVMParam", xen.HVMParam{}, "struct xen_hvm_param"},
		{"xenAddToPhysmap", xen.AddToPhysmap{}, "struct xen_add_to_physmap"},
	},
	consts: []constDef{
		{"xenPageShift", xen.PageShift, "hypercalls and their operations"},
		{"xenHypercallMemoryOp", xen.HypercallMemoryOp, ""},
		{"xenHypercallSchedOp", xen.HypercallSchedOp, ""},
		{"xenHypercallEventChannelOp", xen.HypercallEventChannelOp, ""},
		{"xenHypercallHVMOp", xen.HypercallHVMOp, ""},
		{"xenMemAddToPhysmap", xen.XenmemAddToPhysmap, ""},
		{"xenMapSpaceSharedInfo", xen.XenmapspaceSharedInfo, ""},
		{"xenDomIDSelf", xen.DomidSelf, ""},
		{"xenSchedOpYield", xen.SchedOpYield, ""},
		{"xenSchedOpShutdown", xen.SchedOpShutdown, ""},
		{"xenShutdownPoweroff", xen.ShutdownPoweroff, ""},
		{"xenShutdownCrash", xen.ShutdownCrash, ""},
		{"xenEvtchnOpSend", xen.EvtchnOpSend, ""},
		{"xenEvtchnOpUnmask", xen.EvtchnOpUnmask, ""},
		{"xenEvtchn2LNrChannels", xen.Evtchn2LNrChannels, ""},
		{"xenHVMOpSetParam", xen.HVMOpSetParam, ""},
		{"xenHVMOpGetParam", xen.HVMOpGetParam, ""},
		{"xenHVMParamConsolePFN", xen.HVMParamConsolePFN, ""},
		{"xenHVMParamConsoleEvtchn", xen.HVMParamConsoleEvtchn, ""},
		{"xenHVMParamStorePFN", xen.HVMParamStorePFN, ""},
		{"xenHypercallVCPUOp", xen.HypercallVCPUOp, ""},
		{"xenVCPUOpIsUp", xen.VCPUOpIsUp, ""},
	},
}, {
	path:    "src/runtime/defs_xenpvh_xen_amd64.go",
	sources: []string{"mirago.dev/sys/xen"},
	types: []typeDef{
		{"xenSharedInfo", xen.SharedInfo{}, "struct shared_info"},
		{"xenVCPUInfo", xen.VCPUInfo{}, "struct vcpu_info"},
		{"xenVCPUTimeInfo", xen.VCPUTimeInfo{}, "struct vcpu_time_info"},
		{"xenArchSharedInfo", xen.ArchSharedInfo{}, "struct arch_shared_info"},
		{"xenHVMEvtchnUpcallVector", xen.HVMEvtchnUpcallVector{}, "struct xen_hvm_evtchn_upcall_vector"},
		{"xenVCPUHVMContext", xen.VCPUHVMContext{}, "struct vcpu_hvm_context, 64-bit form"},
		{"xenEvtchnBindVirq", xen.EvtchnBindVirq{}, "struct evtchn_bind_virq"},
		{"xenVCPUSetSingleshotTimer", xen.VCPUSetSingleshotTimer{}, "struct vcpu_set_singleshot_timer"},
	},
	consts: []constDef{
		{"xenHVMOpSetEvtchnUpcallVector", xen.HVMOpSetEvtchnUpcallVector, "upcalls on x86"},
		{"xenHVMParamCallbackIRQ", xen.HVMParamCallbackIRQ, ""},
		{"xenCallbackTypeVector", uint64(xen.HVMParamCallbackTypeVector) << xen.HVMParamCallbackTypeShift, "HVM_PARAM_CALLBACK_IRQ's type field: deliver upcalls as a vector"},
		{"xenVCPUOpInitialise", xen.VCPUOpInitialise, "starting another vCPU"},
		{"xenVCPUOpUp", xen.VCPUOpUp, ""},
		{"xenVCPUHVMMode64B", xen.VCPUHVMMode64B, ""},
		{"xenEvtchnOpBindVirq", xen.EvtchnOpBindVirq, "each vCPU's timer"},
		{"xenVirqTimer", xen.VirqTimer, ""},
		{"xenVCPUOpStopPeriodicTimer", xen.VCPUOpStopPeriodicTimer, ""},
		{"xenVCPUOpSetSingleshotTimer", xen.VCPUOpSetSingleshotTimer, ""},
		{"xenVCPUOpStopSingleshotTimer", xen.VCPUOpStopSingleshotTimer, ""},
	},
}, {
	path:    "src/runtime/defs_xenarm_xen_arm64.go",
	sources: []string{"mirago.dev/sys/xen"},
	types: []typeDef{
		{"xenSharedInfo", xen.SharedInfoArm{}, "struct shared_info on Arm"},
		{"xenVCPUInfo", xen.VCPUInfoArm{}, "struct vcpu_info on Arm"},
		{"xenVCPUTimeInfo", xen.VCPUTimeInfo{}, "struct vcpu_time_info"},
	},
	consts: []constDef{
		{"xenHypercallTag", xen.HypercallTagArm, "the HVC instruction's immediate"},
		{"xenEvtchnPPI", xen.EvtchnPPIArm, "the event channel interrupt, if the device tree does not say"},
	},
}}

// copies are the files of sys/ copied into the standard library:
// generated files named by their path from the repository's root, with
// the source's.
var copies = []struct{ path, source string }{
	{"src/internal/runtime/fdt/fdt.go", "sys/fdt/fdt.go"},
}

// renderCopy returns the source file at root/source with a generated
// file's first line in place of its copyright header, which the
// generated files leave out.
func renderCopy(root, source string) ([]byte, error) {
	src, err := os.ReadFile(filepath.Join(root, source))
	if err != nil {
		return nil, err
	}
	_, body, ok := bytes.Cut(src, []byte("\n\n"))
	if !ok || !bytes.HasPrefix(src, []byte("// Copyright ")) {
		return nil, fmt.Errorf("%s does not start with a copyright header and a blank line", source)
	}
	return append([]byte("// Code generated by scripts/mkdefs from "+source+"; DO NOT EDIT.\n\n"), body...), nil
}

func main() {
	check := flag.Bool("check", false, "report files that are out of date instead of writing them")
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	type output struct {
		path   string
		render func() ([]byte, error)
	}
	var outputs []output
	for _, f := range files {
		outputs = append(outputs, output{f.path, f.render})
	}
	for _, c := range copies {
		outputs = append(outputs, output{c.path, func() ([]byte, error) { return renderCopy(*root, c.source) }})
	}
	stale := 0
	for _, f := range outputs {
		src, err := f.render()
		if err != nil {
			fmt.Fprintf(os.Stderr, "mkdefs: %s: %v\n", f.path, err)
			os.Exit(1)
		}
		path := filepath.Join(*root, f.path)
		old, _ := os.ReadFile(path)
		if bytes.Equal(old, src) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "mkdefs: %s is out of date: run go run ./scripts/mkdefs\n", f.path)
			stale++
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "mkdefs: %v\n", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "mkdefs: %v\n", err)
			os.Exit(1)
		}
	}
	if stale > 0 {
		os.Exit(1)
	}
}

func (f file) render() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by scripts/mkdefs from %s; DO NOT EDIT.\n\n", strings.Join(f.sources, ", "))
	if f.build != "" {
		fmt.Fprintf(&b, "//go:build %s\n\n", f.build)
	}
	b.WriteString("package runtime\n\n")
	names := map[reflect.Type]string{}
	for _, t := range f.types {
		names[reflect.TypeOf(t.of)] = t.name
	}
	for _, t := range f.types {
		typ := reflect.TypeOf(t.of)
		if typ.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%s: %v is not a struct", t.name, typ)
		}
		fmt.Fprintf(&b, "// %s is %s (%v, %d bytes).\n", t.name, t.doc, typ, typ.Size())
		fmt.Fprintf(&b, "type %s struct {\n", t.name)
		for i := 0; i < typ.NumField(); i++ {
			fl := typ.Field(i)
			ft, err := goType(fl.Type, names)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %v", t.name, fl.Name, err)
			}
			fmt.Fprintf(&b, "\t%s %s\n", fieldName(fl.Name), ft)
		}
		b.WriteString("}\n\n")
	}
	if len(f.consts) > 0 {
		b.WriteString("const (\n")
		for _, c := range f.consts {
			if c.doc != "" {
				fmt.Fprintf(&b, "\t// %s\n", c.doc)
			}
			fmt.Fprintf(&b, "\t%s = %#x\n", c.name, c.value)
		}
		b.WriteString(")\n")
	}
	return format.Source(b.Bytes())
}

// goType spells t with predeclared types and the runtime's names of
// the other generated structs.
func goType(t reflect.Type, names map[reflect.Type]string) (string, error) {
	if n, ok := names[t]; ok {
		return n, nil
	}
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return t.Kind().String(), nil
	case reflect.Array:
		elem, err := goType(t.Elem(), names)
		return fmt.Sprintf("[%d]%s", t.Len(), elem), err
	}
	return "", fmt.Errorf("cannot render %v", t)
}

// fieldName is the runtime's name for an exported sys/ field: the same
// in lower camel case, and _ for padding.
func fieldName(s string) string {
	if s == "_" || strings.TrimRight(s, "0123456789") == "Reserved" || strings.TrimRight(s, "0123456789") == "Pad" {
		return "_"
	}
	// Lower the leading run of capitals, keeping the last one when a
	// lower-case letter follows it (TSCToSystemMul -> tscToSystemMul,
	// CR0 -> cr0).
	r := []rune(s)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	if i > 1 && i < len(r) && unicode.IsLower(r[i]) {
		i--
	}
	for j := 0; j < i; j++ {
		r[j] = unicode.ToLower(r[j])
	}
	if name := string(r); token.IsKeyword(name) {
		return strings.TrimSuffix(name, "e") // type -> typ, as the runtime spells it
	}
	return string(r)
}
