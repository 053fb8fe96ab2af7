// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// cpioWriter writes a newc cpio archive, the format Linux unpacks as an
// initramfs. Linux does not create the parents of an entry itself, so
// the writer adds each missing parent directory before an entry.
// Two archives concatenated unpack as one: run appends the job this way.
type cpioWriter struct {
	w    *bufio.Writer
	off  int64
	ino  uint32
	dirs map[string]bool
}

func newCpioWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriterSize(w, 1<<20), ino: 1000, dirs: map[string]bool{".": true, "": true}}
}

func (cw *cpioWriter) write(p []byte) error {
	n, err := cw.w.Write(p)
	cw.off += int64(n)
	return err
}

func (cw *cpioWriter) pad() error {
	for cw.off%4 != 0 {
		if err := cw.write([]byte{0}); err != nil {
			return err
		}
	}
	return nil
}

// entry writes one entry; mode holds the type bits and the permissions.
func (cw *cpioWriter) entry(name string, mode uint32, data []byte) error {
	cw.ino++
	nlink := 1
	if mode&0o170000 == 0o040000 {
		nlink = 2
	}
	// mtime 0: the same inputs give the same archive.
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		cw.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
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

// parents adds the directories above name that are not in yet.
func (cw *cpioWriter) parents(name string) error {
	dir := path.Dir(name)
	if cw.dirs[dir] {
		return nil
	}
	return cw.addDir(dir)
}

func (cw *cpioWriter) addDir(name string) error {
	if cw.dirs[name] {
		return nil
	}
	if err := cw.parents(name); err != nil {
		return err
	}
	cw.dirs[name] = true
	return cw.entry(name, 0o040755, nil)
}

func (cw *cpioWriter) addFile(name string, perm uint32, data []byte) error {
	if err := cw.parents(name); err != nil {
		return err
	}
	return cw.entry(name, 0o100000|perm, data)
}

func (cw *cpioWriter) addSymlink(name, target string) error {
	if err := cw.parents(name); err != nil {
		return err
	}
	return cw.entry(name, 0o120777, []byte(target))
}

// addPath adds the file, directory or symbolic link at file on the host
// as name.
func (cw *cpioWriter) addPath(name, file string) error {
	fi, err := os.Lstat(file)
	if err != nil {
		return err
	}
	switch {
	case fi.IsDir():
		return cw.addDir(name)
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(file)
		if err != nil {
			return err
		}
		return cw.addSymlink(name, t)
	case fi.Mode().IsRegular():
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		perm := uint32(fi.Mode().Perm())
		if fi.Mode()&fs.ModeSetuid != 0 {
			perm |= 0o4000
		}
		return cw.addFile(name, perm, data)
	}
	return nil // devices and the like: not in packages' data
}

// close writes the trailer and flushes.
func (cw *cpioWriter) close() error {
	if err := cw.entry("TRAILER!!!", 0, nil); err != nil {
		return err
	}
	return cw.w.Flush()
}
