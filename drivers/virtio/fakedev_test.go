// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"fmt"

	"mirago.dev/sys/virtiospec"
)

// fakeDev is the device side of a virtio device: status, features,
// queues and configuration, with the split-ring processing a real device
// does, reading and writing the driver's rings through fakeMem. Register
// front ends (fakeMMIO, fakePCI) translate register accesses into calls
// on it; a model (fakeNet, fakeBlk, fakeRNG) does the device type's work
// when a queue is notified.
//
// It checks what the driver does against the specification and records
// every violation in errs; tests expect none.
type fakeDev struct {
	mem      *fakeMem
	typ      uint32
	offered  uint64
	model    fakeModel
	config   []byte
	queueMax []uint16

	rejectFeatures bool // clear FEATURES_OK whatever the driver asks
	stuckReset     bool // never finish a reset

	status       uint8
	driverFeat   uint64
	queues       []fakeQueue
	intStatus    uint32
	generation   uint32
	interrupts   int // used-buffer interrupts raised
	notifies     int
	genBumpReads int // bump the generation on the next this many reads

	errs []string
}

type fakeQueue struct {
	num                  uint16
	ready                bool
	desc, driver, device uint64
	lastAvail            uint16 // next available entry to take
	usedIdx              uint16 // used entries written
}

// fakeModel is the device type's behaviour.
type fakeModel interface {
	notify(d *fakeDev, q int)
	reset(d *fakeDev)
}

// fakeSeg is one buffer of a chain, as the device sees it.
type fakeSeg struct {
	buf   []byte
	write bool
}

func newFakeDev(typ uint32, offered uint64, model fakeModel, config []byte, queueMax ...uint16) *fakeDev {
	return &fakeDev{
		mem:      newFakeMem(),
		typ:      typ,
		offered:  offered,
		model:    model,
		config:   config,
		queueMax: queueMax,
		queues:   make([]fakeQueue, len(queueMax)),
	}
}

func (d *fakeDev) fail(format string, args ...any) {
	d.errs = append(d.errs, fmt.Sprintf(format, args...))
}

func (d *fakeDev) negotiated(f uint) bool { return d.driverFeat&(1<<f) != 0 }

func (d *fakeDev) readStatus() uint8 {
	if d.stuckReset {
		return d.status | 1
	}
	return d.status
}

func (d *fakeDev) setStatus(v uint8) {
	if v == 0 {
		d.status, d.driverFeat, d.intStatus = 0, 0, 0
		for i := range d.queues {
			d.queues[i] = fakeQueue{}
		}
		if d.model != nil {
			d.model.reset(d)
		}
		return
	}
	old := d.status
	if v&old != old && v&virtiospec.StatusFailed == 0 {
		d.fail("status %#x clears bits of %#x without a reset", v, old)
	}
	if v&virtiospec.StatusFeaturesOK != 0 && old&virtiospec.StatusFeaturesOK == 0 {
		switch {
		case d.driverFeat&^d.offered != 0:
			d.fail("driver accepted features %#x that were not offered", d.driverFeat&^d.offered)
			v &^= virtiospec.StatusFeaturesOK
		case !d.negotiated(virtiospec.FVersion1):
			d.fail("driver did not accept VERSION_1")
			v &^= virtiospec.StatusFeaturesOK
		case d.rejectFeatures:
			v &^= virtiospec.StatusFeaturesOK
		}
	}
	if v&virtiospec.StatusDriverOK != 0 && v&virtiospec.StatusFeaturesOK == 0 && v&virtiospec.StatusFailed == 0 {
		d.fail("DRIVER_OK without FEATURES_OK")
	}
	d.status = v
}

func (d *fakeDev) featureWord(sel uint32) uint32 {
	if sel > 1 {
		return 0
	}
	return uint32(d.offered >> (32 * sel))
}

func (d *fakeDev) setDriverWord(sel, v uint32) {
	if d.status&virtiospec.StatusDriver == 0 || d.status&virtiospec.StatusFeaturesOK != 0 {
		d.fail("driver features written in status %#x", d.status)
	}
	if sel > 1 {
		if v != 0 {
			d.fail("driver features word %d = %#x", sel, v)
		}
		return
	}
	shift := 32 * sel
	d.driverFeat = d.driverFeat&^(0xffffffff<<shift) | uint64(v)<<shift
}

func (d *fakeDev) queue(sel uint32) *fakeQueue {
	if int(sel) >= len(d.queues) {
		return nil
	}
	return &d.queues[sel]
}

func (d *fakeDev) maxOf(sel uint32) uint16 {
	if int(sel) >= len(d.queueMax) {
		return 0
	}
	return d.queueMax[sel]
}

// enable checks a queue's setup as the device would before using it.
func (d *fakeDev) enable(sel uint32) {
	q := d.queue(sel)
	if q == nil {
		d.fail("enable of absent queue %d", sel)
		return
	}
	n := uint32(q.num)
	if n == 0 || n&(n-1) != 0 || q.num > d.maxOf(sel) {
		d.fail("queue %d size %d (max %d)", sel, n, d.maxOf(sel))
	}
	for _, a := range []struct {
		name        string
		phys, align uint64
		size        int
	}{
		{"descriptor table", q.desc, virtiospec.DescTableAlign, virtiospec.DescTableSize(int(n))},
		{"available ring", q.driver, virtiospec.AvailRingAlign, virtiospec.AvailRingSize(int(n))},
		{"used ring", q.device, virtiospec.UsedRingAlign, virtiospec.UsedRingSize(int(n))},
	} {
		if a.phys%a.align != 0 {
			d.fail("queue %d %s at %#x misaligned", sel, a.name, a.phys)
		}
		if _, ok := d.mem.slice(a.phys, uint32(a.size)); !ok {
			d.fail("queue %d %s at %#x+%d not in memory", sel, a.name, a.phys, a.size)
		}
	}
	q.ready = true
}

func (d *fakeDev) notify(sel uint32) {
	d.notifies++
	if d.status&virtiospec.StatusDriverOK == 0 {
		d.fail("queue %d notified before DRIVER_OK", sel)
		return
	}
	q := d.queue(sel)
	if q == nil || !q.ready {
		d.fail("notify of queue %d, not ready", sel)
		return
	}
	d.model.notify(d, int(sel))
}

func (d *fakeDev) readConfig(off uint32, width int) uint32 {
	if d.genBumpReads > 0 {
		d.genBumpReads--
		d.generation++
	}
	if int(off)+width > len(d.config) {
		d.fail("config read at %d width %d beyond %d bytes", off, width, len(d.config))
		return 0
	}
	var v uint32
	for i := width - 1; i >= 0; i-- {
		v = v<<8 | uint32(d.config[int(off)+i])
	}
	return v
}

// ring returns the three areas of queue q.
func (d *fakeDev) ring(q int) (desc, avail, used []byte) {
	fq := &d.queues[q]
	n := int(fq.num)
	desc, _ = d.mem.slice(fq.desc, uint32(virtiospec.DescTableSize(n)))
	avail, _ = d.mem.slice(fq.driver, uint32(virtiospec.AvailRingSize(n)))
	used, _ = d.mem.slice(fq.device, uint32(virtiospec.UsedRingSize(n)))
	return
}

// availCount returns how many chains the driver has made available and
// the device has not taken.
func (d *fakeDev) availCount(q int) int {
	_, avail, _ := d.ring(q)
	return int(le16(avail[virtiospec.RingOffIdx:]) - d.queues[q].lastAvail)
}

// pop takes the next available chain of queue q, checking every
// descriptor as a careful device would.
func (d *fakeDev) pop(q int) (head uint16, chain []fakeSeg, ok bool) {
	fq := &d.queues[q]
	desc, avail, used := d.ring(q)
	if le16(avail[virtiospec.RingOffIdx:]) == fq.lastAvail {
		return 0, nil, false
	}
	n := fq.num
	head = le16(avail[virtiospec.RingOffEntries+2*int(fq.lastAvail%n):])
	fq.lastAvail++
	if d.negotiated(virtiospec.FRingEventIdx) {
		put16(used[virtiospec.AvailEventOffset(int(n)):], fq.lastAvail)
	}
	if head >= n {
		d.fail("queue %d: available head %d out of range", q, head)
		return 0, nil, false
	}
	i := head
	for k := 0; ; k++ {
		if k == int(n) {
			d.fail("queue %d: descriptor chain from %d loops", q, head)
			return 0, nil, false
		}
		e := desc[int(i)*virtiospec.DescSize:]
		addr, l := le64(e[virtiospec.DescOffAddr:]), le32(e[virtiospec.DescOffLen:])
		flags, next := le16(e[virtiospec.DescOffFlags:]), le16(e[virtiospec.DescOffNext:])
		buf, mapped := d.mem.slice(addr, l)
		if !mapped {
			d.fail("queue %d: descriptor %d: %#x+%d not in memory", q, i, addr, l)
			return 0, nil, false
		}
		w := flags&virtiospec.DescFWrite != 0
		if len(chain) > 0 && chain[len(chain)-1].write && !w {
			d.fail("queue %d: readable descriptor after a writable one", q)
		}
		if flags&virtiospec.DescFIndirect != 0 {
			d.fail("queue %d: unexpected indirect descriptor", q)
		}
		chain = append(chain, fakeSeg{buf, w})
		if flags&virtiospec.DescFNext == 0 {
			return head, chain, true
		}
		if next >= n {
			d.fail("queue %d: next %d out of range", q, next)
			return 0, nil, false
		}
		i = next
	}
}

// push returns a chain to the driver with n bytes written, and raises
// an interrupt unless the driver suppressed it.
func (d *fakeDev) push(q int, head uint16, n uint32) {
	d.pushRaw(q, uint32(head), n)
	d.interrupt(q, 1)
}

// pushRaw writes a used entry and moves the used index, checking
// nothing: tests use it to play a hostile device.
func (d *fakeDev) pushRaw(q int, id, n uint32) {
	fq := &d.queues[q]
	_, _, used := d.ring(q)
	e := used[virtiospec.RingOffEntries+virtiospec.UsedElemSize*int(fq.usedIdx%fq.num):]
	put32(e[virtiospec.UsedElemOffID:], id)
	put32(e[virtiospec.UsedElemOffLen:], n)
	fq.usedIdx++
	put16(used[virtiospec.RingOffIdx:], fq.usedIdx)
}

// setUsedIdx moves the used index without writing entries.
func (d *fakeDev) setUsedIdx(q int, idx uint16) {
	d.queues[q].usedIdx = idx
	_, _, used := d.ring(q)
	put16(used[virtiospec.RingOffIdx:], idx)
}

// interrupt raises a used-buffer interrupt for the last k used entries
// of q if the driver asked for one (§2.7.7).
func (d *fakeDev) interrupt(q, k int) {
	fq := &d.queues[q]
	_, avail, _ := d.ring(q)
	var want bool
	if d.negotiated(virtiospec.FRingEventIdx) {
		ev := le16(avail[virtiospec.UsedEventOffset(int(fq.num)):])
		want = virtiospec.NeedEvent(ev, fq.usedIdx, fq.usedIdx-uint16(k))
	} else {
		want = le16(avail[virtiospec.RingOffFlags:])&virtiospec.AvailFNoInterrupt == 0
	}
	if want {
		d.intStatus |= virtiospec.IntVring
		d.interrupts++
	}
}

// setNotifySuppressed sets or clears the used ring's NO_NOTIFY flag.
func (d *fakeDev) setNotifySuppressed(q int, on bool) {
	_, _, used := d.ring(q)
	var f uint16
	if on {
		f = virtiospec.UsedFNoNotify
	}
	put16(used[virtiospec.RingOffFlags:], f)
}

// fakeMMIO is the MMIO version 2 register file of a fakeDev.
type fakeMMIO struct {
	d              *fakeDev
	version        uint32
	magic          uint32
	devSel, drvSel uint32
	queueSel       uint32
}

func newFakeMMIO(d *fakeDev) *fakeMMIO {
	return &fakeMMIO{d: d, version: virtiospec.MMIOVersion, magic: virtiospec.MMIOMagic}
}

func (m *fakeMMIO) narrow(off uint32, w int) bool {
	if off < virtiospec.MMIOConfig {
		m.d.fail("%d-bit access to MMIO register %#x", w*8, off)
		return true
	}
	return false
}

func (m *fakeMMIO) Read8(off uint32) uint8 {
	if m.narrow(off, 1) {
		return 0
	}
	return uint8(m.d.readConfig(off-virtiospec.MMIOConfig, 1))
}

func (m *fakeMMIO) Read16(off uint32) uint16 {
	if m.narrow(off, 2) {
		return 0
	}
	return uint16(m.d.readConfig(off-virtiospec.MMIOConfig, 2))
}

func (m *fakeMMIO) Write8(off uint32, v uint8)   { m.d.fail("8-bit write at %#x", off) }
func (m *fakeMMIO) Write16(off uint32, v uint16) { m.d.fail("16-bit write at %#x", off) }

func (m *fakeMMIO) Read32(off uint32) uint32 {
	d := m.d
	q := d.queue(m.queueSel)
	switch off {
	case virtiospec.MMIOMagicValue:
		return m.magic
	case virtiospec.MMIOVersionReg:
		return m.version
	case virtiospec.MMIODeviceID:
		return d.typ
	case virtiospec.MMIOVendorID:
		return 0x554d4551 // "QEMU"
	case virtiospec.MMIODeviceFeatures:
		return d.featureWord(m.devSel)
	case virtiospec.MMIOQueueNumMax:
		return uint32(d.maxOf(m.queueSel))
	case virtiospec.MMIOQueueReady:
		if q != nil && q.ready {
			return 1
		}
		return 0
	case virtiospec.MMIOInterruptStatus:
		return d.intStatus
	case virtiospec.MMIOStatus:
		return uint32(d.readStatus())
	case virtiospec.MMIOConfigGeneration:
		return d.generation
	}
	if off >= virtiospec.MMIOConfig {
		return d.readConfig(off-virtiospec.MMIOConfig, 4)
	}
	d.fail("read of MMIO register %#x", off)
	return 0
}

func (m *fakeMMIO) Write32(off uint32, v uint32) {
	d := m.d
	q := d.queue(m.queueSel)
	setup := func() bool {
		if q == nil || q.ready {
			d.fail("queue %d register %#x written while absent or ready", m.queueSel, off)
			return false
		}
		return true
	}
	switch off {
	case virtiospec.MMIODeviceFeaturesSel:
		m.devSel = v
	case virtiospec.MMIODriverFeaturesSel:
		m.drvSel = v
	case virtiospec.MMIODriverFeatures:
		d.setDriverWord(m.drvSel, v)
	case virtiospec.MMIOQueueSel:
		m.queueSel = v
	case virtiospec.MMIOQueueNum:
		if setup() {
			q.num = uint16(v)
		}
	case virtiospec.MMIOQueueReady:
		if v == 1 && setup() {
			d.enable(m.queueSel)
		}
	case virtiospec.MMIOQueueNotify:
		d.notify(v)
	case virtiospec.MMIOInterruptACK:
		d.intStatus &^= v
	case virtiospec.MMIOStatus:
		d.setStatus(uint8(v))
	case virtiospec.MMIOQueueDescLow, virtiospec.MMIOQueueDescHigh,
		virtiospec.MMIOQueueDriverLow, virtiospec.MMIOQueueDriverHigh,
		virtiospec.MMIOQueueDeviceLow, virtiospec.MMIOQueueDeviceHigh:
		if !setup() {
			return
		}
		p := map[uint32]*uint64{
			virtiospec.MMIOQueueDescLow: &q.desc, virtiospec.MMIOQueueDescHigh: &q.desc,
			virtiospec.MMIOQueueDriverLow: &q.driver, virtiospec.MMIOQueueDriverHigh: &q.driver,
			virtiospec.MMIOQueueDeviceLow: &q.device, virtiospec.MMIOQueueDeviceHigh: &q.device,
		}[off]
		if off&4 == 0 {
			*p = *p&^0xffffffff | uint64(v)
		} else {
			*p = *p&0xffffffff | uint64(v)<<32
		}
	default:
		d.fail("write of MMIO register %#x", off)
	}
}
