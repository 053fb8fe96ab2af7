// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package unix

// The *at calls on GOOS=xen and GOOS=solo5. Package syscall implements
// them in its in-memory file system (syscall/fs_unikernel.go); this
// file gives them the names and signatures that package os uses on
// Unix, so that os.Root and os.RemoveAll work relative to an open
// directory as they do there.

import (
	"syscall"
	_ "unsafe" // for go:linkname
)

const (
	AT_EACCESS          = syscall.AT_EACCESS
	AT_FDCWD            = syscall.AT_FDCWD
	AT_REMOVEDIR        = syscall.AT_REMOVEDIR
	AT_SYMLINK_NOFOLLOW = syscall.AT_SYMLINK_NOFOLLOW

	UTIME_OMIT = syscall.UTIME_OMIT
)

func Openat(dirfd int, path string, flags int, perm uint32) (int, error) {
	return syscall.Openat(dirfd, path, flags, perm)
}

func Fstatat(dirfd int, path string, stat *syscall.Stat_t, flags int) error {
	return syscall.Fstatat(dirfd, path, stat, flags)
}

func Unlinkat(dirfd int, path string, flags int) error {
	return unlinkat(dirfd, path, flags)
}

// unlinkat is package syscall's, which takes the flags; its exported
// Unlinkat has Linux's signature, without them.
//
//go:linkname unlinkat syscall.unlinkat
func unlinkat(dirfd int, path string, flags int) error

func Mkdirat(dirfd int, path string, mode uint32) error {
	return syscall.Mkdirat(dirfd, path, mode)
}

func Readlinkat(dirfd int, path string, buf []byte) (int, error) {
	return syscall.Readlinkat(dirfd, path, buf)
}

func Fchmodat(dirfd int, path string, mode uint32, flags int) error {
	return syscall.Fchmodat(dirfd, path, mode, flags)
}

func Fchownat(dirfd int, path string, uid, gid int, flags int) error {
	return syscall.Fchownat(dirfd, path, uid, gid, flags)
}

func Renameat(olddirfd int, oldpath string, newdirfd int, newpath string) error {
	return syscall.Renameat(olddirfd, oldpath, newdirfd, newpath)
}

func Linkat(olddirfd int, oldpath string, newdirfd int, newpath string, flag int) error {
	return syscall.Linkat(olddirfd, oldpath, newdirfd, newpath, flag)
}

func Symlinkat(oldpath string, newdirfd int, newpath string) error {
	return syscall.Symlinkat(oldpath, newdirfd, newpath)
}

func Utimensat(dirfd int, path string, times *[2]syscall.Timespec, flag int) error {
	return syscall.Utimensat(dirfd, path, times, flag)
}
