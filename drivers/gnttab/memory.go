// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package gnttab

import (
	"unsafe"

	"mirago.dev/drivers/dma"
	"mirago.dev/sys/xen"
)

// IdentityFrame returns the frame number of page on a machine whose RAM
// is mapped at its physical addresses, as the Mirago runtime maps it on
// Xen: its address >> 12. It must not be used on the host.
func IdentityFrame(page []byte) uint64 {
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(page)))) >> xen.PageShift
}

// AllocPages returns n zeroed, page-aligned pages from the Go heap,
// which never moves or frees them while they are referenced; callers
// keep them as long as a grant may name them.
func AllocPages(n int) []byte {
	b := make([]byte, (n+1)*xen.PageSize)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & (xen.PageSize - 1))
	return b[off : off+n*xen.PageSize : off+n*xen.PageSize]
}

// Memory is a dma.Memory that shares pages with one backend domain:
// each buffer is whole pages, granted read-write to the backend under
// consecutive references, and its address is the first reference
// (page i of the buffer is reference addr+i). Buffers are never freed:
// the backend may hold their references for as long as the device
// lives.
type Memory struct {
	t       *Table
	backend uint16
	frame   func(page []byte) uint64
	keep    [][]byte
}

var _ dma.Memory = (*Memory)(nil)

// NewMemory returns a Memory granting to domain backend. frame gives a
// page's frame number; nil means IdentityFrame.
func NewMemory(t *Table, backend uint16, frame func(page []byte) uint64) *Memory {
	if frame == nil {
		frame = IdentityFrame
	}
	return &Memory{t: t, backend: backend, frame: frame}
}

// Alloc returns size bytes at the start of freshly granted pages; every
// buffer is page-aligned, which satisfies any align up to a page. It
// panics if the grant table is full or align exceeds a page, as make
// does when memory runs out: dma.Memory has no error result.
func (m *Memory) Alloc(size, align int) ([]byte, uint64) {
	buf, ref, err := m.TryAlloc(size, align)
	if err != nil {
		panic("gnttab: Memory.Alloc: " + err.Error())
	}
	return buf, uint64(ref)
}

// TryAlloc is Alloc with an error instead of a panic.
func (m *Memory) TryAlloc(size, align int) ([]byte, Ref, error) {
	if align > xen.PageSize || size < 0 {
		return nil, 0, ErrBadRef
	}
	n := max(1, (size+xen.PageSize-1)/xen.PageSize)
	pages := AllocPages(n)
	frames := make([]uint64, n)
	for i := range frames {
		frames[i] = m.frame(pages[i*xen.PageSize : (i+1)*xen.PageSize])
	}
	ref, err := m.t.GrantFrames(m.backend, frames, false)
	if err != nil {
		return nil, 0, err
	}
	m.keep = append(m.keep, pages)
	return pages[:size:size], ref, nil
}
