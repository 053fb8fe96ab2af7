// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "internal/stringslite"

// Boot archives and the initial working directory.
//
// Each boot module (on xen, QEMU -initrd FILE; on solo5, the block
// device initrd) is read as a newc cpio
// archive (newc_unikernel.go) and its files, directories and symbolic
// links are created read-only in the root file system. Names in the
// archive are relative to "/", or to DIR if the module's command line
// holds the word mount=DIR (an absolute path). Directories that the
// archive names or implies and that do not exist yet are created
// read-only too; existing ones (/, /tmp) keep their mode and stay
// writable. Other entry types (devices, FIFOs) are skipped, and hard
// links are not recognised: each entry is a separate file.
//
// A malformed archive is not mounted at all: one line saying why goes
// to the console and the program starts without it. An entry that
// collides with an existing file is skipped with one line. Failing the
// boot instead would hide the program's own output behind a problem
// it may not care about.
//
// Then, if the environment has PWD=/abs/path naming a directory, that
// is the working directory, as a Unix shell would have left it; the
// exec wrapper sets PWD to the directory go test runs the test in.

func init() {
	mods, cmdlines := bootModules()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, m := range mods {
		fs.mountNewc(i, m, cmdlines[i])
	}
	if pwd, ok := Getenv("PWD"); ok && len(pwd) > 0 && pwd[0] == '/' {
		if l, err := fs.resolve(fs.root, pwd, true); err == nil && l.ip != nil && l.ip.isDir() {
			fs.cwd = l.ip
		}
	}
}

// bootMessage writes one line about boot module i to the console.
func bootMessage(i int, msg string) {
	consoleWrite(Stderr, []byte("syscall: boot module "+itoaNewc(i)+": "+msg+"\n"))
}

// mountNewc creates the files of archive b, boot module i. fs.mu must
// be held.
func (fs *fileSystem) mountNewc(i int, b []byte, cmdline string) {
	at := fs.root
	if dir, ok := mountOption(cmdline); ok {
		if dir == "" || dir[0] != '/' {
			bootMessage(i, "mount="+quoteNewc(dir)+" is not an absolute path; module ignored")
			return
		}
		clean, ok := cleanNewcName(dir)
		if !ok {
			bootMessage(i, "mount="+quoteNewc(dir)+" has a \"..\" component; module ignored")
			return
		}
		if at = fs.bootMkdirAll(at, clean); at == nil {
			bootMessage(i, "mount="+quoteNewc(dir)+": not a directory; module ignored")
			return
		}
	}
	if err := parseNewc(b, nil); err != nil {
		bootMessage(i, "not a newc cpio archive, ignored: "+err.Error())
		return
	}
	parseNewc(b, func(e newcEntry) {
		dirPath, name := "", e.name
		for j := len(e.name) - 1; j >= 0; j-- {
			if e.name[j] == '/' {
				dirPath, name = e.name[:j], e.name[j+1:]
				break
			}
		}
		if len(name) > nameMax {
			bootMessage(i, quoteNewc(e.name)+": name too long; skipped")
			return
		}
		dir := fs.bootMkdirAll(at, dirPath)
		if dir == nil {
			bootMessage(i, quoteNewc(e.name)+": a parent is not a directory; skipped")
			return
		}
		old := dir.entries[name]
		var ip *inode
		switch e.mode & S_IFMT {
		case S_IFDIR:
			if old != nil && old.isDir() {
				if old.readOnly { // ours: take the archive's mode
					old.mode = S_IFDIR | e.mode&07777
					old.mtime = Timespec{Sec: e.mtime}
				}
				return
			}
			ip = fs.newInode(S_IFDIR | e.mode&07777)
		case S_IFREG:
			ip = fs.newInode(S_IFREG | e.mode&07777)
			ip.data = e.data
			ip.size = int64(len(e.data))
		case S_IFLNK:
			ip = fs.newInode(S_IFLNK | 0777)
			ip.target = string(e.data)
		default:
			return
		}
		if old != nil {
			bootMessage(i, quoteNewc(e.name)+": already exists; skipped")
			return
		}
		ip.readOnly = true
		ip.mtime = Timespec{Sec: e.mtime}
		ip.ctime = ip.mtime
		fs.link(dir, name, ip)
	})
}

// bootMkdirAll returns the directory at path (slash-separated, relative
// to dir), creating missing ones read-only, or nil if a component is
// something else. fs.mu must be held.
func (fs *fileSystem) bootMkdirAll(dir *inode, path string) *inode {
	for path != "" {
		var name string
		name, path, _ = stringslite.Cut(path, "/")
		next := dir.entries[name]
		if next == nil {
			next = fs.newInode(S_IFDIR | 0755)
			next.readOnly = true
			fs.link(dir, name, next)
		}
		if !next.isDir() {
			return nil
		}
		dir = next
	}
	return dir
}

// mountOption returns DIR from a word mount=DIR of a module's command
// line (words separated by spaces; QEMU's -initrd gives none).
func mountOption(cmdline string) (string, bool) {
	for cmdline != "" {
		var w string
		w, cmdline, _ = stringslite.Cut(cmdline, " ")
		if dir, ok := stringslite.CutPrefix(w, "mount="); ok {
			return dir, true
		}
	}
	return "", false
}
