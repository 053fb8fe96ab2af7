// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// platform returns the name of the platform the runtime found at boot
// (runtime/machine_unikernel.go).
func platform() string

// FindVirtio returns the first virtio device of type typ, or nil. The
// arm64 port finds no devices yet: the device tree's virtio-mmio
// windows need interrupts, which it does not route yet.
func FindVirtio(typ uint32) *VirtioDevice {
	return nil
}
