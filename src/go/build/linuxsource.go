// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package build

import (
	"io/fs"
	"slices"
	"strings"
)

// linuxAtSource returns the context to build a package outside GOROOT
// with, given its directory's entries: ctxt, or for GOOS=xen and
// GOOS=solo5 a copy in which the linux build constraint is satisfied,
// as it is for android. Mirago's standard library serves Linux's API on
// those targets, and third-party packages know linux, not them, so for
// code outside the standard library they are Linux at the source level.
// A package with a file named for GOOS (x_xen.go, x_xen_amd64.s)
// supports it itself and is left alone, and the build tag
// mirago.nolinux turns the rule off. cmd/go applies the same rule
// (cmd/go/internal/imports.LinuxAtSource).
func (ctxt *Context) linuxAtSource(dirs []fs.DirEntry) *Context {
	if ctxt.GOOS != "xen" && ctxt.GOOS != "solo5" || slices.Contains(ctxt.BuildTags, "mirago.nolinux") {
		return ctxt
	}
	for _, d := range dirs {
		if namedForGOOS(d.Name(), ctxt.GOOS) {
			return ctxt
		}
	}
	c := *ctxt
	c.BuildTags = append(slices.Clip(c.BuildTags), "linux")
	return &c
}

// namedForGOOS reports whether goos is one of the _-separated elements
// of a file name after the first: x_xen.go, x_xen_amd64.s, x_xen_test.go.
func namedForGOOS(name, goos string) bool {
	name, _, _ = strings.Cut(name, ".")
	name = strings.TrimSuffix(name, "_test")
	_, elems, ok := strings.Cut(name, "_")
	return ok && slices.Contains(strings.Split(elems, "_"), goos)
}
