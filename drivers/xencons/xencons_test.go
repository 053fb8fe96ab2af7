// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xencons

import (
	"bytes"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"mirago.dev/drivers/xenring/xenringtest"
	"mirago.dev/sys/xen"
)

// backend plays xenconsoled on a page.
type backend struct {
	page []byte
	mu   sync.Mutex
	out  []byte // what the guest wrote
}

// The backend's index accesses are atomic, as the guest's are, so the
// race detector sees the ordering of the ring bytes.
func (b *backend) u32(off int) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&b.page[off])))
}

func (b *backend) set(off int, v uint32) {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&b.page[off])), v)
}

// drain takes up to max bytes of output.
func (b *backend) drain(max int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cons, prod := b.u32(xen.XenconsOffOutCons), b.u32(xen.XenconsOffOutProd)
	for ; cons != prod && max > 0; cons, max = cons+1, max-1 {
		b.out = append(b.out, b.page[xen.XenconsOffOut+int(cons%xen.XenconsOutSize)])
	}
	b.set(xen.XenconsOffOutCons, cons)
}

// input queues bytes for the guest.
func (b *backend) input(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	prod := b.u32(xen.XenconsOffInProd)
	for _, c := range p {
		b.page[xen.XenconsOffIn+int(prod%xen.XenconsInSize)] = c
		prod++
	}
	b.set(xen.XenconsOffInProd, prod)
}

func newTest(t *testing.T, start uint32) (*backend, *Console, *xenringtest.End) {
	t.Helper()
	page := make([]byte, xen.PageSize)
	b := &backend{page: page}
	for _, off := range []int{xen.XenconsOffOutCons, xen.XenconsOffOutProd, xen.XenconsOffInCons, xen.XenconsOffInProd} {
		b.set(off, start)
	}
	guest, back := xenringtest.NewPair(1, 2)
	c, err := New(page, guest, xenringtest.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = int64(200 * time.Millisecond)
	return b, c, back
}

func TestWriteWraps(t *testing.T) {
	for _, start := range []uint32{0, 2000, 0xfffffc00} {
		b, c, back := newTest(t, start)
		back.OnEvent(func() { b.drain(700) }) // a slow reader
		var want []byte
		for i := 0; i < 10; i++ {
			line := bytes.Repeat([]byte{byte('a' + i)}, 900)
			if n, err := c.Write(line); n != len(line) || err != nil {
				t.Fatalf("start %#x: Write = %d, %v", start, n, err)
			}
			want = append(want, line...)
		}
		for b.u32(xen.XenconsOffOutCons) != b.u32(xen.XenconsOffOutProd) {
			b.drain(1 << 20)
		}
		if !bytes.Equal(b.out, want) {
			t.Errorf("start %#x: backend got %d bytes, want %d (or different)", start, len(b.out), len(want))
		}
	}
}

func TestWriteStalls(t *testing.T) {
	_, c, _ := newTest(t, 0)
	n, err := c.Write(make([]byte, 3000))
	if n != xen.XenconsOutSize || err != ErrTimeout {
		t.Errorf("Write to a stalled backend = %d, %v; want %d, ErrTimeout", n, err, xen.XenconsOutSize)
	}
}

func TestRead(t *testing.T) {
	b, c, _ := newTest(t, 0xffffff00)
	b.input([]byte("hello\n"))
	p := make([]byte, 4)
	n, err := c.Read(p, int64(time.Second))
	if err != nil || string(p[:n]) != "hell" {
		t.Fatalf("Read = %q, %v", p[:n], err)
	}
	n, _ = c.Read(p, int64(time.Second))
	if string(p[:n]) != "o\n" {
		t.Fatalf("second Read = %q", p[:n])
	}
	start := time.Now()
	if n, err := c.Read(p, int64(30*time.Millisecond)); n != 0 || err != nil {
		t.Errorf("Read with no input = %d, %v", n, err)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Errorf("Read returned early")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		b.input([]byte("x"))
	}()
	if n, _ := c.Read(p, int64(time.Second)); n != 1 || p[0] != 'x' {
		t.Errorf("Read waiting for input = %q", p[:n])
	}
}

// TestHostile is the table of indices a broken backend may store.
func TestHostile(t *testing.T) {
	tests := []struct {
		name string
		off  int
		val  uint32
		read bool // the read side breaks; else the write side
	}{
		{"in_prod jumps past the ring", xen.XenconsOffInProd, xen.XenconsInSize + 1, true},
		{"in_prod goes backwards", xen.XenconsOffInProd, 0xffffffff, true},
		{"out_cons ahead of out_prod", xen.XenconsOffOutCons, 1, false},
		{"out_cons far behind", xen.XenconsOffOutCons, 0x80000000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, c, _ := newTest(t, 0)
			b.set(tt.off, tt.val)
			var err error
			if tt.read {
				_, err = c.Read(make([]byte, 10), int64(time.Millisecond))
			} else {
				_, err = c.Write([]byte("x"))
			}
			if err != ErrBroken {
				t.Errorf("got %v; want ErrBroken", err)
			}
			if _, err := c.Write([]byte("x")); err != ErrBroken {
				t.Errorf("the ring works on after breaking: %v", err)
			}
		})
	}
	// Our own out_prod scribbled over by the backend is ignored.
	b, c, _ := newTest(t, 0)
	c.Write([]byte("ab"))
	b.set(xen.XenconsOffOutProd, 1000)
	c.Write([]byte("c"))
	if got := b.u32(xen.XenconsOffOutProd); got != 3 {
		t.Errorf("out_prod = %d; want 3 (the guest's own count)", got)
	}
}

// FuzzConsoleInput lets the fuzzer write the input ring and its
// producer index: Read must return only bytes within the ring, never
// more than asked, and never panic.
func FuzzConsoleInput(f *testing.F) {
	f.Add(uint32(5), uint32(0), []byte("hello"))
	f.Add(uint32(2000), uint32(0), []byte("x"))
	f.Add(uint32(0), uint32(0xfffffff0), []byte{})
	f.Add(uint32(1024), uint32(0xfffffe00), bytes.Repeat([]byte{'y'}, 1024))
	f.Fuzz(func(t *testing.T, prod, cons uint32, data []byte) {
		page := make([]byte, xen.PageSize)
		copy(page[xen.XenconsOffIn:xen.XenconsOffIn+xen.XenconsInSize], data)
		binary.LittleEndian.PutUint32(page[xen.XenconsOffInCons:], cons)
		binary.LittleEndian.PutUint32(page[xen.XenconsOffInProd:], prod)
		r, err := NewRing(page)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]byte, 300)
		total := 0
		for i := 0; i < 10; i++ {
			n, err := r.Read(p)
			if n < 0 || n > len(p) {
				t.Fatalf("Read = %d", n)
			}
			total += n
			if err != nil {
				if prod-cons <= xen.XenconsInSize {
					t.Fatalf("broken although prod-cons = %d", prod-cons)
				}
				return
			}
		}
		if want := min(int(prod-cons), 3000); total != want {
			t.Fatalf("read %d bytes; want %d", total, want)
		}
	})
}
