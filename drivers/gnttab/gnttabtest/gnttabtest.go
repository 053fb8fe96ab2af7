// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package gnttabtest plays Xen's side of grant tables for host tests:
// fake frame numbers for pages of Go memory, and a backend domain's
// view of a frontend's grant table, which resolves a grant reference to
// the granted page after the checks Xen makes.
package gnttabtest

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"

	"mirago.dev/sys/xen"
)

// Frames numbers pages with fake frame numbers and finds them again.
type Frames struct {
	mu    sync.Mutex
	next  uint64
	pages map[uint64][]byte
	byPtr map[*byte]uint64
}

// Frame returns page's fake frame number, assigning one the first time.
func (f *Frames) Frame(page []byte) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pages == nil {
		f.pages = make(map[uint64][]byte)
		f.byPtr = make(map[*byte]uint64)
		f.next = 0x1000
	}
	p := unsafe.SliceData(page)
	if fr, ok := f.byPtr[p]; ok {
		return fr
	}
	fr := f.next
	f.next++
	f.pages[fr] = page[:xen.PageSize:xen.PageSize]
	f.byPtr[p] = fr
	return fr
}

// Page returns the page with frame number fr, or nil.
func (f *Frames) Page(fr uint64) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pages[fr]
}

// Backend is a backend domain's access to a frontend's grants.
type Backend struct {
	Table  []byte // the frontend's grant table
	Frames *Frames
	Domid  uint16 // the backend's domain id
}

// Errors of Access, as Xen's GNTST_* would report them.
var (
	ErrRef        = errors.New("gnttabtest: reference outside the table")
	ErrNotGranted = errors.New("gnttabtest: reference not granted to this domain")
	ErrReadonly   = errors.New("gnttabtest: write access to a read-only grant")
	ErrFrame      = errors.New("gnttabtest: granted frame does not exist")
)

func (b *Backend) word(ref uint32) (*uint32, error) {
	off := int(ref) * xen.GrantEntryV1Size
	if off+xen.GrantEntryV1Size > len(b.Table) || off < 0 {
		return nil, ErrRef
	}
	return (*uint32)(unsafe.Pointer(&b.Table[off])), nil
}

// Access checks ref as Xen does for a grant copy or map by this domain
// and returns the granted page.
func (b *Backend) Access(ref uint32, write bool) ([]byte, error) {
	w, err := b.word(ref)
	if err != nil {
		return nil, err
	}
	v := atomic.LoadUint32(w)
	flags, domid := uint16(v), uint16(v>>16)
	if flags&xen.GTFTypeMask != xen.GTFPermitAccess || domid != b.Domid {
		return nil, ErrNotGranted
	}
	if write && flags&xen.GTFReadonly != 0 {
		return nil, ErrReadonly
	}
	off := int(ref) * xen.GrantEntryV1Size
	fr := binary.LittleEndian.Uint32(b.Table[off+xen.GrantEntryOffFrame:])
	p := b.Frames.Page(uint64(fr))
	if p == nil {
		return nil, ErrFrame
	}
	return p, nil
}

// Map is Access plus what Xen does for a mapping: it sets GTF_reading,
// and GTF_writing for a writable one, with a compare-and-swap, until
// Unmap.
func (b *Backend) Map(ref uint32, write bool) ([]byte, error) {
	for {
		p, err := b.Access(ref, write)
		if err != nil {
			return nil, err
		}
		w, _ := b.word(ref)
		old := atomic.LoadUint32(w)
		set := uint32(xen.GTFReading)
		if write {
			set |= xen.GTFWriting
		}
		if old&0xffff&(xen.GTFTypeMask) != xen.GTFPermitAccess {
			continue // ended under us; Access will say so
		}
		if atomic.CompareAndSwapUint32(w, old, old|set) {
			return p, nil
		}
	}
}

// Unmap clears the in-use bits Map set.
func (b *Backend) Unmap(ref uint32) {
	w, err := b.word(ref)
	if err != nil {
		return
	}
	for {
		old := atomic.LoadUint32(w)
		if atomic.CompareAndSwapUint32(w, old, old&^uint32(xen.GTFReading|xen.GTFWriting)) {
			return
		}
	}
}
