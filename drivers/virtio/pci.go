// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import "mirago.dev/sys/virtiospec"

// Generic PCI configuration space facts (PCI Local Bus Specification
// 3.0, §6.1 "Configuration Space Organization", §6.7 "Capabilities
// List"), which the virtio PCI transport builds on.
const (
	pciVendorID       = 0x00
	pciDeviceID       = 0x02
	pciCommand        = 0x04
	pciStatus         = 0x06
	pciSubsystemID    = 0x2e
	pciCapPtr         = 0x34
	pciCmdMemory      = 1 << 1 // respond to memory space accesses
	pciCmdBusMaster   = 1 << 2 // may issue DMA
	pciStatusCapList  = 1 << 4
	pciCapIDVendor    = 0x09 // vendor-specific capability, as virtio's are
	pciCapFirst       = 0x40 // capabilities live after the header
	pciMaxCaps        = (256 - pciCapFirst) / 4
	pciModernDeviceID = virtiospec.PCIDeviceIDBase + 0x3f
)

// BARMapper gives access to the memory a PCI device decodes. MapBAR
// returns a window of length bytes at offset in the region of BAR bar,
// as the firmware programmed it (the runtime reads the BAR from
// configuration space, or assigns it, and maps it uncached).
type BARMapper interface {
	MapBAR(bar uint8, offset, length uint32) (Regs, error)
}

// PCI is the modern virtio PCI transport (§4.1): the common
// configuration, notification, ISR and device configuration structures,
// each found through a vendor capability in configuration space and
// reached through a BAR.
//
// Interrupts: without MSI-X the device raises INTx and the handler
// reads the ISR (Device.InterruptStatus) to lower the line. For MSI-X,
// the runtime programs the MSI-X table and calls SetVectors before the
// queues are set up; this package does not touch the table.
type PCI struct {
	cfg                         Regs
	common, notify, isr, devcfg Regs
	notifyMul, notifyLen        uint32
	id                          uint32
	notifyOff                   []uint32 // byte offset of each queue's notify register

	configVector uint16
	queueVector  func(i uint16) uint16
}

type pciCap struct {
	found       bool
	bar         uint8
	offset, len uint32
	notifyMult  uint32
}

// NewPCI finds a virtio device's structures in configuration space cfg
// and maps them with m. It accepts modern (0x1040+type) and transitional
// (0x1000-0x103f) device IDs, driving both through the modern
// interface, and enables memory decoding and bus mastering (DMA) in the
// command register, which firmware may have left off.
func NewPCI(cfg Regs, m BARMapper) (*PCI, error) {
	if cfg.Read16(pciVendorID) != virtiospec.PCIVendorID {
		return nil, ErrNoDevice
	}
	p := &PCI{cfg: cfg}
	switch dev := uint32(cfg.Read16(pciDeviceID)); {
	case dev >= virtiospec.PCIDeviceIDBase && dev <= pciModernDeviceID:
		p.id = dev - virtiospec.PCIDeviceIDBase
	case dev >= virtiospec.PCIDeviceIDTransitionalFirst && dev <= virtiospec.PCIDeviceIDTransitionalLast:
		p.id = uint32(cfg.Read16(pciSubsystemID))
	default:
		return nil, ErrNoDevice
	}
	if cfg.Read16(pciStatus)&pciStatusCapList == 0 {
		return nil, ErrNoPCICap
	}

	// Walk the list, keeping the first capability of each type, as
	// §4.1.4 asks. The walk is bounded, so a looping list ends.
	var caps [virtiospec.PCICapDeviceCfg + 1]pciCap
	ptr := cfg.Read8(pciCapPtr) &^ 3
	for n := 0; ptr >= pciCapFirst && n < pciMaxCaps; n++ {
		next := cfg.Read8(uint32(ptr)+virtiospec.PCICapOffNext) &^ 3
		if cfg.Read8(uint32(ptr)+virtiospec.PCICapOffVndr) == pciCapIDVendor {
			p.readCap(uint32(ptr), &caps)
		}
		ptr = next
	}
	common, notify, isr, dev := caps[virtiospec.PCICapCommonCfg], caps[virtiospec.PCICapNotifyCfg], caps[virtiospec.PCICapISRCfg], caps[virtiospec.PCICapDeviceCfg]
	if !common.found || !notify.found || !isr.found {
		return nil, ErrNoPCICap
	}
	if common.len < virtiospec.PCICommonCfgSize || notify.len < 2 || isr.len < 1 {
		return nil, ErrBadPCICap
	}

	cfg.Write16(pciCommand, cfg.Read16(pciCommand)|pciCmdMemory|pciCmdBusMaster)
	var err error
	if p.common, err = m.MapBAR(common.bar, common.offset, common.len); err != nil {
		return nil, err
	}
	if p.notify, err = m.MapBAR(notify.bar, notify.offset, notify.len); err != nil {
		return nil, err
	}
	if p.isr, err = m.MapBAR(isr.bar, isr.offset, isr.len); err != nil {
		return nil, err
	}
	if dev.found {
		if p.devcfg, err = m.MapBAR(dev.bar, dev.offset, dev.len); err != nil {
			return nil, err
		}
	} else {
		p.devcfg = noConfig{}
	}
	p.notifyMul, p.notifyLen = notify.notifyMult, notify.len
	p.configVector = virtiospec.PCIMSINoVector
	return p, nil
}

// readCap records the virtio capability at ptr if it is well formed
// and the first of its type. Malformed ones (too short, a reserved BAR,
// a range that wraps) are skipped, as a driver must skip types and BARs
// it does not know.
func (p *PCI) readCap(ptr uint32, caps *[virtiospec.PCICapDeviceCfg + 1]pciCap) {
	typ := p.cfg.Read8(ptr + virtiospec.PCICapOffCfgType)
	if typ == 0 || int(typ) >= len(caps) || caps[typ].found {
		return
	}
	length := uint32(p.cfg.Read8(ptr + virtiospec.PCICapOffLen))
	if length < virtiospec.PCICapSize || typ == virtiospec.PCICapNotifyCfg && length < virtiospec.PCINotifyCapSize {
		return
	}
	c := pciCap{
		bar:    p.cfg.Read8(ptr + virtiospec.PCICapOffBAR),
		offset: p.cfg.Read32(ptr + virtiospec.PCICapOffOffset),
		len:    p.cfg.Read32(ptr + virtiospec.PCICapOffLength),
	}
	if c.bar > virtiospec.PCIMaxBAR || uint64(c.offset)+uint64(c.len) > 1<<32 {
		return
	}
	if typ == virtiospec.PCICapNotifyCfg {
		c.notifyMult = p.cfg.Read32(ptr + virtiospec.PCINotifyCapOffMultiplier)
	}
	c.found = true
	caps[typ] = c
}

// SetVectors sets the MSI-X vectors the device uses for configuration
// changes and for each queue (virtiospec.PCIMSINoVector: none). Call it
// after the runtime has enabled MSI-X and before setting up queues. The
// default is no vectors, for INTx.
func (p *PCI) SetVectors(config uint16, queue func(i uint16) uint16) error {
	p.common.Write16(virtiospec.PCICommonConfigMSIXVector, config)
	if p.common.Read16(virtiospec.PCICommonConfigMSIXVector) != config {
		return ErrNoVector
	}
	p.configVector, p.queueVector = config, queue
	return nil
}

// ErrNoVector is returned when the device could not take an MSI-X
// vector (it reads back virtiospec.PCIMSINoVector, §4.1.5.1.2).
const ErrNoVector = Error("virtio: device refused the MSI-X vector")

func (p *PCI) DeviceType() uint32 { return p.id }

func (p *PCI) Status() uint8 { return p.common.Read8(virtiospec.PCICommonDeviceStatus) }

func (p *PCI) SetStatus(s uint8) { p.common.Write8(virtiospec.PCICommonDeviceStatus, s) }

func (p *PCI) DeviceFeatures() uint64 {
	return readFeatures(p.common, virtiospec.PCICommonDeviceFeatureSelect, virtiospec.PCICommonDeviceFeature)
}

func (p *PCI) SetDriverFeatures(f uint64) {
	writeFeatures(p.common, virtiospec.PCICommonDriverFeatureSelect, virtiospec.PCICommonDriverFeature, f)
}

func (p *PCI) QueueMax(i uint16) (uint16, bool) {
	if i >= p.common.Read16(virtiospec.PCICommonNumQueues) {
		return 0, false
	}
	p.common.Write16(virtiospec.PCICommonQueueSelect, i)
	return p.common.Read16(virtiospec.PCICommonQueueSize), p.common.Read16(virtiospec.PCICommonQueueEnable) != 0
}

// SetQueue follows §4.1.5.1.3 "Virtqueue Configuration".
func (p *PCI) SetQueue(i, size uint16, desc, driver, device uint64) error {
	max, enabled := p.QueueMax(i) // also selects i
	if err := queueSetupErr(max, enabled, size); err != nil {
		return err
	}
	off := uint32(p.common.Read16(virtiospec.PCICommonQueueNotifyOff))
	nb := uint64(off) * uint64(p.notifyMul)
	if nb+2 > uint64(p.notifyLen) {
		return ErrBadPCICap
	}
	for int(i) >= len(p.notifyOff) {
		p.notifyOff = append(p.notifyOff, 0)
	}
	p.notifyOff[i] = uint32(nb)

	c := p.common
	c.Write16(virtiospec.PCICommonQueueSize, size)
	c.Write32(virtiospec.PCICommonQueueDesc, uint32(desc))
	c.Write32(virtiospec.PCICommonQueueDesc+4, uint32(desc>>32))
	c.Write32(virtiospec.PCICommonQueueDriver, uint32(driver))
	c.Write32(virtiospec.PCICommonQueueDriver+4, uint32(driver>>32))
	c.Write32(virtiospec.PCICommonQueueDevice, uint32(device))
	c.Write32(virtiospec.PCICommonQueueDevice+4, uint32(device>>32))
	if p.queueVector != nil {
		v := p.queueVector(i)
		c.Write16(virtiospec.PCICommonQueueMSIXVector, v)
		if c.Read16(virtiospec.PCICommonQueueMSIXVector) != v {
			return ErrNoVector
		}
	}
	c.Write16(virtiospec.PCICommonQueueEnable, 1)
	return nil
}

func (p *PCI) Notify(i uint16) {
	if int(i) < len(p.notifyOff) {
		p.notify.Write16(p.notifyOff[i], i)
	}
}

func (p *PCI) ConfigGeneration() uint32 {
	return uint32(p.common.Read8(virtiospec.PCICommonConfigGeneration))
}

func (p *PCI) Config() Regs { return p.devcfg }

// InterruptStatus reads the ISR byte, which the read also clears
// (§4.1.4.5).
func (p *PCI) InterruptStatus() uint8 { return p.isr.Read8(0) }

// noConfig is the configuration window of a device without one
// (virtio-rng): reads return 0, writes vanish.
type noConfig struct{}

func (noConfig) Read8(uint32) uint8     { return 0 }
func (noConfig) Read16(uint32) uint16   { return 0 }
func (noConfig) Read32(uint32) uint32   { return 0 }
func (noConfig) Write8(uint32, uint8)   {}
func (noConfig) Write16(uint32, uint16) {}
func (noConfig) Write32(uint32, uint32) {}
