// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The wrapper mounts the working directory in the guest: go test runs a
// test binary in its package directory, and tests open testdata/...
// by relative path. It writes the tree as a newc cpio archive, which
// QEMU passes as the PVH boot module (-initrd) and package syscall
// creates read-only at the same absolute paths (src/syscall/bootfs_xen.go);
// PWD on the command line makes it the guest's working directory.

// Limits on the archive. go test's package directories are small; a
// tree past these (go run from the top of a repository with a build
// cache in it) is not mounted, with a warning, rather than making every
// boot slow or failing a program that may not read files at all.
const (
	maxArchiveBytes   = 64 << 20
	maxArchiveEntries = 10000
)

var errTreeTooBig = errors.New("tree too big")

// newcWriter writes a newc cpio archive.
type newcWriter struct {
	w   *bufio.Writer
	off int64
	ino uint32
}

func (cw *newcWriter) pad() error {
	for cw.off%4 != 0 {
		if err := cw.w.WriteByte(0); err != nil {
			return err
		}
		cw.off++
	}
	return nil
}

func (cw *newcWriter) write(p []byte) error {
	n, err := cw.w.Write(p)
	cw.off += int64(n)
	return err
}

// entry writes one entry: mode holds the S_IFMT type bits and the
// permissions, data a file's contents or a link's target.
func (cw *newcWriter) entry(name string, mode uint32, mtime int64, data []byte) error {
	cw.ino++
	nlink := 1
	if mode&0o170000 == 0o040000 {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		cw.ino, mode, 0, 0, nlink, uint32(mtime), len(data), 0, 0, 0, 0, len(name)+1, 0)
	if err := cw.write([]byte(hdr + name + "\x00")); err != nil {
		return err
	}
	if err := cw.pad(); err != nil {
		return err
	}
	if err := cw.write(data); err != nil {
		return err
	}
	return cw.pad()
}

// close writes the trailer and flushes.
func (cw *newcWriter) close() error {
	if err := cw.entry("TRAILER!!!", 0, 0, nil); err != nil {
		return err
	}
	return cw.w.Flush()
}

// A tree is a directory to put in an archive: all of it, or with
// shallow set only the directory and the files and links directly in
// it.
type tree struct {
	dir     string
	shallow bool
}

// writeTreeArchive writes to w a newc archive of trees, whose dirs are
// absolute paths, in order: each entry is named by its absolute path
// without the leading slash. Only directories, regular files and
// symbolic links go in (links are not followed); the rest is skipped.
// It fails with errTreeTooBig past maxBytes of file data or maxEntries
// entries in all.
func writeTreeArchive(w io.Writer, trees []tree, maxBytes int64, maxEntries int) error {
	cw := &newcWriter{w: bufio.NewWriter(w)}
	var total int64
	entries := 0
	for _, tr := range trees {
		err := filepath.WalkDir(tr.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if tr.shallow && d.IsDir() && path != tr.dir {
				return fs.SkipDir
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			var mode uint32
			var data []byte
			switch {
			case info.Mode().IsDir():
				mode = 0o040000
			case info.Mode().IsRegular():
				mode = 0o100000
				total += info.Size()
				if total > maxBytes {
					return errTreeTooBig
				}
				if data, err = os.ReadFile(path); err != nil {
					return err
				}
			case info.Mode()&fs.ModeSymlink != 0:
				mode = 0o120000
				target, err := os.Readlink(path)
				if err != nil {
					return err
				}
				data = []byte(target)
			default:
				return nil
			}
			if entries++; entries > maxEntries {
				return errTreeTooBig
			}
			mode |= uint32(info.Mode().Perm())
			if info.Mode()&fs.ModeSetuid != 0 {
				mode |= 0o4000
			}
			if info.Mode()&fs.ModeSetgid != 0 {
				mode |= 0o2000
			}
			if info.Mode()&fs.ModeSticky != 0 {
				mode |= 0o1000
			}
			return cw.entry(strings.TrimPrefix(path, "/"), mode, info.ModTime().Unix(), data)
		})
		if err != nil {
			return err
		}
	}
	return cw.close()
}

// mountTrees returns the trees to mount for working directory dir.
// Tests read more than their package directory: shared files in
// ../testdata/ (compress/lzw), their parent package's sources
// (io/ioutil lists ".."; math/big/internal/asmgen reads ../../*.s). So
// inside a module (below the nearest directory with a go.mod) the trees
// are, from the module root down, the testdata directory of each parent
// and the own files of each parent below the root, and last dir itself,
// whole. The root's own files stay out: its go.mod would say that the
// whole module is there (testenv.MustHaveSource checks GOROOT/src/go.mod).
// Each directory's entry comes before anything in it, so the guest
// creates none of them implicitly except the module root. Outside a
// module, or at its root, it is dir alone.
func mountTrees(dir string) []tree {
	var parents []tree // nearest first
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			// Not in a module.
			return []tree{{dir: dir}}
		}
		d = parent
		// A testdata directory that holds dir (go test run in
		// testdata/x) is already mounted in part; leave it at that.
		td := filepath.Join(d, "testdata")
		if fi, err := os.Stat(td); err == nil && fi.IsDir() && !strings.HasPrefix(dir+"/", td+"/") {
			parents = append(parents, tree{dir: td})
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err != nil {
			parents = append(parents, tree{dir: d, shallow: true})
		}
	}
	slices.Reverse(parents)
	return append(parents, tree{dir: dir})
}

// cwdArchive writes an archive of the working directory, with what
// mountTrees adds from its module if that fits in the limits, to a
// temporary file and returns its name and the directory. When the tree cannot or
// should not be mounted it returns "" and a warning for the user.
func cwdArchive() (file, dir, warning string) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Sprintf("not mounting the working directory: %v", err)
	}
	if dir == "/" {
		return "", "", "not mounting the working directory /: the whole host tree is too big (MIRAGO_NOMOUNT=1 silences this)"
	}
	f, err := os.CreateTemp("", "mirago-cwd-*.cpio")
	if err != nil {
		return "", "", fmt.Sprintf("not mounting the working directory: %v", err)
	}
	var extra []tree
	if z := gorootZoneinfo(); z != "" {
		extra = append(extra, tree{dir: z})
	}
	for _, f := range hostNetFiles() {
		extra = append(extra, tree{dir: f})
	}
	trees := append(mountTrees(dir), extra...)
	err = writeTreeArchive(f, trees, maxArchiveBytes, maxArchiveEntries)
	if errors.Is(err, errTreeTooBig) && len(trees) > 1+len(extra) {
		// The module's parent directories are a convenience; the
		// working directory alone may still fit.
		if err = f.Truncate(0); err == nil {
			if _, err = f.Seek(0, io.SeekStart); err == nil {
				err = writeTreeArchive(f, append([]tree{{dir: dir}}, extra...), maxArchiveBytes, maxArchiveEntries)
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		if errors.Is(err, errTreeTooBig) {
			return "", "", fmt.Sprintf("not mounting the working directory %s: more than %d MiB or %d entries (MIRAGO_NOMOUNT=1 silences this)",
				dir, maxArchiveBytes>>20, maxArchiveEntries)
		}
		return "", "", fmt.Sprintf("not mounting the working directory: writing the archive: %v", err)
	}
	return f.Name(), dir, ""
}

// gorootZoneinfo returns the time zone database of the GOROOT this
// program is installed in ($GOROOT/bin/mirago-exec), or "". The archive
// carries it at the same path: time.LoadLocation's last resort is
// runtime.GOROOT()/lib/time/zoneinfo.zip, and a binary built by go
// build or go test without -trimpath has that GOROOT compiled in. So
// zones load in the guest as they do on a host where Go is installed
// (package time's own tests need America/Los_Angeles). It is about
// 400 KB.
func gorootZoneinfo() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return ""
	}
	z := filepath.Join(filepath.Dir(filepath.Dir(exe)), "lib", "time", "zoneinfo.zip")
	if fi, err := os.Stat(z); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return z
}

// netFiles are the host's files that package net reads on Linux and
// that the guest has no other source for: the service names of
// LookupPort and the protocol names of "ip4:icmp"-style networks. Both
// have built-in fallbacks for the common names; with the files the
// guest resolves what a Linux process on this host would.
var netFiles = []string{"/etc/services", "/etc/protocols"}

// hostNetFiles returns those of netFiles that are regular files here,
// to carry in the archive at the same paths.
func hostNetFiles() []string {
	var files []string
	for _, f := range netFiles {
		if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	return files
}
