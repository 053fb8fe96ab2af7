// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"bytes"
	"testing"

	"mirago.dev/sys/virtiospec"
)

var allBlk = bit(virtiospec.FVersion1) | bit(virtiospec.FRingEventIdx) | bit(virtiospec.BlkFSizeMax) |
	bit(virtiospec.BlkFSegMax) | bit(virtiospec.BlkFBlkSize) | bit(virtiospec.BlkFFlush)

func newTestBlk(t *testing.T, offered uint64, model *fakeBlk, sizeMax, segMax uint32, o *BlkOptions) (*fakeDev, *Blk) {
	t.Helper()
	d := newFakeDev(virtiospec.IDBlock, offered, model,
		blkConfig(uint64(len(model.disk)/512), sizeMax, segMax, 4096), 16)
	tr, err := NewMMIO(newFakeMMIO(d))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBlk(tr, d.mem, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, b
}

func pattern(n int, seed byte) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed ^ byte(i) ^ byte(i>>9)
	}
	return p
}

func TestBlkReadWrite(t *testing.T) {
	for _, c := range []struct {
		name            string
		sizeMax, segMax uint32
		o               *BlkOptions
	}{
		{"defaults", 0, 0, nil},
		{"small transfers", 0, 0, &BlkOptions{MaxTransfer: 1024}},
		{"1 KiB segments, 3 per request", 1024, 3, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			model := &fakeBlk{disk: make([]byte, 1<<20)}
			d, b := newTestBlk(t, allBlk, model, c.sizeMax, c.segMax, c.o)
			if b.Capacity() != 2048 || b.BlockSize() != 4096 || b.ReadOnly() {
				t.Errorf("Capacity %d, BlockSize %d, ReadOnly %v", b.Capacity(), b.BlockSize(), b.ReadOnly())
			}
			w := pattern(20*512, 1)
			if err := b.WriteSectors(100, w); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(model.disk[100*512:120*512], w) {
				t.Errorf("disk does not hold what was written")
			}
			r := make([]byte, len(w)+1024)
			if err := b.ReadSectors(99, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r[512:512+len(w)], w) || !bytes.Equal(r[:512], make([]byte, 512)) {
				t.Errorf("read back different data")
			}
			if err := b.Flush(); err != nil || model.flushes != 1 {
				t.Errorf("Flush = %v, %d flushes", err, model.flushes)
			}
			noDeviceErrors(t, d)
		})
	}
}

// TestBlkPersistence writes, resets the device, sets up a new driver
// and reads the data back, as a reboot with the same disk image does.
func TestBlkPersistence(t *testing.T) {
	model := &fakeBlk{disk: make([]byte, 64<<10), id: "mirago-disk-0"}
	d, b := newTestBlk(t, allBlk, model, 0, 0, nil)
	w := pattern(4096, 9)
	if err := b.WriteSectors(8, w); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := b.Device().Reset(); err != nil {
		t.Fatal(err)
	}
	tr, _ := NewMMIO(newFakeMMIO(d))
	b2, err := NewBlk(tr, d.mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := make([]byte, 4096)
	if err := b2.ReadSectors(8, r); err != nil || !bytes.Equal(r, w) {
		t.Errorf("after reset: ReadSectors = %v, data equal %v", err, bytes.Equal(r, w))
	}
	if id, err := b2.ID(); err != nil || id != "mirago-disk-0" {
		t.Errorf("ID = %q, %v", id, err)
	}
	noDeviceErrors(t, d)
}

func TestBlkErrors(t *testing.T) {
	tests := []struct {
		name    string
		offered uint64
		model   fakeBlk
		op      func(b *Blk) error
		want    error
	}{
		{"write to a read-only device", allBlk | bit(virtiospec.BlkFRO), fakeBlk{},
			func(b *Blk) error { return b.WriteSectors(0, make([]byte, 512)) }, ErrReadOnly},
		{"past the end", allBlk, fakeBlk{},
			func(b *Blk) error { return b.ReadSectors(127, make([]byte, 1024)) }, ErrOutOfRange},
		{"sector overflow", allBlk, fakeBlk{},
			func(b *Blk) error { return b.ReadSectors(^uint64(0), make([]byte, 512)) }, ErrOutOfRange},
		{"partial sector", allBlk, fakeBlk{},
			func(b *Blk) error { return b.ReadSectors(0, make([]byte, 100)) }, ErrUnaligned},
		{"IOERR", allBlk, fakeBlk{ioErr: true},
			func(b *Blk) error { return b.ReadSectors(0, make([]byte, 512)) }, ErrIO},
		{"UNSUPP", allBlk, fakeBlk{badState: virtiospec.BlkSUnsupp},
			func(b *Blk) error { _, err := b.ID(); return err }, ErrUnsupported},
		{"unknown status", allBlk, fakeBlk{badState: 7},
			func(b *Blk) error { return b.WriteSectors(0, make([]byte, 512)) }, ErrBadStatus},
		{"status never written", allBlk, fakeBlk{noStatus: true},
			func(b *Blk) error { return b.Flush() }, ErrBadStatus},
		{"flush without FLUSH is a no-op", allBlk &^ bit(virtiospec.BlkFFlush), fakeBlk{ioErr: true},
			func(b *Blk) error { return b.Flush() }, nil},
	}
	for _, tt := range tests {
		model := tt.model
		model.disk = make([]byte, 64<<10)
		d, b := newTestBlk(t, tt.offered, &model, 0, 0, nil)
		if err := tt.op(b); err != tt.want {
			t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
		}
		noDeviceErrors(t, d)
	}
}

// TestBlkHang plays a device that never completes a request, then
// completes it late.
func TestBlkHang(t *testing.T) {
	model := &fakeBlk{disk: make([]byte, 64<<10), hang: true}
	idles := 0
	d, b := newTestBlk(t, allBlk, model, 0, 0, &BlkOptions{Idle: func() bool { idles++; return idles%10 != 0 }})
	buf := make([]byte, 512)
	if err := b.ReadSectors(0, buf); err != ErrTimeout {
		t.Fatalf("ReadSectors on a hung device = %v; want ErrTimeout", err)
	}
	// The buffers still belong to the device: the next request must
	// not reuse them.
	if err := b.ReadSectors(0, buf); err != ErrTimeout {
		t.Errorf("second ReadSectors = %v; want ErrTimeout while the first is outstanding", err)
	}
	model.hang = false
	d.pushRaw(0, uint32(model.hung[0]), 1)
	if err := b.WriteSectors(0, pattern(512, 1)); err != nil {
		t.Errorf("after the late completion: %v", err)
	}
	noDeviceErrors(t, d)
}
