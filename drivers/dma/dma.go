// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package dma states how drivers get memory that a device (or, on Xen,
// a backend domain) may read and write. Where guest memory is
// identity-mapped for the device (KVM, QEMU's virtio), the address is
// the buffer's physical address; on Xen it is a grant reference for the
// page, given to the backend.
package dma

// Memory allocates buffers shared with a device.
//
// Drivers allocate all their DMA memory when a device is set up and
// copy data in and out of it, so callers never pass their own slices to
// a device. In tests, Memory is a fake physical address space shared
// with a fake device.
type Memory interface {
	// Alloc returns size zeroed bytes aligned to align (a power of
	// two), and the address the device uses for them: a physical
	// address, or a grant reference. The buffer is never freed or
	// moved while the device may still use it, which for most
	// devices is until they are reset: for the life of the program.
	Alloc(size, align int) (buf []byte, addr uint64)
}
