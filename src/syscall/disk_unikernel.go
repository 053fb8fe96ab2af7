// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

import "internal/devices"

// /dev/vda or /dev/xvda: the machine's block device
// (internal/devices.Disk, over any block.Device: the first virtio-blk
// device, on Xen the first vbd, on Solo5 the first BLOCK_BASIC
// device), set up on first use. Its node exists only if the device
// does.

func hasDisk() bool { return devices.HasDisk() }

func diskNode() (name string, major uint64) { return devices.DiskNode() }

func diskOpen() (*devices.Disk, error) {
	d, err := devices.OpenDisk()
	if err != nil {
		name, _ := diskNode()
		consoleWrite(Stderr, []byte("syscall: /dev/"+name+": "+err.Error()+"\n"))
	}
	return d, err
}

func (k *disk) size() int64 {
	d, err := diskOpen()
	if err != nil {
		return 0
	}
	return d.Size()
}

func (k *disk) readAt(p []byte, off int64) (int, error) {
	d, err := diskOpen()
	if err != nil {
		return 0, EIO
	}
	n, err := d.ReadAt(p, off)
	if err != nil {
		return n, EIO
	}
	return n, nil
}

func (k *disk) writeAt(p []byte, off int64) (int, error) {
	d, err := diskOpen()
	if err != nil {
		return 0, EIO
	}
	if d.ReadOnly() {
		return 0, EROFS
	}
	n, err := d.WriteAt(p, off)
	switch {
	case err == devices.ErrDiskFull:
		return n, ENOSPC
	case err != nil:
		return n, EIO
	}
	return n, nil
}

func (k *disk) sync() error {
	d, err := diskOpen()
	if err != nil {
		return EIO
	}
	if d.Flush() != nil {
		return EIO
	}
	return nil
}
