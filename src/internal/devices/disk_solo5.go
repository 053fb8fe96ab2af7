// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"unsafe"

	"mirago.dev/drivers/solo5blk"
	"mirago.dev/sys/solo5"
)

// The disk on GOOS=solo5: the manifest's first BLOCK_BASIC device,
// which the linker declares, as "storage", for a program that names
// /dev/vda, and solo5-spt --block:storage=FILE attaches to a host
// file (solo5-hvt likewise). Its node is /dev/vda, as for a
// virtio-blk disk, so that a program finds its disk under the same
// name on xen and on solo5.

// Provided by the runtime (os_solo5.go).

// solo5BlockRead and solo5BlockWrite transfer one block at offset off
// of the block device with handle h; they return a length or a
// negated errno.
func solo5BlockRead(h int, p unsafe.Pointer, n int, off int64) int
func solo5BlockWrite(h int, p unsafe.Pointer, n int, off int64) int

// blockDevice returns the manifest's first BLOCK_BASIC entry other
// than the boot archive, and its handle, or -1 if there is none.
func blockDevice() (solo5.Entry, int, error) {
	return firstDevice(solo5.DevBlockBasic, initrdName)
}

// initrdName is the BLOCK_BASIC device that holds a boot archive: the
// linker declares it for a test binary, and the exec wrapper attaches
// an archive of the working directory to it (solo5-spt
// --block:initrd=FILE).
const initrdName = "initrd"

// ReadInitrd returns the contents of the boot archive device, or nil
// if the image declares none.
func ReadInitrd() ([]byte, error) {
	m, err := manifest()
	if err != nil {
		return nil, err
	}
	for h, e := range m.Entries {
		if e.Type != solo5.DevBlockBasic || e.Name != initrdName {
			continue
		}
		b, name, err := openBlock(e, h)
		if err != nil {
			return nil, err
		}
		p := make([]byte, e.BlockCapacity)
		if err := b.ReadSectors(0, p); err != nil {
			return nil, Error(name + ": " + err.Error())
		}
		return p, nil
	}
	return nil, nil
}

// HasDisk reports whether the image declares a block device.
func HasDisk() bool {
	_, h, _ := blockDevice()
	return h > 0
}

// DiskNode returns vda, with virtio-blk's major number (254).
func DiskNode() (name string, major uint64) { return "vda", 254 }

func setupDisk() (*Disk, error) {
	e, h, err := blockDevice()
	if err != nil {
		return nil, err
	}
	if h <= 0 {
		return nil, ErrNoDisk
	}
	b, name, err := openBlock(e, h)
	if err != nil {
		return nil, err
	}
	return newDisk(b, name), nil
}

// openBlock returns the driver of the BLOCK_BASIC device e, whose
// handle is h, and its name for messages.
func openBlock(e solo5.Entry, h int) (*solo5blk.Blk, string, error) {
	name := "Solo5 BLOCK_BASIC device " + e.Name
	if !e.Attached {
		return nil, name, Error(name + " is not attached (the tender's --block:" + e.Name + "=FILE)")
	}
	b, err := solo5blk.New(blockPort(h), e.BlockCapacity, e.BlockBlockSize)
	if err != nil {
		return nil, name, Error(name + ": " + err.Error())
	}
	return b, name, nil
}

// blockPort is a block device's handle. It implements solo5blk.Port.
type blockPort int

func (h blockPort) ReadAt(p []byte, off int64) int {
	if len(p) == 0 {
		return 0
	}
	return solo5BlockRead(int(h), unsafe.Pointer(&p[0]), len(p), off)
}

func (h blockPort) WriteAt(p []byte, off int64) int {
	if len(p) == 0 {
		return 0
	}
	return solo5BlockWrite(int(h), unsafe.Pointer(&p[0]), len(p), off)
}
