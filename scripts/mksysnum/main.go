// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command mksysnum writes package syscall's Linux system call numbers
// for xen and solo5 (src/syscall/zsysnum_unikernel_GOARCH.go, for amd64
// and arm64) from the Go tree's own zsysnum_linux_GOARCH.go, so that
// the numbers Linux code
// names (syscall.SYS_*, as golang.org/x/sys/unix passes them to
// Syscall) and the table that serves them in the guest are Linux's,
// not a second, hand-written list. It also writes the rest of Linux's
// constants and structures (zerrors_unikernel_GOARCH.go: open flags,
// socket options, ioctl requests, raw socket addresses, ...) that the
// package's own files do not define, from zerrors_linux_GOARCH.go and
// ztypes_linux_GOARCH.go:
//
//	go run ./scripts/mksysnum                 # rewrite the files
//	go run ./scripts/mksysnum -check          # fail if one is out of date
//
// The Go tree is the one of the go command that runs mksysnum (go env
// GOROOT) unless -goroot names another; Linux's numbers never change,
// so any Go release gives the same file. Its test runs -check.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// arches are the GOARCH values of xen and solo5.
var arches = []string{"amd64", "arm64"}

// outputs returns the files mksysnum writes for arch.
func outputs(arch string) (nums, consts string) {
	return "src/syscall/zsysnum_unikernel_" + arch + ".go", "src/syscall/zerrors_unikernel_" + arch + ".go"
}

func main() {
	check := flag.Bool("check", false, "fail if the file is out of date instead of writing it")
	goroot := flag.String("goroot", "", "the Go tree to read (default: go env GOROOT)")
	flag.Parse()
	if err := run(*goroot, *check); err != nil {
		fmt.Fprintln(os.Stderr, "mksysnum:", err)
		os.Exit(1)
	}
}

func run(goroot string, check bool) error {
	if goroot == "" {
		b, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			return fmt.Errorf("go env GOROOT: %v", err)
		}
		goroot = strings.TrimSpace(string(b))
	}
	for _, arch := range arches {
		if err := runArch(goroot, arch, check); err != nil {
			return err
		}
	}
	return nil
}

// runArch writes, or checks, the files for arch.
func runArch(goroot, arch string, check bool) error {
	out, outConsts := outputs(arch)
	src := filepath.Join(goroot, "src", "syscall", "zsysnum_linux_"+arch+".go")
	nums, err := readNumbers(src)
	if err != nil {
		return err
	}
	text, err := render(arch, nums)
	if err != nil {
		return err
	}
	have, err := declared("src/syscall", arch, outConsts)
	if err != nil {
		return err
	}
	consts, err := readConsts(filepath.Join(goroot, "src", "syscall", "zerrors_linux_"+arch+".go"), have, 100)
	if err != nil {
		return err
	}
	// The clone flags, which SysProcAttr's fields take.
	clone, err := readConsts(filepath.Join(goroot, "src", "syscall", "exec_linux.go"), have, 20)
	if err != nil {
		return err
	}
	consts = append(consts, clone...)
	types, tconsts, err := readTypes(filepath.Join(goroot, "src", "syscall", "ztypes_linux_"+arch+".go"), have)
	if err != nil {
		return err
	}
	ctext, err := renderConsts(arch, append(consts, tconsts...), types)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		text []byte
	}{{out, text}, {outConsts, ctext}} {
		if check {
			old, err := os.ReadFile(f.path)
			if err != nil {
				return err
			}
			if !bytes.Equal(old, f.text) {
				return fmt.Errorf("%s is out of date: run go run ./scripts/mksysnum", f.path)
			}
			continue
		}
		if err := os.WriteFile(f.path, f.text, 0o666); err != nil {
			return err
		}
	}
	return nil
}

// declared returns the names that the Go files of dir declare at top
// level for arch, but for the file skip, which mksysnum writes: files
// for another of the arches are left out.
func declared(dir, arch, skip string) (map[string]bool, error) {
	names := map[string]bool{}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		if path == skip || strings.HasSuffix(path, "_test.go") || forOtherArch(path, arch) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					}
				}
			}
		}
	}
	return names, nil
}

// forOtherArch reports whether the file name path ends in _GOARCH.go
// for one of the arches other than arch.
func forOtherArch(path, arch string) bool {
	for _, a := range arches {
		if a != arch && strings.HasSuffix(path, "_"+a+".go") {
			return true
		}
	}
	return false
}

// A constDef is one constant of Linux's package syscall, with the
// message of an Errno.
type constDef struct {
	name, value string
	msg         string
}

// errorMessage returns the message that the errors table of f gives
// error number n.
func errorMessage(f *ast.File, n int) string {
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) != 1 || vs.Names[0].Name != "errors" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				k, ok1 := kv.Key.(*ast.BasicLit)
				v, ok2 := kv.Value.(*ast.BasicLit)
				if !ok1 || !ok2 {
					continue
				}
				if kn, _ := strconv.ParseInt(k.Value, 0, 64); int(kn) == n {
					msg, _ := strconv.Unquote(v.Value)
					return msg
				}
			}
		}
	}
	return ""
}

// readConsts reads the constants of a file of Linux's package syscall
// (zerrors: open flags, socket options, ioctl numbers, error numbers
// and signals) that have lacks; at least least of them.
func readConsts(path string, have map[string]bool, least int) ([]constDef, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, err
	}
	var defs []constDef
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Type != nil {
				continue
			}
			name := vs.Names[0].Name
			if call, typed := vs.Values[0].(*ast.CallExpr); typed {
				// Errno(...) and Signal(...): the package has its own
				// tables of those; add the ones it lacks, as typed
				// constants, and their messages.
				if have[name] || !ast.IsExported(name) {
					continue
				}
				v := string(src[fset.Position(vs.Values[0].Pos()).Offset:fset.Position(vs.Values[0].End()).Offset])
				defs = append(defs, constDef{name: name, value: v})
				if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "Errno" {
					if lit, ok := call.Args[0].(*ast.BasicLit); ok {
						n, _ := strconv.ParseInt(lit.Value, 0, 64)
						if msg := errorMessage(f, int(n)); msg != "" {
							defs[len(defs)-1].msg = msg
						}
					}
				}
				continue
			}
			if have[name] || !ast.IsExported(name) {
				continue
			}
			v := vs.Values[0]
			defs = append(defs, constDef{name: name, value: string(src[fset.Position(v.Pos()).Offset:fset.Position(v.End()).Offset])})
		}
	}
	if len(defs) < least {
		return nil, fmt.Errorf("%s: only %d constants", path, len(defs))
	}
	return defs, nil
}

// readTypes reads the types and constants of a ztypes file that have
// lacks, each type as its source text.
func readTypes(path string, have map[string]bool) (types []string, consts []constDef, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, nil, err
	}
	text := func(n ast.Node) string {
		return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				if !have[s.Name.Name] {
					types = append(types, text(s))
				}
			case *ast.ValueSpec:
				if g.Tok == token.CONST && len(s.Names) == 1 && len(s.Values) == 1 && !have[s.Names[0].Name] {
					consts = append(consts, constDef{name: s.Names[0].Name, value: text(s.Values[0])})
				}
			}
		}
	}
	if len(types) < 10 {
		return nil, nil, fmt.Errorf("%s: only %d types", path, len(types))
	}
	return types, consts, nil
}

// renderConsts writes the constants and types that Linux/amd64's
// package syscall has and the unikernel's own files do not.
func renderConsts(arch string, defs []constDef, types []string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by scripts/mksysnum from the Go tree's src/syscall/zerrors_linux_%s.go; DO NOT EDIT.\n\n", arch)
	b.WriteString("//go:build xen || solo5\n\npackage syscall\n\n")
	fmt.Fprintf(&b, "// Linux/%s's constants that the rest of the package does not\n", arch)
	b.WriteString("// define, with Linux's values, so that Linux code that names them\n")
	b.WriteString("// compiles; what a call does with one is the call's to say.\n")
	b.WriteString("const (\n")
	for _, d := range defs {
		fmt.Fprintf(&b, "%s = %s\n", d.name, d.value)
	}
	b.WriteString(")\n")
	b.WriteString("\n// linuxErrors are the messages of the error numbers above, which\n")
	b.WriteString("// Errno.Error gives where the package's own table has none.\n")
	b.WriteString("var linuxErrors = map[Errno]string{\n")
	for _, d := range defs {
		if d.msg != "" {
			fmt.Fprintf(&b, "%s: %q,\n", d.name, d.msg)
		}
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, "\n// Linux/%s's structures, in its layout, for the same reason.\n", arch)
	for _, t := range types {
		fmt.Fprintf(&b, "\ntype %s\n", t)
	}
	return format.Source(b.Bytes())
}

// A sysnum is one SYS_ constant.
type sysnum struct {
	name string // SYS_READ
	num  int
}

// readNumbers reads the SYS_ constants of a zsysnum file.
func readNumbers(path string) ([]sysnum, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	var nums []sysnum
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) != 1 || len(vs.Values) != 1 {
				return nil, fmt.Errorf("%s: unexpected constant form", path)
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				return nil, fmt.Errorf("%s: %s is not an integer literal", path, vs.Names[0].Name)
			}
			n, err := strconv.Atoi(lit.Value)
			if err != nil {
				return nil, err
			}
			nums = append(nums, sysnum{vs.Names[0].Name, n})
		}
	}
	// A sanity check against reading the wrong file: Linux has 268
	// calls on arm64 (no legacy ones) and more than 300 on amd64.
	if len(nums) < 250 {
		return nil, fmt.Errorf("%s: only %d system call numbers", path, len(nums))
	}
	sort.SliceStable(nums, func(i, j int) bool { return nums[i].num < nums[j].num })
	return nums, nil
}

// render writes the constants and a table of the calls' names, for the
// GODEBUG=linuxsyscall=1 report of calls the guest does not serve.
func render(arch string, nums []sysnum) ([]byte, error) {
	insn := map[string]string{"amd64": "SYSCALL", "arm64": "SVC"}[arch]
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by scripts/mksysnum from the Go tree's src/syscall/zsysnum_linux_%s.go; DO NOT EDIT.\n\n", arch)
	b.WriteString("//go:build xen || solo5\n\npackage syscall\n\n")
	fmt.Fprintf(&b, "// Linux's system call numbers for %s, which Linux code passes to\n", arch)
	fmt.Fprintf(&b, "// Syscall and the %s instruction; linux_unikernel.go serves them.\n", insn)
	b.WriteString("const (\n")
	for _, n := range nums {
		fmt.Fprintf(&b, "%s = %d\n", n.name, n.num)
	}
	b.WriteString(")\n\n")
	b.WriteString("// sysNames names each number, for messages.\n")
	b.WriteString("var sysNames = [...]string{\n")
	seen := map[int]bool{}
	for _, n := range nums {
		if seen[n.num] {
			continue
		}
		seen[n.num] = true
		fmt.Fprintf(&b, "%s: %q,\n", n.name, strings.ToLower(strings.TrimPrefix(n.name, "SYS_")))
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
