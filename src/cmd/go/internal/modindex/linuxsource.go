// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package modindex

import (
	"path/filepath"
	"slices"

	"cmd/go/internal/cfg"
	"cmd/go/internal/imports"
	"cmd/go/internal/str"
)

// linuxAtSource sets the linux build tag in ctxt, Import's copy of its
// caller's context, for a package outside GOROOT that sees linux on
// GOOS=xen and GOOS=solo5 (imports.LinuxAtSource).
func (rp *IndexPackage) linuxAtSource(ctxt *Context) {
	if imports.LinuxAtSource(ctxt.GOOS, ctxt.BuildTags, rp.fileNames()) {
		ctxt.BuildTags = append(slices.Clip(ctxt.BuildTags), "linux")
	}
}

// linuxTags is imports.ScanDir's rule for ScanDir here: tags with linux
// set for a package that sees linux, else tags itself.
func (rp *IndexPackage) linuxTags(tags map[string]bool) map[string]bool {
	if tags["*"] || str.HasFilePathPrefix(filepath.Join(rp.modroot, rp.dir), cfg.GOROOTsrc) {
		return tags
	}
	if !imports.LinuxAtSource(cfg.BuildContext.GOOS, cfg.BuildContext.BuildTags, rp.fileNames()) {
		return tags
	}
	return imports.WithLinux(tags)
}

// fileNames returns the names of the package's files.
func (rp *IndexPackage) fileNames() []string {
	names := make([]string, len(rp.sourceFiles))
	for i, sf := range rp.sourceFiles {
		names[i] = sf.name()
	}
	return names
}
