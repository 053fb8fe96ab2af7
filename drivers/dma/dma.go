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
type Memory interface {
	// Alloc returns size bytes aligned to align (a power of two), and
	// the address the device uses for them: a physical address, or a
	// grant reference. The buffer is never freed or moved while the
	// device may still use it.
	Alloc(size, align int) (buf []byte, addr uint64)
}
