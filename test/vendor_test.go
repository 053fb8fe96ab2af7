// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// leafPackages import nothing at all, so that the runtime and syscall
// can use them once vendored (even errors depends on the runtime).
var leafPackages = map[string]bool{
	"sys/pvh":      true,
	"sys/solo5":    true,
	"sys/virtio":   true,
	"drivers/uart": true,
}

// TestVendoredImports checks the rule for the modules that
// scripts/goroot.sh vendors into std: their non-test files import only
// standard packages and each other (std cannot reach the module cache,
// but both modules are vendored), and the leaf packages import nothing.
func TestVendoredImports(t *testing.T) {
	root := repoRoot(t)
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
