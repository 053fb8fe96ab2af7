// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package blkfront

import (
	"bytes"
	"testing"
	"time"

	"mirago.dev/drivers/xenring"
	"mirago.dev/sys/xen"
)

func pattern(n int, tag byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i/512) ^ byte(i) ^ tag
	}
	return b
}

func TestGeometry(t *testing.T) {
	bb, d := newTest(t, 1<<20, diskOpts{})
	if d.Capacity() != 2048 || d.SectorSize() != 512 || d.ReadOnly() {
		t.Errorf("Capacity %d SectorSize %d ReadOnly %v", d.Capacity(), d.SectorSize(), d.ReadOnly())
	}
	if v, _ := bb.srv.Read(feDir + "/state"); v != "4" {
		t.Errorf("frontend state %q", v)
	}
	if got := bb.table.InUse(); got != 1+11 {
		t.Errorf("%d grants; want 12 (ring and 11 data pages)", got)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestReadWrite(t *testing.T) {
	bb, d := newTest(t, 1<<20, diskOpts{})
	for _, tt := range []struct {
		sector uint64
		size   int
	}{{0, 512}, {1, 4096}, {7, 45056}, {100, 100 << 10}, {2047, 512}, {1000, 11*4096 + 512}} {
		p := pattern(tt.size, byte(tt.sector))
		if err := d.WriteSectors(tt.sector, p); err != nil {
			t.Fatalf("WriteSectors(%d, %d): %v", tt.sector, tt.size, err)
		}
		bb.mu.Lock()
		ok := bytes.Equal(bb.disk[tt.sector*512:int(tt.sector)*512+tt.size], p)
		bb.mu.Unlock()
		if !ok {
			t.Fatalf("disk after WriteSectors(%d, %d) differs", tt.sector, tt.size)
		}
		q := make([]byte, tt.size)
		if err := d.ReadSectors(tt.sector, q); err != nil || !bytes.Equal(p, q) {
			t.Fatalf("ReadSectors(%d, %d): %v (equal %v)", tt.sector, tt.size, err, bytes.Equal(p, q))
		}
	}
	for _, tt := range []struct {
		sector uint64
		size   int
		want   error
	}{{0, 100, ErrUnaligned}, {2048, 512, ErrOutOfRange}, {2047, 1024, ErrOutOfRange}, {1 << 63, 512, ErrOutOfRange}} {
		if err := d.ReadSectors(tt.sector, make([]byte, tt.size)); err != tt.want {
			t.Errorf("ReadSectors(%d, %d) = %v; want %v", tt.sector, tt.size, err, tt.want)
		}
	}
	if s := d.Stats(); s.Errors != 0 || s.Reads == 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestLargeSectors(t *testing.T) {
	bb, d := newTest(t, 1<<20, diskOpts{sectorSize: "4096"})
	if d.Capacity() != 256 || d.SectorSize() != 4096 {
		t.Fatalf("Capacity %d SectorSize %d", d.Capacity(), d.SectorSize())
	}
	p := pattern(8192, 9)
	if err := d.WriteSectors(3, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bb.disk[3*4096:5*4096], p) {
		t.Errorf("sector 3 of 4096 bytes landed elsewhere")
	}
	if err := d.WriteSectors(0, make([]byte, 512)); err != ErrUnaligned {
		t.Errorf("512-byte write = %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	for _, o := range []diskOpts{{info: "4"}, {mode: "r"}, {info: "5"}} {
		_, d := newTest(t, 1<<16, o)
		if !d.ReadOnly() {
			t.Errorf("%+v: not read-only", o)
		}
		if err := d.WriteSectors(0, make([]byte, 512)); err != ErrReadOnly {
			t.Errorf("%+v: WriteSectors = %v", o, err)
		}
		if err := d.ReadSectors(0, make([]byte, 512)); err != nil {
			t.Errorf("%+v: ReadSectors = %v", o, err)
		}
	}
}

func TestFlush(t *testing.T) {
	tests := []struct {
		o    diskOpts
		want []uint8
	}{
		{diskOpts{flushCache: true}, []uint8{xen.BlkifOpFlushDiskcache}},
		{diskOpts{barrier: true}, []uint8{xen.BlkifOpWriteBarrier}},
		{diskOpts{flushCache: true, barrier: true}, []uint8{xen.BlkifOpFlushDiskcache}},
		{diskOpts{}, nil},
	}
	for _, tt := range tests {
		bb, d := newTest(t, 1<<16, tt.o)
		if err := d.Flush(); err != nil {
			t.Errorf("%+v: Flush = %v", tt.o, err)
		}
		if !bytes.Equal(bb.flushes, tt.want) {
			t.Errorf("%+v: backend saw %v; want %v", tt.o, bb.flushes, tt.want)
		}
	}
	bb, d := newTest(t, 1<<16, diskOpts{flushCache: true})
	bb.answer = func(r request) (uint64, uint8, int16) { return r.id, r.op, xen.BlkifRspEOpNotSupp }
	if err := d.Flush(); err != ErrUnsupported {
		t.Errorf("refused flush = %v", err)
	}
	if err := d.Flush(); err != nil || len(bb.flushes) != 1 {
		t.Errorf("flush after a refusal = %v, %d sent", err, len(bb.flushes))
	}
}

func TestTimeout(t *testing.T) {
	bb, d := newTest(t, 1<<16, diskOpts{reqTimeout: 100 * time.Millisecond})
	bb.mu.Lock()
	bb.hold = true
	bb.mu.Unlock()
	start := time.Now()
	if err := d.WriteSectors(0, pattern(512, 1)); err != ErrTimeout {
		t.Fatalf("held write = %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > time.Second {
		t.Errorf("timed out after %v", d)
	}
	// Still busy: the next request fails at once, without reusing
	// the pages the backend may write.
	start = time.Now()
	if err := d.ReadSectors(0, make([]byte, 512)); err != ErrTimeout || time.Since(start) > 50*time.Millisecond {
		t.Errorf("request while busy = %v after %v", err, time.Since(start))
	}
	bb.release()
	q := make([]byte, 512)
	if err := d.ReadSectors(0, q); err != nil || !bytes.Equal(q, pattern(512, 1)) {
		t.Errorf("after the late answer: %v", err)
	}
}

// TestHostile is the table of responses a broken or hostile backend may
// give a read.
func TestHostile(t *testing.T) {
	tests := []struct {
		name   string
		answer func(r request) (uint64, uint8, int16)
		want   error
		check  func(Stats) bool
	}{
		{"io error", func(r request) (uint64, uint8, int16) { return r.id, r.op, xen.BlkifRspError }, ErrIO, nil},
		{"not supported", func(r request) (uint64, uint8, int16) { return r.id, r.op, xen.BlkifRspEOpNotSupp }, ErrUnsupported, nil},
		{"unknown status", func(r request) (uint64, uint8, int16) { return r.id, r.op, 7 }, ErrBadResponse, nil},
		{"negative status", func(r request) (uint64, uint8, int16) { return r.id, r.op, -32768 }, ErrBadResponse, nil},
		{"other operation", func(r request) (uint64, uint8, int16) { return r.id, xen.BlkifOpWrite, 0 }, ErrBadResponse,
			func(s Stats) bool { return s.BadOp == 1 }},
		{"wrong id", func(r request) (uint64, uint8, int16) { return r.id + 1, r.op, 0 }, ErrBadResponse,
			func(s Stats) bool { return s.BadID == 1 }},
		{"id 2^64-1", func(r request) (uint64, uint8, int16) { return 1<<64 - 1, r.op, 0 }, ErrBadResponse,
			func(s Stats) bool { return s.BadID == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bb, d := newTest(t, 1<<16, diskOpts{reqTimeout: 100 * time.Millisecond})
			bb.answer = tt.answer
			if err := d.ReadSectors(0, make([]byte, 512)); err != tt.want {
				t.Errorf("ReadSectors = %v; want %v", err, tt.want)
			}
			// The device is not wedged: a good answer works.
			bb.answer = nil
			if err := d.ReadSectors(0, make([]byte, 512)); err != nil {
				t.Errorf("next ReadSectors = %v", err)
			}
			if tt.check != nil && !tt.check(d.Stats()) {
				t.Errorf("stats %+v", d.Stats())
			}
		})
	}
	for _, prod := range []uint32{2, 33, 0xffffffff} {
		bb, d := newTest(t, 1<<16, diskOpts{reqTimeout: 100 * time.Millisecond})
		bb.mu.Lock()
		bb.hold = true
		bb.mu.Unlock()
		go func() {
			time.Sleep(10 * time.Millisecond)
			bb.mu.Lock()
			bb.ring.SetRspProd(prod)
			bb.ev.Notify()
			bb.mu.Unlock()
		}()
		if err := d.ReadSectors(0, make([]byte, 512)); err != xenring.ErrBroken {
			t.Errorf("rsp_prod %#x: ReadSectors = %v; want ErrBroken", prod, err)
		}
	}
}

func TestSetupErrors(t *testing.T) {
	tests := []struct {
		name string
		o    diskOpts
	}{
		{"sectors not a number", diskOpts{sectors: "lots"}},
		{"sector size 1000", diskOpts{sectorSize: "1000"}},
		{"sector size 256", diskOpts{sectorSize: "256"}},
		{"sector size 8192", diskOpts{sectorSize: "8192"}},
		{"sectors overflow", diskOpts{sectors: "36028797018963968"}},
		{"never connects", diskOpts{neverConn: true, timeout: 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bb := newBack(t, 1<<16, tt.o)
			if _, err := New(bb.config(tt.o)); err == nil {
				t.Fatalf("New succeeded")
			}
			if v, _ := bb.srv.Read(feDir + "/state"); v != "6" {
				t.Errorf("frontend state after a failed setup = %q", v)
			}
		})
	}
}
