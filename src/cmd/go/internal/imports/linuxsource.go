// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package imports

import (
	"io/fs"
	"maps"
	"slices"
	"strings"

	"cmd/go/internal/cfg"
	"cmd/go/internal/str"
)

// LinuxAtSource reports whether a package outside GOROOT, whose
// directory holds files with the given names, is built for goos with
// the linux build constraint satisfied, as for android: for code
// outside the standard library, Mirago's GOOS=xen and GOOS=solo5 are
// Linux at the source level. A package with a file named for goos
// supports it itself, and the build tag mirago.nolinux turns the rule
// off. It is go/build's Context.linuxAtSource, for the go command's own
// readers of packages: ScanDir here and the module index.
func LinuxAtSource(goos string, buildTags []string, names []string) bool {
	if goos != "xen" && goos != "solo5" || slices.Contains(buildTags, "mirago.nolinux") {
		return false
	}
	for _, name := range names {
		name, _, _ = strings.Cut(name, ".")
		name = strings.TrimSuffix(name, "_test")
		if _, elems, ok := strings.Cut(name, "_"); ok && slices.Contains(strings.Split(elems, "_"), goos) {
			return false
		}
	}
	return true
}

// WithLinux returns a copy of tags in which linux is set.
func WithLinux(tags map[string]bool) map[string]bool {
	t := maps.Clone(tags)
	t["linux"] = true
	return t
}

// linuxTags returns the tags for ScanDir to match the files of the
// package in dir against: with linux set if LinuxAtSource says so for
// the target, else tags itself. The tag "*", which go mod tidy uses to
// take every file, needs no change.
func linuxTags(dir string, tags map[string]bool, dirs []fs.DirEntry) map[string]bool {
	if tags["*"] || str.HasFilePathPrefix(dir, cfg.GOROOTsrc) {
		return tags
	}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = d.Name()
	}
	if !LinuxAtSource(cfg.BuildContext.GOOS, cfg.BuildContext.BuildTags, names) {
		return tags
	}
	return WithLinux(tags)
}
