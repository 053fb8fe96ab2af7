// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import "sort"

// fakeMem is a fake physical address space: Alloc hands out Go slices at
// made-up physical addresses above 4 GiB (so the high halves of address
// registers matter), with an unmapped gap after each, and the fake
// device finds the bytes behind a physical address with slice. Both
// sides thus share the same memory, as a guest and a device do.
type fakeMem struct {
	next    uint64
	regions []region // sorted by phys
}

type region struct {
	phys uint64
	buf  []byte
}

// memBase is where fake physical memory starts.
const memBase = 0x1_2340_0000

func newFakeMem() *fakeMem { return &fakeMem{next: memBase} }

func (m *fakeMem) Alloc(size, align int) ([]byte, uint64) {
	if align < 1 || align&(align-1) != 0 {
		panic("fakeMem.Alloc: bad alignment")
	}
	phys := (m.next + uint64(align) - 1) &^ (uint64(align) - 1)
	// Back the region with a 4-byte aligned Go allocation, as the
	// atomic accesses to ring indices need; the phys alignment is
	// what the device checks.
	buf := make([]byte, (size+7)&^7)[:size]
	m.regions = append(m.regions, region{phys, buf})
	m.next = phys + uint64(size) + 64 // unmapped guard gap
	return buf, phys
}

// slice returns the n bytes at phys, if they lie in one allocation.
func (m *fakeMem) slice(phys uint64, n uint32) ([]byte, bool) {
	i := sort.Search(len(m.regions), func(i int) bool { return m.regions[i].phys > phys }) - 1
	if i < 0 {
		return nil, false
	}
	r := m.regions[i]
	off := phys - r.phys
	if off > uint64(len(r.buf)) || uint64(n) > uint64(len(r.buf))-off {
		return nil, false
	}
	return r.buf[off : off+uint64(n)], true
}
