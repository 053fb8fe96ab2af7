// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/sys/virtiospec"
)

// manualModel is a device whose queues the test works by hand with
// fakeDev.pop and push.
type manualModel struct{ notified []int }

func (m *manualModel) notify(d *fakeDev, q int) { m.notified = append(m.notified, q) }
func (m *manualModel) reset(d *fakeDev)         {}

// newTestQueue sets up queue 0 of a device the test drives by hand.
func newTestQueue(t *testing.T, size uint16, eventIdx bool) (*fakeDev, *manualModel, *Queue) {
	t.Helper()
	offered := bit(virtiospec.FVersion1)
	if eventIdx {
		offered |= bit(virtiospec.FRingEventIdx)
	}
	m := &manualModel{}
	d := newFakeDev(virtiospec.IDEntropy, offered, m, nil, size)
	tr, err := NewMMIO(newFakeMMIO(d))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := Init(tr, d.mem, virtiospec.IDEntropy, ^uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	q, err := dev.SetupQueue(0, size)
	if err != nil {
		t.Fatal(err)
	}
	dev.Ready()
	return d, m, q
}

// checkQueue verifies the driver's private bookkeeping: every
// descriptor is either free or in exactly one outstanding chain.
func checkQueue(t *testing.T, q *Queue) {
	t.Helper()
	seen := make([]bool, q.size)
	mark := func(d uint16, what string) {
		if d >= q.size || seen[d] {
			t.Fatalf("descriptor %d reached twice or out of range (%s)", d, what)
		}
		seen[d] = true
	}
	d := q.freeHead
	for i := 0; i < int(q.numFree); i++ {
		mark(d, "free list")
		d = q.next[d]
	}
	inFlight := 0
	for h, n := range q.chainLen {
		if n == 0 {
			continue
		}
		inFlight++
		d := uint16(h)
		for i := 0; i < int(n); i++ {
			mark(d, "chain")
			d = q.next[d]
		}
	}
	for i, s := range seen {
		if !s {
			t.Fatalf("descriptor %d leaked: neither free nor in a chain", i)
		}
	}
	if inFlight != q.InFlight() {
		t.Fatalf("InFlight = %d; %d chains outstanding", q.InFlight(), inFlight)
	}
}

func noDeviceErrors(t *testing.T, d *fakeDev) {
	t.Helper()
	if len(d.errs) > 0 {
		t.Errorf("device saw driver errors:\n%q", d.errs)
	}
}

func TestQueueAddPop(t *testing.T) {
	for _, eventIdx := range []bool{false, true} {
		d, _, q := newTestQueue(t, 8, eventIdx)
		bufs := make([][]byte, 4)
		phys := make([]uint64, 4)
		for i := range bufs {
			bufs[i], phys[i] = d.mem.Alloc(100, 8)
			bufs[i][0] = byte(i + 1)
		}
		head, err := q.Add(Seg{phys[0], 10, false}, Seg{phys[1], 20, false}, Seg{phys[2], 30, true}, Seg{phys[3], 40, true})
		if err != nil {
			t.Fatal(err)
		}
		if q.NumFree() != 4 {
			t.Errorf("NumFree = %d after a 4-descriptor chain; want 4", q.NumFree())
		}
		gotHead, chain, ok := d.pop(0)
		if !ok || gotHead != head {
			t.Fatalf("device popped %d, %v; want head %d", gotHead, ok, head)
		}
		var got []string
		for _, s := range chain {
			got = append(got, string(rune('0'+s.buf[0]))+map[bool]string{true: "w", false: "r"}[s.write]+string(rune('0'+len(s.buf)/10)))
		}
		if diff := cmp.Diff([]string{"1r1", "2r2", "3w3", "4w4"}, got); diff != "" {
			t.Errorf("chain seen by the device (-want +got):\n%s", diff)
		}
		if _, ok := q.Pop(); ok {
			t.Errorf("Pop before the device used anything returned an entry")
		}
		d.push(0, head, 70)
		u, ok := q.Pop()
		if !ok || u != (Used{Head: head, Len: 70}) {
			t.Errorf("Pop = %+v, %v; want head %d len 70", u, ok, head)
		}
		if q.NumFree() != 8 || q.InFlight() != 0 {
			t.Errorf("after Pop: NumFree %d, InFlight %d; want 8, 0", q.NumFree(), q.InFlight())
		}
		checkQueue(t, q)
		noDeviceErrors(t, d)
	}
}

func TestQueueBadChain(t *testing.T) {
	_, _, q := newTestQueue(t, 4, false)
	tests := []struct {
		name string
		segs []Seg
	}{
		{"no segments", nil},
		{"empty segment", []Seg{{memBase, 0, false}}},
		{"readable after writable", []Seg{{memBase, 1, true}, {memBase, 1, false}}},
		{"longer than the ring", []Seg{{memBase, 1, false}, {memBase, 1, false}, {memBase, 1, false}, {memBase, 1, false}, {memBase, 1, false}}},
		{"writable bytes overflow 32 bits", []Seg{{memBase, 1 << 31, true}, {memBase, 1 << 31, true}}},
	}
	for _, tt := range tests {
		if _, err := q.Add(tt.segs...); err != ErrBadChain {
			t.Errorf("%s: Add = %v; want ErrBadChain", tt.name, err)
		}
	}
	if q.NumFree() != 4 {
		t.Errorf("NumFree = %d after refused Adds; want 4", q.NumFree())
	}
	checkQueue(t, q)
}

func TestQueueFull(t *testing.T) {
	d, _, q := newTestQueue(t, 4, false)
	_, phys := d.mem.Alloc(64, 8)
	seg := Seg{phys, 64, true}
	if _, err := q.Add(seg, seg, seg); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Add(seg, seg); err != ErrQueueFull {
		t.Errorf("Add of 2 with 1 free = %v; want ErrQueueFull", err)
	}
	h, err := q.Add(seg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Add(seg); err != ErrQueueFull {
		t.Errorf("Add to a full ring = %v; want ErrQueueFull", err)
	}
	if q.Stats.Full != 2 {
		t.Errorf("Stats.Full = %d; want 2", q.Stats.Full)
	}
	q.Kick()
	d.pop(0)
	d.pop(0)
	d.push(0, h, 0)
	if u, ok := q.Pop(); !ok || u.Head != h {
		t.Fatalf("Pop = %+v, %v", u, ok)
	}
	if _, err := q.Add(seg); err != nil {
		t.Errorf("Add after a chain came back = %v", err)
	}
	checkQueue(t, q)
	noDeviceErrors(t, d)
}

// TestQueueWrap runs more than 65536 chains through a small queue, so
// every free-running index wraps.
func TestQueueWrap(t *testing.T) {
	for _, eventIdx := range []bool{false, true} {
		d, _, q := newTestQueue(t, 4, eventIdx)
		_, phys := d.mem.Alloc(16, 8)
		for i := 0; i < 70000; i++ {
			h1, err1 := q.Add(Seg{phys, 16, true})
			h2, err2 := q.Add(Seg{phys, 8, false}, Seg{phys, 8, true})
			if err1 != nil || err2 != nil {
				t.Fatalf("round %d: Add: %v, %v", i, err1, err2)
			}
			q.Kick()
			for k := 0; k < 2; k++ {
				h, _, ok := d.pop(0)
				if !ok {
					t.Fatalf("round %d: device found nothing", i)
				}
				d.push(0, h, 8)
			}
			u1, ok1 := q.Pop()
			u2, ok2 := q.Pop()
			if !ok1 || !ok2 || u1.Head != h1 || u2.Head != h2 {
				t.Fatalf("round %d: Pop = %+v %v, %+v %v; want heads %d, %d", i, u1, ok1, u2, ok2, h1, h2)
			}
		}
		checkQueue(t, q)
		noDeviceErrors(t, d)
	}
}

// TestQueueHostile plays a device that writes nonsense into the used
// ring. The queue must count it, never hand out a chain twice or lose
// one, and keep working where it can.
func TestQueueHostile(t *testing.T) {
	tests := []struct {
		name string
		// act misbehaves; heads are the chains outstanding: a
		// readable+writable pair (writable 32 bytes) and a single
		// writable buffer of 16 bytes.
		act        func(d *fakeDev, heads []uint16)
		wantUsed   []Used
		wantStats  QueueStats
		wantBroken bool
	}{
		{
			name:      "id out of range",
			act:       func(d *fakeDev, h []uint16) { d.pushRaw(0, 1000, 1) },
			wantStats: QueueStats{BadID: 1},
		},
		{
			name:      "id inside a chain, not its head",
			act:       func(d *fakeDev, h []uint16) { d.pushRaw(0, uint32(h[0]+1), 1) },
			wantStats: QueueStats{BadID: 1},
		},
		{
			name: "same chain returned twice",
			act: func(d *fakeDev, h []uint16) {
				d.pushRaw(0, uint32(h[1]), 16)
				d.pushRaw(0, uint32(h[1]), 16)
			},
			wantUsed:  []Used{{Head: 2, Len: 16}},
			wantStats: QueueStats{BadID: 1, Used: 1},
		},
		{
			name:      "length beyond the writable bytes",
			act:       func(d *fakeDev, h []uint16) { d.pushRaw(0, uint32(h[0]), 33) },
			wantUsed:  []Used{{Head: 0, Len: 0, Err: ErrBadUsedLen}},
			wantStats: QueueStats{BadLen: 1, Used: 1},
		},
		{
			name:      "length exactly the writable bytes",
			act:       func(d *fakeDev, h []uint16) { d.pushRaw(0, uint32(h[0]), 32) },
			wantUsed:  []Used{{Head: 0, Len: 32}},
			wantStats: QueueStats{Used: 1},
		},
		{
			name:       "used index jumps past the queue size",
			act:        func(d *fakeDev, h []uint16) { d.setUsedIdx(0, 9) },
			wantStats:  QueueStats{BadIdx: 1},
			wantBroken: true,
		},
		{
			name:       "used index ahead of the chains in flight",
			act:        func(d *fakeDev, h []uint16) { d.setUsedIdx(0, 3) },
			wantStats:  QueueStats{BadIdx: 1},
			wantBroken: true,
		},
		{
			name:       "used index moves backwards",
			act:        func(d *fakeDev, h []uint16) { d.setUsedIdx(0, 0xffff) },
			wantStats:  QueueStats{BadIdx: 1},
			wantBroken: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, q := newTestQueue(t, 8, false)
			_, phys := d.mem.Alloc(64, 8)
			h0, _ := q.Add(Seg{phys, 8, false}, Seg{phys, 32, true})
			h1, _ := q.Add(Seg{phys, 16, true})
			q.Kick()
			d.pop(0)
			d.pop(0)
			// The table's heads assume the fresh free list hands out
			// 0, 1 for the pair and 2 for the single.
			if h0 != 0 || h1 != 2 {
				t.Fatalf("heads %d, %d; the table assumes 0, 2", h0, h1)
			}
			heads := []uint16{h0, h1}
			tt.act(d, heads)
			var got []Used
			for {
				u, ok := q.Pop()
				if !ok {
					break
				}
				got = append(got, u)
			}
			if diff := cmp.Diff(tt.wantUsed, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("Pop results (-want +got):\n%s", diff)
			}
			st := q.Stats
			st.Added, st.Notifies, st.Suppressed = 0, 0, 0
			if diff := cmp.Diff(tt.wantStats, st); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
			if (q.Err() == ErrBroken) != tt.wantBroken {
				t.Errorf("Err = %v; want broken %v", q.Err(), tt.wantBroken)
			}
			checkQueue(t, q)
			if tt.wantBroken {
				if _, err := q.Add(Seg{phys, 1, true}); err != ErrBroken {
					t.Errorf("Add on a broken queue = %v; want ErrBroken", err)
				}
			}
			// Whatever happened, a reset gives every descriptor back.
			var reclaimed []uint16
			q.Reset(func(h uint16) { reclaimed = append(reclaimed, h) })
			if q.NumFree() != q.Size() || q.InFlight() != 0 || q.Err() != nil {
				t.Errorf("after Reset: NumFree %d InFlight %d Err %v", q.NumFree(), q.InFlight(), q.Err())
			}
			if int(st.Used)+len(reclaimed) != 2 {
				t.Errorf("%d chains used + %d reclaimed; want 2 in all", st.Used, len(reclaimed))
			}
			checkQueue(t, q)
			noDeviceErrors(t, d)
		})
	}
}

func TestKickSuppression(t *testing.T) {
	t.Run("NO_NOTIFY flag", func(t *testing.T) {
		d, m, q := newTestQueue(t, 8, false)
		_, phys := d.mem.Alloc(8, 8)
		q.Add(Seg{phys, 8, true})
		if !q.Kick() || len(m.notified) != 1 {
			t.Fatalf("first Kick did not notify")
		}
		if q.Kick() {
			t.Errorf("Kick with nothing new notified")
		}
		d.setNotifySuppressed(0, true)
		q.Add(Seg{phys, 8, true})
		if q.Kick() || len(m.notified) != 1 {
			t.Errorf("Kick notified despite NO_NOTIFY")
		}
		d.setNotifySuppressed(0, false)
		q.Add(Seg{phys, 8, true})
		if !q.Kick() || len(m.notified) != 2 {
			t.Errorf("Kick after NO_NOTIFY cleared did not notify")
		}
		noDeviceErrors(t, d)
	})
	t.Run("EVENT_IDX", func(t *testing.T) {
		d, m, q := newTestQueue(t, 8, true)
		_, phys := d.mem.Alloc(8, 8)
		q.Add(Seg{phys, 8, true})
		if !q.Kick() {
			t.Errorf("first Kick did not notify") // avail_event 0 is in [0, 1)
		}
		q.Add(Seg{phys, 8, true})
		if q.Kick() {
			t.Errorf("Kick notified a device that has not yet caught up")
		}
		for {
			if _, _, ok := d.pop(0); !ok {
				break
			}
		}
		// The device has taken both and asked (avail_event = 2) to
		// hear about the next.
		q.Add(Seg{phys, 8, true})
		if !q.Kick() {
			t.Errorf("Kick did not notify a device waiting at avail_event")
		}
		if len(m.notified) != 2 || q.Stats.Suppressed != 1 {
			t.Errorf("notified %d times, suppressed %d; want 2, 1", len(m.notified), q.Stats.Suppressed)
		}
		noDeviceErrors(t, d)
	})
}

// TestKickNudge: a device that uses nothing over two Kicks with chains
// outstanding is notified although it asked not to be, as it would be
// after a notification lost to missing barriers.
func TestKickNudge(t *testing.T) {
	d, m, q := newTestQueue(t, 8, false)
	_, phys := d.mem.Alloc(8, 8)
	q.Add(Seg{phys, 8, true})
	if !q.Kick() {
		t.Fatalf("first Kick did not notify")
	}
	d.setNotifySuppressed(0, true)
	for i, want := range []bool{false, true, false, true} {
		q.Add(Seg{phys, 8, true})
		if got := q.Kick(); got != want {
			t.Errorf("Kick %d with the device stuck: notified %v, want %v", i+2, got, want)
		}
	}
	if len(m.notified) != 3 || q.Stats.Nudges != 2 {
		t.Errorf("notified %d times, %d nudges; want 3, 2", len(m.notified), q.Stats.Nudges)
	}
	// Once the device uses a chain, suppression holds again.
	head, _, ok := d.pop(0)
	if !ok {
		t.Fatal("the device found nothing to pop")
	}
	d.push(0, head, 0)
	q.Add(Seg{phys, 8, true})
	if q.Kick() {
		t.Errorf("Kick notified a device that asked not to be and made progress")
	}
	noDeviceErrors(t, d)
}

func TestInterruptSuppression(t *testing.T) {
	for _, eventIdx := range []bool{false, true} {
		d, _, q := newTestQueue(t, 8, eventIdx)
		_, phys := d.mem.Alloc(8, 8)
		use := func() {
			t.Helper()
			q.Add(Seg{phys, 8, true})
			q.Kick()
			h, _, ok := d.pop(0)
			if !ok {
				t.Fatal("device found nothing")
			}
			d.push(0, h, 8)
		}
		q.EnableInterrupts()
		use()
		if d.interrupts != 1 {
			t.Errorf("eventIdx=%v: %d interrupts with interrupts enabled; want 1", eventIdx, d.interrupts)
		}
		q.Pop()
		q.DisableInterrupts()
		use()
		use()
		if d.interrupts != 1 {
			t.Errorf("eventIdx=%v: %d interrupts after DisableInterrupts; want still 1", eventIdx, d.interrupts)
		}
		if !q.EnableInterrupts() {
			t.Errorf("eventIdx=%v: EnableInterrupts with two used entries waiting reported none", eventIdx)
		}
		for {
			if _, ok := q.Pop(); !ok {
				break
			}
		}
		if q.EnableInterrupts() {
			t.Errorf("eventIdx=%v: EnableInterrupts with nothing waiting reported something", eventIdx)
		}
		use()
		if d.interrupts != 2 {
			t.Errorf("eventIdx=%v: %d interrupts after EnableInterrupts; want 2", eventIdx, d.interrupts)
		}
		noDeviceErrors(t, d)
	}
}
