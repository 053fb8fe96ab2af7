// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import (
	"sync"
	"unsafe"
)

// Memory mappings. There is one address space and no pager, so an
// anonymous mapping is zeroed memory from the Go heap, aligned to a
// page as mmap's is, and kept alive until Munmap. Protections are not
// enforced: the image's memory is mapped read-write throughout.
// Mapping a file is not supported yet and fails with ENODEV, as mmap
// does on Linux for a file that cannot be mapped.

const (
	PROT_NONE      = 0x0
	PROT_READ      = 0x1
	PROT_WRITE     = 0x2
	PROT_EXEC      = 0x4
	PROT_GROWSDOWN = 0x1000000
	PROT_GROWSUP   = 0x2000000

	MAP_SHARED     = 0x1
	MAP_PRIVATE    = 0x2
	MAP_TYPE       = 0xf
	MAP_FIXED      = 0x10
	MAP_ANON       = 0x20
	MAP_ANONYMOUS  = 0x20
	MAP_32BIT      = 0x40
	MAP_GROWSDOWN  = 0x100
	MAP_DENYWRITE  = 0x800
	MAP_EXECUTABLE = 0x1000
	MAP_LOCKED     = 0x2000
	MAP_NORESERVE  = 0x4000
	MAP_POPULATE   = 0x8000
	MAP_NONBLOCK   = 0x10000
	MAP_STACK      = 0x20000
	MAP_HUGETLB    = 0x40000

	MADV_NORMAL      = 0x0
	MADV_RANDOM      = 0x1
	MADV_SEQUENTIAL  = 0x2
	MADV_WILLNEED    = 0x3
	MADV_DONTNEED    = 0x4
	MADV_REMOVE      = 0x9
	MADV_DONTFORK    = 0xa
	MADV_DOFORK      = 0xb
	MADV_MERGEABLE   = 0xc
	MADV_UNMERGEABLE = 0xd
	MADV_HUGEPAGE    = 0xe
	MADV_NOHUGEPAGE  = 0xf
	MADV_HWPOISON    = 0x64

	MCL_CURRENT = 0x1
	MCL_FUTURE  = 0x2
)

const pageSize = 4096

// mappings holds the live anonymous mappings by their first byte.
var mappings struct {
	sync.Mutex
	m map[*byte][]byte
}

// Mmap maps length bytes. Only anonymous mappings (MAP_ANON, fd -1)
// are supported.
func Mmap(fd int, offset int64, length int, prot int, flags int) (data []byte, err error) {
	if length <= 0 || offset < 0 || offset%pageSize != 0 || length > 1<<46 {
		return nil, EINVAL
	}
	if t := flags & MAP_TYPE; t != MAP_SHARED && t != MAP_PRIVATE {
		return nil, EINVAL
	}
	if flags&MAP_FIXED != 0 {
		return nil, EINVAL // Mmap has no address to fix the mapping at
	}
	if flags&MAP_ANON == 0 {
		fs.mu.Lock()
		_, err := fs.file(fd)
		fs.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return nil, ENODEV
	}
	size := (length + pageSize - 1) &^ (pageSize - 1)
	// The heap gives page-sized objects page alignment; a page more
	// makes up for it if that ever changes.
	b := make([]byte, size)
	if uintptr(unsafe.Pointer(&b[0]))%pageSize != 0 {
		b = make([]byte, size+pageSize)
		off := pageSize - int(uintptr(unsafe.Pointer(&b[0]))%pageSize)
		b = b[off : off+size]
	}
	b = b[:length:length]
	mappings.Lock()
	defer mappings.Unlock()
	if mappings.m == nil {
		mappings.m = map[*byte][]byte{}
	}
	mappings.m[&b[0]] = b
	return b, nil
}

// Munmap removes a mapping that Mmap returned.
func Munmap(b []byte) error {
	if len(b) == 0 {
		return EINVAL
	}
	mappings.Lock()
	defer mappings.Unlock()
	m, ok := mappings.m[&b[0]]
	if !ok || len(m) != len(b) {
		return EINVAL
	}
	delete(mappings.m, &b[0])
	return nil
}

// Madvise takes advice about memory. Only MADV_DONTNEED and
// MADV_REMOVE change anything: the pages read as zeros afterwards, as
// private anonymous pages do on Linux.
func Madvise(b []byte, advice int) error {
	switch advice {
	case MADV_DONTNEED, MADV_REMOVE:
		clear(b)
	case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE,
		MADV_HUGEPAGE, MADV_NOHUGEPAGE:
	default:
		return EINVAL
	}
	return nil
}

// Mprotect accepts every protection and enforces none.
func Mprotect(b []byte, prot int) error {
	if prot&^(PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN|PROT_GROWSUP) != 0 {
		return EINVAL
	}
	return nil
}

// There is no paging, so every page is locked in memory already.

func Mlock(b []byte) error   { return nil }
func Munlock(b []byte) error { return nil }
func Mlockall(flags int) error {
	if flags&^(MCL_CURRENT|MCL_FUTURE) != 0 || flags == 0 {
		return EINVAL
	}
	return nil
}
func Munlockall() error { return nil }
