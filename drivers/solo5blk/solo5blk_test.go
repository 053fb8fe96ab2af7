// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package solo5blk

import (
	"bytes"
	"strings"
	"testing"

	"mirago.dev/drivers/block"
)

var _ block.Device = (*Blk)(nil)

// fakeFile is the host file as the tender's filter lets the guest see
// it: a call with any other length or offset than one block inside
// the file fails the test, as it would kill the tender. A non-zero err
// is returned (negated) by the next calls, eintr times EINTR first.
type fakeFile struct {
	t     *testing.T
	data  []byte
	bs    int
	calls int
	err   int
	eintr int
}

func (f *fakeFile) check(p []byte, off int64) {
	f.t.Helper()
	f.calls++
	if len(p) != f.bs || off < 0 || off > int64(len(f.data)-f.bs) {
		f.t.Fatalf("call with %d bytes at %d: the filter allows %d bytes at 0..%d", len(p), off, f.bs, len(f.data)-f.bs)
	}
}

func (f *fakeFile) fail() int {
	if f.eintr > 0 {
		f.eintr--
		return -errnoINTR
	}
	return -f.err
}

func (f *fakeFile) ReadAt(p []byte, off int64) int {
	f.check(p, off)
	if f.err != 0 || f.eintr > 0 {
		return f.fail()
	}
	return copy(p, f.data[off:])
}

func (f *fakeFile) WriteAt(p []byte, off int64) int {
	f.check(p, off)
	if f.err != 0 || f.eintr > 0 {
		return f.fail()
	}
	return copy(f.data[off:], p)
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		capacity uint64
		bs       uint16
		ok       bool
	}{
		{4096, 512, true},
		{1 << 30, 4096, true},
		{512, 512, true},
		{0, 512, false},    // solo5-spt refuses an empty file
		{1000, 512, false}, // not whole blocks
		{4096, 256, false}, // below 512
		{4096, 768, false}, // not a power of two
		{4096, 0, false},
	} {
		_, err := New(&fakeFile{t: t}, tc.capacity, tc.bs)
		if (err == nil) != tc.ok {
			t.Errorf("New(capacity %d, block size %d): %v, want ok=%v", tc.capacity, tc.bs, err, tc.ok)
		}
	}
}

func TestReadWrite(t *testing.T) {
	f := &fakeFile{t: t, data: make([]byte, 8*512), bs: 512}
	b, err := New(f, uint64(len(f.data)), 512)
	if err != nil {
		t.Fatal(err)
	}
	if b.Capacity() != 8 || b.SectorSize() != 512 || b.ReadOnly() {
		t.Fatalf("Capacity %d, SectorSize %d, ReadOnly %v; want 8, 512, false", b.Capacity(), b.SectorSize(), b.ReadOnly())
	}
	w := bytes.Repeat([]byte("0123456789abcdef"), 3*512/16)
	if err := b.WriteSectors(5, w); err != nil {
		t.Fatal(err)
	}
	if f.calls != 3 {
		t.Errorf("writing 3 blocks made %d calls, want 3", f.calls)
	}
	if !bytes.Equal(f.data[5*512:], w) || !bytes.Equal(f.data[:5*512], make([]byte, 5*512)) {
		t.Errorf("the file after writing blocks 5-7 is wrong")
	}
	r := make([]byte, 4*512)
	if err := b.ReadSectors(4, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r[512:], w) || !bytes.Equal(r[:512], make([]byte, 512)) {
		t.Errorf("reading blocks 4-7 gave the wrong bytes")
	}
	if err := b.Flush(); err != nil {
		t.Errorf("Flush: %v", err)
	}
}

func TestErrors(t *testing.T) {
	f := &fakeFile{t: t, data: make([]byte, 4*512), bs: 512}
	b, err := New(f, uint64(len(f.data)), 512)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 512)
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"past the end", func() error { return b.ReadSectors(4, p) }, "past the end"},
		{"across the end", func() error { return b.WriteSectors(3, make([]byte, 1024)) }, "past the end"},
		{"huge sector", func() error { return b.ReadSectors(1<<63, p) }, "past the end"},
		{"part of a block", func() error { return b.ReadSectors(0, p[:100]) }, "whole number"},
		{"errno", func() error { f.err = 5; defer func() { f.err = 0 }(); return b.WriteSectors(0, p) }, "pwrite64: errno 5"},
	} {
		err := tc.do()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	// EINTR is tried again.
	f.eintr = 2
	copy(f.data, "hello")
	if err := b.ReadSectors(0, p); err != nil || string(p[:5]) != "hello" {
		t.Errorf("after EINTR twice: %v, %q", err, p[:5])
	}
}
