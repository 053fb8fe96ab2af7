// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "unsafe"

// Memory mappings. There is one address space and no pager:
//
//   - an anonymous mapping is zeroed memory from the Go heap, aligned
//     to a page as mmap's is, and kept alive until Munmap;
//   - a shared mapping of a regular file aliases the file's contents
//     in memory, so the mapping and Read, Write, Pread and Pwrite see
//     each other's writes, as they do through Linux's page cache. While
//     a file has shared mappings its array cannot move: a write that
//     needs more room than the array has fails with ENOMEM, as does a
//     mapping that reaches past it while another is live (bbolt and
//     others unmap before they map a grown file again);
//   - a private mapping of a file is a copy of its contents.
//
// Protections are not enforced: the image's memory is mapped read-write
// throughout.

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

// A mapping is a live result of Mmap: of the file ip from off, if ip
// is set, and then aliasing its contents if shared is set.
type mapping struct {
	b      []byte
	ip     *inode
	off    int64
	shared bool
}

// mappings holds the live mappings; fs.mu guards it. Two may start at
// the same byte: shared mappings of one file at one offset.
var mappings []mapping

// pageAligned returns n zeroed bytes that start on a page.
func pageAligned(n int) []byte {
	// The heap gives page-sized objects page alignment; a page more
	// makes up for it if that ever changes.
	size := (n + pageSize - 1) &^ (pageSize - 1)
	b := make([]byte, size)
	if uintptr(unsafe.Pointer(&b[0]))%pageSize != 0 {
		b = make([]byte, size+pageSize)
		off := pageSize - int(uintptr(unsafe.Pointer(&b[0]))%pageSize)
		b = b[off : off+size]
	}
	return b[:n]
}

// Mmap maps length bytes of memory (MAP_ANON, fd -1) or of the regular
// file open as fd from offset.
func Mmap(fd int, offset int64, length int, prot int, flags int) (data []byte, err error) {
	if length <= 0 || offset < 0 || offset%pageSize != 0 || length > maxFileSize || offset > maxFileSize-int64(length) {
		return nil, EINVAL
	}
	shared := flags&MAP_TYPE == MAP_SHARED
	if !shared && flags&MAP_TYPE != MAP_PRIVATE {
		return nil, EINVAL
	}
	if flags&MAP_FIXED != 0 {
		return nil, EINVAL // Mmap has no address to fix the mapping at
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var ip *inode
	if flags&MAP_ANON != 0 {
		data = pageAligned(length)
	} else {
		f, err := fs.file(fd)
		if err != nil {
			return nil, err
		}
		if !f.ip.isRegular() {
			return nil, ENODEV
		}
		if !f.readable() || shared && prot&PROT_WRITE != 0 && !f.writable() {
			return nil, EACCES
		}
		ip = f.ip
		if shared {
			if data, err = ip.mapShared(offset, length); err != nil {
				return nil, err
			}
		} else {
			data = pageAligned(length)
			ip.readAt(data, offset)
		}
	}
	data = data[:length:length]
	mappings = append(mappings, mapping{b: data, ip: ip, off: offset, shared: ip != nil && shared})
	return data, nil
}

// mapShared returns ip's contents from off for n bytes, on a page-aligned
// array that then stays, and counts the mapping. fs.mu must be held.
func (ip *inode) mapShared(off int64, n int) ([]byte, error) {
	end := off + int64(n)
	base := unsafe.SliceData(ip.data)
	if end > int64(cap(ip.data)) || cap(ip.data) == 0 || uintptr(unsafe.Pointer(base))%pageSize != 0 {
		if ip.mapped > 0 {
			return nil, ENOMEM
		}
		data := pageAligned(int(max(end, int64(cap(ip.data)))))[:len(ip.data)]
		copy(data, ip.data)
		ip.data = data
	}
	ip.mapped++
	ip.fillMapped()
	return ip.data[off:end], nil
}

// fillMapped extends data to the file's size, or to the end of its
// array if that comes first, so that what a mapping writes inside the
// file is the file's.
// fs.mu must be held.
func (ip *inode) fillMapped() {
	n := min(ip.size, int64(cap(ip.data)))
	if old := int64(len(ip.data)); n > old {
		ip.data = ip.data[:n]
		clear(ip.data[old:])
	}
}

// Munmap removes a mapping that Mmap returned.
func Munmap(b []byte) error {
	if len(b) == 0 {
		return EINVAL
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, m := range mappings {
		if &m.b[0] == &b[0] && len(m.b) == len(b) {
			last := len(mappings) - 1
			copy(mappings[i:], mappings[i+1:])
			mappings[last] = mapping{} // so the array does not keep the memory
			mappings = mappings[:last]
			if m.shared {
				m.ip.mapped--
			}
			return nil
		}
	}
	return EINVAL
}

// Madvise takes advice about memory. Only MADV_DONTNEED and
// MADV_REMOVE change anything, as they do on Linux for private
// mappings: anonymous pages read as zeros afterwards, and a file's as
// the file again (a shared mapping's are the file already).
func Madvise(b []byte, advice int) error {
	switch advice {
	case MADV_DONTNEED, MADV_REMOVE:
		if len(b) == 0 {
			return nil
		}
		fs.mu.Lock()
		defer fs.mu.Unlock()
		p := uintptr(unsafe.Pointer(&b[0]))
		for _, m := range mappings {
			start := uintptr(unsafe.Pointer(&m.b[0]))
			if p < start || p >= start+uintptr(len(m.b)) || m.ip == nil {
				continue
			}
			if !m.shared {
				clear(b) // for the part past the end of the file
				m.ip.readAt(b, m.off+int64(p-start))
			}
			return nil
		}
		clear(b)
	case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE,
		MADV_HUGEPAGE, MADV_NOHUGEPAGE:
	default:
		return EINVAL
	}
	return nil
}

// Mprotect accepts every valid protection and enforces none.
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
