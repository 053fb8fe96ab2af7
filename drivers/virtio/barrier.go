// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"sync/atomic"
	"unsafe"
)

// Memory ordering with the device.
//
// The rings are shared with a device that runs concurrently (a host
// thread in QEMU, hardware elsewhere), and the protocol relies on order:
// the driver fills descriptors and the available ring entry before it
// publishes them by moving avail.idx, and reads used ring entries only
// after it has seen used.idx move past them (§2.7.13, §2.7.14). The
// notification suppression checks need a full barrier between the
// driver's store of an index and its load of the device's event index,
// or both sides may decide not to notify and the queue stalls.
//
// Go has no fence statement, but sync/atomic operations are sequentially
// consistent and the compiler does not move memory accesses across
// them. On amd64 an atomic store is XCHG (a full barrier) and ordinary
// stores are not reordered with other stores; on arm64 an atomic store
// is STLR (release: earlier accesses complete first), an atomic load
// LDAR (acquire: later accesses wait for it), and an STLR followed by an
// LDAR stays in order. So every index the two sides exchange is read or
// written here with a 32-bit atomic operation, and everything else
// (descriptors, ring entries, data) with plain accesses placed before a
// publishing store or after an observing load.
//
// sync/atomic has no 16-bit operations and the indices are le16, so
// the helpers access the aligned 32-bit word that contains the field.
// This needs a little-endian CPU (both Mirago architectures are) and
// rings whose areas are 4-byte aligned and padded to a multiple of 4
// bytes, which Queue guarantees by its allocation. A write of one half
// of a word uses compare-and-swap, so the other half, which may belong
// to the device, is never overwritten with a stale value.

// word returns the aligned 32-bit word of b holding the le16 at off.
func word(b []byte, off int) (*uint32, uint) {
	w := off &^ 3
	_ = b[w+3] // bounds check before the unsafe conversion
	return (*uint32)(unsafe.Pointer(&b[w])), uint(off&2) * 8
}

// load16 atomically loads the le16 at b[off].
func load16(b []byte, off int) uint16 {
	p, shift := word(b, off)
	return uint16(atomic.LoadUint32(p) >> shift)
}

// store16 atomically stores v as the le16 at b[off], leaving the other
// half of its word as it is.
func store16(b []byte, off int, v uint16) {
	p, shift := word(b, off)
	mask := uint32(0xffff) << shift
	for {
		old := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, old, old&^mask|uint32(v)<<shift) {
			return
		}
	}
}

// store32 atomically stores the le32 v at b[off], a multiple of 4.
func store32(b []byte, off int, v uint32) {
	p, _ := word(b, off)
	atomic.StoreUint32(p, v)
}
