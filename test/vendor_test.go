// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// leafPackages import nothing at all, so that the runtime and syscall
// can use them once vendored (even errors depends on the runtime).
var leafPackages = map[string]bool{
	"sys/pvh":          true,
	"sys/solo5":        true,
	"sys/virtiospec":   true,
	"drivers/ethernet": true,
	"drivers/block":    true,
}

// TestVendoredImports checks the rule for the modules that
// scripts/goroot.sh vendors into std: their non-test files import only
// standard packages, each other, and the modules drivers/go.mod
// requires directly (goroot.sh vendors those too, with what they need:
// std cannot reach the module cache), and the leaf packages import
// nothing.
func TestVendoredImports(t *testing.T) {
	root := repoRoot(t)
	required := directRequires(t, filepath.Join(root, "drivers", "go.mod"))
	seen := make(map[string]bool)
	for _, mod := range []string{"sys", "drivers"} {
		err := filepath.WalkDir(filepath.Join(root, mod), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			pkg := filepath.ToSlash(filepath.Dir(rel))
			seen[pkg] = true
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				switch {
				case leafPackages[pkg]:
					t.Errorf("%s imports %q; %s must import nothing", rel, p, pkg)
				case strings.HasPrefix(p, "mirago.dev/sys/"), strings.HasPrefix(p, "mirago.dev/drivers/"):
					// Vendored next to this package.
				case mod == "drivers" && requiredBy(required, p):
					// Vendored from the module cache.
				case strings.Contains(strings.Split(p, "/")[0], "."):
					t.Errorf("%s imports %q, which is not a standard package", rel, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for pkg := range leafPackages {
		if !seen[pkg] {
			t.Errorf("leaf package %s has no Go files; update leafPackages", pkg)
		}
	}
}

// directRequires returns the modules a go.mod requires other than
// indirectly and other than our own.
func directRequires(t *testing.T, gomod string) []string {
	b, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			in = true
			continue
		case line == ")":
			in = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !in:
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 2 && !strings.Contains(line, "// indirect") && !strings.HasPrefix(f[0], "mirago.dev/") {
			mods = append(mods, f[0])
		}
	}
	return mods
}

// requiredBy reports whether package p is in one of the modules mods.
func requiredBy(mods []string, p string) bool {
	for _, m := range mods {
		if p == m || strings.HasPrefix(p, m+"/") {
			return true
		}
	}
	return false
}

// TestVendorClosed: every import in std's vendor tree, under any build
// tag, resolves inside it. go mod tidy reads files for every tag, and
// an import that reaches outside std makes it add a module to the go.mod
// of every program that imports net (gvisor.dev/gvisor's checklocks
// and lockdep builds did).
func TestVendorClosed(t *testing.T) {
	vendor := filepath.Join(goroot(t), "src", "vendor")
	err := filepath.WalkDir(vendor, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(p, "/")[0], ".") {
				continue
			}
			if _, err := os.Stat(filepath.Join(vendor, p)); err != nil {
				rel, _ := filepath.Rel(vendor, path)
				t.Errorf("vendor/%s imports %s, which std does not vendor", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// And go mod tidy, offline, leaves a net/http program's go.mod
	// without requirements.
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module tidy\n\ngo 1.27\n",
		"main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":80\", nil) }\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mgoEnv(t, dir, "xen/amd64", []string{"GOPROXY=off", "GOFLAGS=-mod=mod"}, "mod", "tidy")
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if r.code != 0 || string(mod) != files["go.mod"] {
		t.Errorf("go mod tidy: want exit status 0 and go.mod unchanged, got:\n%s\n--- go.mod ---\n%s", r, mod)
	}
}
