// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import "mirago.dev/sys/virtiospec"

// fakePCI is the modern PCI face of a fakeDev: a configuration space
// with a capability list, and BAR 4 holding the common configuration
// (0x0000), ISR (0x1000), device configuration (0x2000) and notification
// (0x3000, multiplier 4) structures, like QEMU's virtio-pci layout.
type fakePCI struct {
	d   *fakeDev
	cfg []byte

	devSel, drvSel, queueSel uint32
	configVector             uint16
	queueVector              []uint16
	refuseVectors            bool
	queueNum                 []uint16 // sizes the driver wrote; 0: not written
	mapErr                   error
}

const (
	barCommon = 0x0000
	barISR    = 0x1000
	barDevice = 0x2000
	barNotify = 0x3000
	notifyMul = 4
)

// capSpec is one capability in a fake configuration space.
type capSpec struct {
	at, id, length, typ, bar byte
	next                     byte // if not 0, overrides the link to the next entry
	offset, size             uint32
}

// standardCaps is the capability list of a well-formed device: a
// malformed and an unknown virtio capability first, which the driver
// must skip, and a non-virtio one (MSI-X) last.
func standardCaps(devLen uint32) []capSpec {
	return []capSpec{
		{at: 0x40, id: pciCapIDVendor, length: 8, typ: virtiospec.PCICapCommonCfg},                        // too short
		{at: 0x50, id: pciCapIDVendor, length: 16, typ: virtiospec.PCICapCommonCfg, bar: 9, size: 0x100},  // reserved BAR
		{at: 0x60, id: pciCapIDVendor, length: 16, typ: virtiospec.PCICapSharedMem, bar: 2, size: 0x1000}, // not needed
		{at: 0x70, id: pciCapIDVendor, length: 16, typ: virtiospec.PCICapCommonCfg, bar: 4, offset: barCommon, size: 0x38},
		{at: 0x80, id: pciCapIDVendor, length: 16, typ: virtiospec.PCICapISRCfg, bar: 4, offset: barISR, size: 1},
		{at: 0x90, id: pciCapIDVendor, length: 16, typ: virtiospec.PCICapDeviceCfg, bar: 4, offset: barDevice, size: devLen},
		{at: 0xa0, id: pciCapIDVendor, length: 20, typ: virtiospec.PCICapNotifyCfg, bar: 4, offset: barNotify, size: 0x1000},
		{at: 0xb8, id: 0x11, length: 12}, // MSI-X
	}
}

func newFakePCI(d *fakeDev, deviceID uint16, caps []capSpec) *fakePCI {
	p := &fakePCI{d: d, cfg: make([]byte, 256)}
	p.queueVector = make([]uint16, len(d.queueMax))
	p.queueNum = make([]uint16, len(d.queueMax))
	put16(p.cfg[pciVendorID:], virtiospec.PCIVendorID)
	put16(p.cfg[pciDeviceID:], deviceID)
	put16(p.cfg[pciSubsystemID:], uint16(d.typ))
	if len(caps) > 0 {
		put16(p.cfg[pciStatus:], pciStatusCapList)
		p.cfg[pciCapPtr] = caps[0].at
	}
	for i, c := range caps {
		b := p.cfg[c.at:]
		b[virtiospec.PCICapOffVndr] = c.id
		if i+1 < len(caps) {
			b[virtiospec.PCICapOffNext] = caps[i+1].at
		}
		if c.next != 0 {
			b[virtiospec.PCICapOffNext] = c.next
		}
		b[virtiospec.PCICapOffLen] = c.length
		b[virtiospec.PCICapOffCfgType] = c.typ
		b[virtiospec.PCICapOffBAR] = c.bar
		put32(b[virtiospec.PCICapOffOffset:], c.offset)
		put32(b[virtiospec.PCICapOffLength:], c.size)
		if c.typ == virtiospec.PCICapNotifyCfg {
			put32(b[virtiospec.PCINotifyCapOffMultiplier:], notifyMul)
		}
	}
	return p
}

// Configuration space accessors.
func (p *fakePCI) Read8(off uint32) uint8   { return p.cfg[off] }
func (p *fakePCI) Read16(off uint32) uint16 { return le16(p.cfg[off:]) }
func (p *fakePCI) Read32(off uint32) uint32 { return le32(p.cfg[off:]) }
func (p *fakePCI) Write8(off uint32, v uint8) {
	p.d.fail("configuration space byte write at %#x", off)
}
func (p *fakePCI) Write16(off uint32, v uint16) {
	if off != pciCommand {
		p.d.fail("configuration space write at %#x", off)
	}
	put16(p.cfg[off:], v)
}
func (p *fakePCI) Write32(off uint32, v uint32) {
	p.d.fail("configuration space write at %#x", off)
}

func (p *fakePCI) MapBAR(bar uint8, offset, length uint32) (Regs, error) {
	if p.mapErr != nil {
		return nil, p.mapErr
	}
	if bar != 4 {
		p.d.fail("map of BAR %d", bar)
	}
	return &barWindow{p, offset, length}, nil
}

// barWindow is a mapped range of BAR 4, checking bounds.
type barWindow struct {
	p         *fakePCI
	base, len uint32
}

func (w *barWindow) in(off uint32, width uint32) bool {
	if off+width > w.len {
		w.p.d.fail("BAR access at %#x+%#x width %d beyond length %#x", w.base, off, width, w.len)
		return false
	}
	return true
}

func (w *barWindow) Read8(off uint32) uint8 {
	if !w.in(off, 1) {
		return 0
	}
	return uint8(w.p.read(w.base+off, 1))
}
func (w *barWindow) Read16(off uint32) uint16 {
	if !w.in(off, 2) {
		return 0
	}
	return uint16(w.p.read(w.base+off, 2))
}
func (w *barWindow) Read32(off uint32) uint32 {
	if !w.in(off, 4) {
		return 0
	}
	return w.p.read(w.base+off, 4)
}
func (w *barWindow) Write8(off uint32, v uint8) {
	if w.in(off, 1) {
		w.p.write(w.base+off, 1, uint32(v))
	}
}
func (w *barWindow) Write16(off uint32, v uint16) {
	if w.in(off, 2) {
		w.p.write(w.base+off, 2, uint32(v))
	}
}
func (w *barWindow) Write32(off uint32, v uint32) {
	if w.in(off, 4) {
		w.p.write(w.base+off, 4, v)
	}
}

// commonWidth is the access width of each common configuration field
// (§4.1.4.3); the 64-bit queue addresses are written as 32-bit halves.
func commonWidth(off uint32) uint32 {
	switch {
	case off < virtiospec.PCICommonConfigMSIXVector:
		return 4
	case off == virtiospec.PCICommonDeviceStatus || off == virtiospec.PCICommonConfigGeneration:
		return 1
	case off < virtiospec.PCICommonQueueDesc:
		return 2
	}
	return 4
}

func (p *fakePCI) read(off, width uint32) uint32 {
	d := p.d
	switch {
	case off >= barISR && off < barDevice:
		v := d.intStatus
		d.intStatus = 0 // reading the ISR clears it
		return v
	case off >= barDevice && off < barNotify:
		return d.readConfig(off-barDevice, int(width))
	case off >= barNotify:
		d.fail("read of the notification area")
		return 0
	}
	if commonWidth(off) != width {
		d.fail("common configuration field %#x read with width %d", off, width)
	}
	q := d.queue(p.queueSel)
	switch off {
	case virtiospec.PCICommonDeviceFeatureSelect:
		return p.devSel
	case virtiospec.PCICommonDeviceFeature:
		return d.featureWord(p.devSel)
	case virtiospec.PCICommonConfigMSIXVector:
		return uint32(p.configVector)
	case virtiospec.PCICommonNumQueues:
		return uint32(len(d.queueMax))
	case virtiospec.PCICommonDeviceStatus:
		return uint32(d.readStatus())
	case virtiospec.PCICommonConfigGeneration:
		return d.generation & 0xff
	case virtiospec.PCICommonQueueSelect:
		return p.queueSel
	case virtiospec.PCICommonQueueSize:
		if q == nil {
			return 0
		}
		if q.num != 0 {
			return uint32(q.num)
		}
		return uint32(d.maxOf(p.queueSel))
	case virtiospec.PCICommonQueueMSIXVector:
		if q == nil {
			return virtiospec.PCIMSINoVector
		}
		return uint32(p.queueVector[p.queueSel])
	case virtiospec.PCICommonQueueEnable:
		if q != nil && q.ready {
			return 1
		}
		return 0
	case virtiospec.PCICommonQueueNotifyOff:
		return p.queueSel // queue i notifies at i * multiplier
	}
	d.fail("read of common configuration field %#x", off)
	return 0
}

func (p *fakePCI) write(off, width, v uint32) {
	d := p.d
	switch {
	case off >= barNotify:
		if width != 2 {
			d.fail("notification written with width %d", width)
		}
		if q := (off - barNotify) / notifyMul; q != v || (off-barNotify)%notifyMul != 0 {
			d.fail("notification of queue %d at offset %#x", v, off-barNotify)
		}
		d.notify(v)
		return
	case off >= barISR:
		d.fail("write to the ISR or device configuration at %#x", off)
		return
	}
	if commonWidth(off) != width {
		d.fail("common configuration field %#x written with width %d", off, width)
	}
	q := d.queue(p.queueSel)
	setup := func() bool {
		if q == nil || q.ready {
			d.fail("queue %d field %#x written while absent or enabled", p.queueSel, off)
			return false
		}
		return true
	}
	switch off {
	case virtiospec.PCICommonDeviceFeatureSelect:
		p.devSel = v
	case virtiospec.PCICommonDriverFeatureSelect:
		p.drvSel = v
	case virtiospec.PCICommonDriverFeature:
		d.setDriverWord(p.drvSel, v)
	case virtiospec.PCICommonConfigMSIXVector:
		p.configVector = uint16(v)
		if p.refuseVectors {
			p.configVector = virtiospec.PCIMSINoVector
		}
	case virtiospec.PCICommonDeviceStatus:
		d.setStatus(uint8(v))
	case virtiospec.PCICommonQueueSelect:
		p.queueSel = v
	case virtiospec.PCICommonQueueSize:
		if setup() {
			q.num = uint16(v)
		}
	case virtiospec.PCICommonQueueMSIXVector:
		if setup() {
			p.queueVector[p.queueSel] = uint16(v)
			if p.refuseVectors {
				p.queueVector[p.queueSel] = virtiospec.PCIMSINoVector
			}
		}
	case virtiospec.PCICommonQueueEnable:
		if v == 1 && setup() {
			d.enable(p.queueSel)
		}
	case virtiospec.PCICommonQueueDesc, virtiospec.PCICommonQueueDesc + 4,
		virtiospec.PCICommonQueueDriver, virtiospec.PCICommonQueueDriver + 4,
		virtiospec.PCICommonQueueDevice, virtiospec.PCICommonQueueDevice + 4:
		if !setup() {
			return
		}
		f := map[uint32]*uint64{
			virtiospec.PCICommonQueueDesc: &q.desc, virtiospec.PCICommonQueueDriver: &q.driver, virtiospec.PCICommonQueueDevice: &q.device,
		}[off&^4]
		if off&4 == 0 {
			*f = *f&^0xffffffff | uint64(v)
		} else {
			*f = *f&0xffffffff | uint64(v)<<32
		}
	default:
		d.fail("write of common configuration field %#x", off)
	}
}
