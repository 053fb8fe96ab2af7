// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// The disk on GOOS=xen: the first vbd on Xen (blkfront), else the first
// virtio-blk device.

// HasDisk reports whether the machine has a block device, without
// setting it up.
func HasDisk() bool {
	if OnXen() {
		return hasXenDisk()
	}
	return hasVirtioBlk()
}

// DiskNode returns the name of the disk's node in /dev and its major
// device number, as Linux names the same device: xvda (202) for Xen's
// virtual block device, vda (254, virtblk) for virtio-blk.
func DiskNode() (name string, major uint64) {
	if OnXen() {
		return "xvda", 202
	}
	return "vda", 254
}

func setupDisk() (*Disk, error) {
	open := openVirtioBlk
	if OnXen() {
		open = openBlkfront
	}
	k, err := open()
	if k == nil && err == nil {
		err = ErrNoDisk
	}
	return k, err
}
