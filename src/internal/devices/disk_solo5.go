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
// file. Its node is /dev/vda, as for a virtio-blk disk, so that a
// program finds its disk under the same name on xen and on solo5.

// Provided by the runtime (machine_spt_solo5_amd64.go).

// sptPread and sptPwrite are pread64(2) and pwrite64(2) on host
// descriptor fd; they return a length or a negated errno.
func sptPread(fd int32, p unsafe.Pointer, n int, off int64) int
func sptPwrite(fd int32, p unsafe.Pointer, n int, off int64) int

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
	for _, e := range m.Entries {
		if e.Type != solo5.DevBlockBasic || e.Name != initrdName {
			continue
		}
		b, name, err := openBlock(e)
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
	b, name, err := openBlock(e)
	if err != nil {
		return nil, err
	}
	return newDisk(b, name), nil
}

// openBlock returns the driver of the BLOCK_BASIC device e, and its
// name for messages.
func openBlock(e solo5.Entry) (*solo5blk.Blk, string, error) {
	name := "Solo5 BLOCK_BASIC device " + e.Name
	if !e.Attached {
		return nil, name, Error(name + " is not attached (solo5-spt --block:" + e.Name + "=FILE)")
	}
	b, err := solo5blk.New(filePort(e.HostFD), e.BlockCapacity, e.BlockBlockSize)
	if err != nil {
		return nil, name, Error(name + ": " + err.Error())
	}
	return b, name, nil
}

// filePort is a host descriptor that the tender allows block-sized
// reads and writes on. It implements solo5blk.Port.
type filePort int32

func (fd filePort) ReadAt(p []byte, off int64) int {
	if len(p) == 0 {
		return 0
	}
	return sptPread(int32(fd), unsafe.Pointer(&p[0]), len(p), off)
}

func (fd filePort) WriteAt(p []byte, off int64) int {
	if len(p) == 0 {
		return 0
	}
	return sptPwrite(int32(fd), unsafe.Pointer(&p[0]), len(p), off)
}
