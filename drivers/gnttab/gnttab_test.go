// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package gnttab

import (
	"encoding/binary"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/drivers/gnttab/gnttabtest"
	"mirago.dev/sys/xen"
)

const backend = 7

func newTable(t *testing.T, entries int) ([]byte, *Table) {
	t.Helper()
	mem := AllocPages((entries*xen.GrantEntryV1Size + xen.PageSize - 1) / xen.PageSize)[:entries*xen.GrantEntryV1Size]
	for i := range mem {
		mem[i] = 0xee // the toolstack's reserved entries, or garbage
	}
	tab, err := New(mem, xen.GnttabNrReservedEntries)
	if err != nil {
		t.Fatal(err)
	}
	return mem, tab
}

type entry struct {
	Flags, Domid uint16
	Frame        uint32
}

func readEntry(mem []byte, r Ref) entry {
	e := mem[int(r)*8:]
	return entry{binary.LittleEndian.Uint16(e), binary.LittleEndian.Uint16(e[2:]), binary.LittleEndian.Uint32(e[4:])}
}

func TestGrantLayout(t *testing.T) {
	mem, tab := newTable(t, 16)
	rw, err := tab.Grant(backend, 0x12345, false)
	if err != nil {
		t.Fatal(err)
	}
	ro, _ := tab.Grant(0x7ff0-1, 0xfffffffe, true)
	if rw != 8 || ro != 9 {
		t.Errorf("first references %d, %d; want 8, 9 (after the reserved ones)", rw, ro)
	}
	if diff := cmp.Diff(entry{xen.GTFPermitAccess, backend, 0x12345}, readEntry(mem, rw)); diff != "" {
		t.Errorf("read-write entry (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(entry{xen.GTFPermitAccess | xen.GTFReadonly, 0x7fef, 0xfffffffe}, readEntry(mem, ro)); diff != "" {
		t.Errorf("read-only entry (-want +got):\n%s", diff)
	}
	if mem[0] != 0xee || mem[8*8-1] != 0xee {
		t.Errorf("reserved entries were touched")
	}
	if _, err := tab.Grant(backend, 1<<32, false); err != ErrFrame {
		t.Errorf("Grant of frame 2^32 = %v; want ErrFrame", err)
	}
	if err := tab.End(rw); err != nil {
		t.Fatal(err)
	}
	if e := readEntry(mem, rw); e.Flags != 0 {
		t.Errorf("flags after End = %#x; want 0", e.Flags)
	}
}

func TestReuseAndFull(t *testing.T) {
	_, tab := newTable(t, 12) // references 8..11
	var refs []Ref
	for i := 0; i < 4; i++ {
		r, err := tab.Grant(backend, uint64(i), false)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if _, err := tab.Grant(backend, 9, false); err != ErrFull {
		t.Fatalf("Grant on a full table = %v; want ErrFull", err)
	}
	tab.End(refs[2])
	tab.End(refs[0])
	// Ended references come back oldest first.
	for _, want := range []Ref{refs[2], refs[0]} {
		r, err := tab.Grant(backend, 1, false)
		if err != nil || r != want {
			t.Errorf("Grant = %d, %v; want reuse of %d", r, err, want)
		}
	}
	for _, bad := range []Ref{0, 7, 12, 1 << 31} {
		if err := tab.End(bad); err != ErrBadRef {
			t.Errorf("End(%d) = %v; want ErrBadRef", bad, err)
		}
	}
	tab.End(refs[1])
	if err := tab.End(refs[1]); err != ErrBadRef {
		t.Errorf("second End = %v; want ErrBadRef", err)
	}
	if tab.InUse() != 3 {
		t.Errorf("InUse = %d; want 3", tab.InUse())
	}
}

func TestConsecutive(t *testing.T) {
	_, tab := newTable(t, 16) // 8..15
	a, err := tab.GrantFrames(backend, []uint64{1, 2, 3}, false)
	if err != nil || a != 8 {
		t.Fatalf("GrantFrames = %d, %v", a, err)
	}
	b, _ := tab.GrantFrames(backend, []uint64{4, 5, 6, 7}, false) // 11..14
	tab.End(a)
	tab.End(a + 1)
	tab.End(a + 2)
	// 15 is the last never-used one; a run of 3 must come from the
	// ended 8..10.
	r, err := tab.GrantFrames(backend, []uint64{9, 9, 9}, true)
	if err != nil || r != 8 {
		t.Errorf("run from ended references = %d, %v; want 8", r, err)
	}
	if _, err := tab.GrantFrames(backend, []uint64{1, 1}, false); err != ErrFull {
		t.Errorf("run of 2 with one free = %v; want ErrFull", err)
	}
	_ = b
}

// TestEndWhileMapped checks that access is never revoked, nor the
// reference reused, while the backend has the frame mapped.
func TestEndWhileMapped(t *testing.T) {
	mem, tab := newTable(t, 16)
	frames := &gnttabtest.Frames{}
	page := AllocPages(1)
	be := &gnttabtest.Backend{Table: mem, Frames: frames, Domid: backend}
	r, _ := tab.Grant(backend, frames.Frame(page), false)
	for _, write := range []bool{false, true} {
		if _, err := be.Map(r, write); err != nil {
			t.Fatal(err)
		}
		if err := tab.End(r); err != ErrInUse {
			t.Fatalf("End while mapped (write %v) = %v; want ErrInUse", write, err)
		}
		if e := readEntry(mem, r); e.Flags&xen.GTFPermitAccess == 0 {
			t.Fatalf("a refused End cleared the grant")
		}
		be.Unmap(r)
	}
	released := false
	be.Map(r, true)
	if err := tab.EndLater(r, func() { released = true }); err != nil {
		t.Fatal(err)
	}
	if released || tab.Poll() != 1 {
		t.Fatalf("released while mapped")
	}
	if r2, _ := tab.Grant(backend, 1, false); r2 == r {
		t.Fatalf("reference reused while mapped")
	}
	be.Unmap(r)
	if n := tab.Poll(); n != 0 || !released {
		t.Fatalf("after unmap: Poll = %d, released %v", n, released)
	}
	if _, err := be.Access(r, false); err == nil {
		t.Errorf("backend still has access after End")
	}
}

// TestEndRace has a backend map and unmap in a loop while the frontend
// ends access: every End either fails with ErrInUse or wins, and once
// it wins the backend can map no more. Run with -race.
func TestEndRace(t *testing.T) {
	mem, tab := newTable(t, 16)
	frames := &gnttabtest.Frames{}
	be := &gnttabtest.Backend{Table: mem, Frames: frames, Domid: backend}
	for round := 0; round < 50; round++ {
		r, err := tab.Grant(backend, frames.Frame(AllocPages(1)), false)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := be.Map(r, true); err != nil {
					return // ended
				}
				be.Unmap(r)
			}
		}()
		for tab.End(r) == ErrInUse {
		}
		close(stop)
		wg.Wait()
		if _, err := be.Access(r, false); err == nil {
			t.Fatalf("round %d: access survived End", round)
		}
		if w := readEntry(mem, r); w.Flags&(xen.GTFReading|xen.GTFWriting) != 0 {
			t.Fatalf("round %d: in-use bits left after End: %#x", round, w.Flags)
		}
	}
}

func TestMemory(t *testing.T) {
	mem, tab := newTable(t, 64)
	frames := &gnttabtest.Frames{}
	m := NewMemory(tab, backend, frames.Frame)
	be := &gnttabtest.Backend{Table: mem, Frames: frames, Domid: backend}
	buf, addr := m.Alloc(3*xen.PageSize-100, 64)
	if len(buf) != 3*xen.PageSize-100 {
		t.Fatalf("len = %d", len(buf))
	}
	for i := range buf {
		buf[i] = byte(i / xen.PageSize)
	}
	for i := 0; i < 3; i++ {
		p, err := be.Access(Ref(addr)+Ref(i), true)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if p[0] != byte(i) {
			t.Errorf("page %d of the buffer resolves to data %d", i, p[0])
		}
	}
	if _, err := be.Access(Ref(addr)+3, false); err == nil {
		t.Errorf("a fourth page was granted")
	}
	small, a2 := m.Alloc(16, 16)
	if len(small) != 16 || a2 != addr+3 {
		t.Errorf("small buffer at %d; want %d", a2, addr+3)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Alloc on a full table did not panic")
			}
		}()
		m.Alloc(100*xen.PageSize, 1)
	}()
}

func TestNewErrors(t *testing.T) {
	if _, err := New(make([]byte, 64), 8); err != ErrTable {
		t.Errorf("New with only reserved entries = %v", err)
	}
	if _, err := New(AllocPages(1)[1:], 8); err != ErrTable {
		t.Errorf("New misaligned = %v", err)
	}
}
