// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Command syscallapi lists what package syscall exports for linux and
// not for xen on one GOARCH (issue 12: code written for Linux names
// them). Both sides are read from the source of one GOROOT, the fork's,
// whose syscall files for linux are upstream's: the release's api/
// lists are not in the toolchain module the fork is assembled from,
// and they describe the same exports.
//
// Run it with the fork's go command, whose go/build knows GOOS=xen:
//
//	go run ./scripts/syscallapi [-goroot DIR] [-goarch amd64] [-o FILE]
//
// It prints, or writes to FILE, a Markdown report: counts, the missing
// names by kind, and the names whose Go type differs (a function's
// parameter and result types, a field's or variable's type, a defined
// type's underlying type; constants' values are not compared).
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

func main() {
	goroot := flag.String("goroot", runtime.GOROOT(), "the GOROOT to read")
	goarch := flag.String("goarch", "amd64", "the GOARCH to compare on")
	out := flag.String("o", "", "write the report to this file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("syscallapi: ")

	linux, err := exports(*goroot, "linux", *goarch)
	if err != nil {
		log.Fatal(err)
	}
	xen, err := exports(*goroot, "xen", *goarch)
	if err != nil {
		log.Fatal(err)
	}
	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	report(w, *goarch, linux, xen)
}

// exports returns the exported names of package syscall for goos and
// goarch, each as "KIND NAME": const, var, func and type NAME, method
// TYPE.NAME, field TYPE.NAME; with each, the Go type it has, as source
// text without parameter names ("" for constants and struct types).
func exports(goroot, goos, goarch string) (map[string]string, error) {
	ctx := build.Default
	ctx.GOROOT, ctx.GOOS, ctx.GOARCH = goroot, goos, goarch
	ctx.CgoEnabled = false
	ctx.BuildTags = nil
	pkg, err := ctx.Import("syscall", "", 0)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %v", goos, goarch, err)
	}
	names := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					names["func "+d.Name.Name] = signature(d.Type)
				} else if t := recvType(d.Recv.List[0].Type); ast.IsExported(t) {
					names["method "+t+"."+d.Name.Name] = signature(d.Type)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						kind := "var"
						if d.Tok == token.CONST {
							kind = "const"
						}
						typ := ""
						if kind == "var" && s.Type != nil {
							typ = types.ExprString(s.Type)
						}
						for _, n := range s.Names {
							if n.IsExported() {
								names[kind+" "+n.Name] = typ
							}
						}
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						st, isStruct := s.Type.(*ast.StructType)
						if isStruct {
							names["type "+s.Name.Name] = ""
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									if n.IsExported() {
										names["field "+s.Name.Name+"."+n.Name] = types.ExprString(fl.Type)
									}
								}
							}
						} else {
							names["type "+s.Name.Name] = types.ExprString(s.Type)
						}
					}
				}
			}
		}
	}
	return names, nil
}

// signature renders a function type without parameter names.
func signature(ft *ast.FuncType) string {
	list := func(fl *ast.FieldList) string {
		if fl == nil {
			return ""
		}
		var ts []string
		for _, f := range fl.List {
			n := max(len(f.Names), 1)
			for range n {
				ts = append(ts, types.ExprString(f.Type))
			}
		}
		return strings.Join(ts, ", ")
	}
	sig := "func(" + list(ft.Params) + ")"
	if r := list(ft.Results); r != "" {
		sig += " (" + r + ")"
	}
	return sig
}

// recvType returns the name of a receiver's type, without a pointer.
func recvType(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

var kinds = []string{"func", "method", "type", "field", "var", "const"}

func report(w io.Writer, goarch string, linux, xen map[string]string) {
	missing := map[string][]string{}
	var differ []string
	n := 0
	for k, lt := range linux {
		xt, ok := xen[k]
		if !ok {
			kind, name, _ := strings.Cut(k, " ")
			missing[kind] = append(missing[kind], name)
			n++
			continue
		}
		if xt != lt {
			differ = append(differ, "- "+k+": linux `"+lt+"`, xen `"+xt+"`")
		}
	}
	fmt.Fprintf(w, "# Package syscall: linux/%s names that xen/%s lacks\n\n", goarch, goarch)
	fmt.Fprintf(w, "Written by `go run ./scripts/syscallapi -o docs/syscall-api.md` with the\n")
	fmt.Fprintf(w, "fork's go command (`make syscall-api`). Of the %d names that package\n", len(linux))
	fmt.Fprintf(w, "syscall exports for linux/%s, xen/%s has %d; %d are missing, and\n", goarch, goarch, len(linux)-n, n)
	fmt.Fprintf(w, "%d have a different type.\n\n", len(differ))
	fmt.Fprintf(w, "| kind | linux | missing on xen |\n|---|---|---|\n")
	for _, kind := range kinds {
		total := 0
		for k := range linux {
			if strings.HasPrefix(k, kind+" ") {
				total++
			}
		}
		fmt.Fprintf(w, "| %s | %d | %d |\n", kind, total, len(missing[kind]))
	}
	for _, kind := range kinds {
		names := missing[kind]
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		names = slices.Compact(names)
		fmt.Fprintf(w, "\n## %s (%d)\n\n%s\n", kind, len(names), strings.Join(names, ", "))
	}
	if len(differ) > 0 {
		sort.Strings(differ)
		fmt.Fprintf(w, "\n## Different types (%d)\n\n%s\n", len(differ), strings.Join(differ, "\n"))
	}
}
