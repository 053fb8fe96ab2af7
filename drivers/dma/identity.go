// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package dma

import "unsafe"

// IdentityMemory is a Memory for a machine whose RAM is mapped at its
// physical addresses and whose devices reach it there (KVM, QEMU's
// virtio), as the Mirago runtime maps it on xen/amd64: a buffer's
// virtual address is the address a device uses.
//
// It allocates from the Go heap, which never moves objects, and keeps
// every buffer referenced forever, so the collector never frees memory
// a device may still write. It must not be used where virtual and
// physical addresses differ (on the host, in a normal process).
type IdentityMemory struct {
	keep [][]byte
}

func (m *IdentityMemory) Alloc(size, align int) ([]byte, uint64) {
	if align < 1 {
		align = 1
	}
	b := make([]byte, size+align-1)
	m.keep = append(m.keep, b)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	off := int(-addr & uintptr(align-1))
	return b[off : off+size : off+size], uint64(addr) + uint64(off)
}
