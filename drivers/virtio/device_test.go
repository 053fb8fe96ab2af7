// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"testing"

	"mirago.dev/sys/virtiospec"
)

func TestMMIOProbe(t *testing.T) {
	tests := []struct {
		name    string
		magic   uint32
		version uint32
		typ     uint32
		want    error
	}{
		{"version 2", virtiospec.MMIOMagic, 2, virtiospec.IDNet, nil},
		{"bad magic", 0x12345678, 2, virtiospec.IDNet, ErrNoDevice},
		{"floating bus", 0xffffffff, 0xffffffff, 0xffffffff, ErrNoDevice},
		{"legacy version 1", virtiospec.MMIOMagic, 1, virtiospec.IDNet, ErrLegacy},
		{"unknown version 3", virtiospec.MMIOMagic, 3, virtiospec.IDNet, ErrMMIOVersion},
		{"empty slot", virtiospec.MMIOMagic, 2, 0, ErrNoDevice},
	}
	for _, tt := range tests {
		d := newFakeDev(tt.typ, bit(virtiospec.FVersion1), &manualModel{}, nil, 8)
		m := newFakeMMIO(d)
		m.magic, m.version = tt.magic, tt.version
		tr, err := NewMMIO(m)
		if err != tt.want {
			t.Errorf("%s: NewMMIO = %v; want %v", tt.name, err, tt.want)
		}
		if err == nil && tr.DeviceType() != tt.typ {
			t.Errorf("%s: DeviceType = %d; want %d", tt.name, tr.DeviceType(), tt.typ)
		}
		if d.status != 0 {
			t.Errorf("%s: probing changed the status to %#x", tt.name, d.status)
		}
		noDeviceErrors(t, d)
	}
}

func TestInit(t *testing.T) {
	const all = ^uint64(0)
	v1 := bit(virtiospec.FVersion1)
	tests := []struct {
		name       string
		typ        uint32
		offered    uint64
		supported  uint64
		reject     bool
		stuck      bool
		want       error
		wantFeat   uint64
		wantStatus uint8
	}{
		{
			name: "intersection of offered and supported", typ: virtiospec.IDNet,
			offered:    v1 | bit(virtiospec.NetFMAC) | bit(virtiospec.NetFCtrlVQ) | bit(virtiospec.FRingPacked),
			supported:  bit(virtiospec.NetFMAC) | bit(virtiospec.NetFStatus),
			wantFeat:   v1 | bit(virtiospec.NetFMAC),
			wantStatus: virtiospec.StatusAcknowledge | virtiospec.StatusDriver | virtiospec.StatusFeaturesOK,
		},
		{
			name: "legacy-only features", typ: virtiospec.IDNet,
			offered: bit(virtiospec.NetFMAC) | bit(virtiospec.FLegacyAnyLayout), supported: all,
			want:       ErrNoVersion1,
			wantStatus: virtiospec.StatusAcknowledge | virtiospec.StatusDriver | virtiospec.StatusFailed,
		},
		{
			name: "device clears FEATURES_OK", typ: virtiospec.IDNet,
			offered: v1, supported: all, reject: true,
			want: ErrFeaturesRejected, wantFeat: v1,
			wantStatus: virtiospec.StatusAcknowledge | virtiospec.StatusDriver | virtiospec.StatusFailed,
		},
		{
			name: "wrong device type", typ: virtiospec.IDBlock,
			offered: v1, supported: all, want: ErrWrongDevice,
		},
		{
			name: "reset never completes", typ: virtiospec.IDNet,
			offered: v1, supported: all, stuck: true, want: ErrResetTimeout,
		},
	}
	for _, tt := range tests {
		d := newFakeDev(tt.typ, tt.offered, &manualModel{}, nil, 8)
		d.rejectFeatures, d.stuckReset = tt.reject, tt.stuck
		tr, err := NewMMIO(newFakeMMIO(d))
		if err != nil {
			t.Fatal(err)
		}
		dev, err := Init(tr, d.mem, virtiospec.IDNet, tt.supported)
		if err != tt.want {
			t.Errorf("%s: Init = %v; want %v", tt.name, err, tt.want)
		}
		if err == nil && dev.Features() != tt.wantFeat {
			t.Errorf("%s: Features = %#x; want %#x", tt.name, dev.Features(), tt.wantFeat)
		}
		if d.driverFeat != tt.wantFeat {
			t.Errorf("%s: device got driver features %#x; want %#x", tt.name, d.driverFeat, tt.wantFeat)
		}
		if d.status != tt.wantStatus {
			t.Errorf("%s: status %#x; want %#x", tt.name, d.status, tt.wantStatus)
		}
		noDeviceErrors(t, d)
	}
}

func TestSetupQueue(t *testing.T) {
	d := newFakeDev(virtiospec.IDNet, bit(virtiospec.FVersion1), &manualModel{}, nil, 100, 0, 1024)
	tr, _ := NewMMIO(newFakeMMIO(d))
	dev, err := Init(tr, d.mem, virtiospec.IDNet, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i, size  uint16
		wantSize int
		want     error
	}{
		{0, 0, 64, nil},          // max 100: the largest power of 2 below
		{0, 0, 0, ErrQueueInUse}, // already enabled
		{1, 0, 0, ErrNoQueue},    // max 0
		{2, 0, DefaultQueueSize, nil},
		{3, 0, 0, ErrNoQueue}, // beyond the device's queues
	}
	for _, tt := range tests {
		q, err := dev.SetupQueue(tt.i, tt.size)
		if err != tt.want {
			t.Errorf("SetupQueue(%d, %d) = %v; want %v", tt.i, tt.size, err, tt.want)
			continue
		}
		if err == nil && (q.Size() != tt.wantSize || int(d.queues[tt.i].num) != tt.wantSize || !d.queues[tt.i].ready) {
			t.Errorf("SetupQueue(%d, %d): size %d, device has %d ready %v; want %d",
				tt.i, tt.size, q.Size(), d.queues[tt.i].num, d.queues[tt.i].ready, tt.wantSize)
		}
	}
	// The rings lie above 4 GiB: the high address registers were used.
	if q := d.queues[0]; q.desc>>32 == 0 || q.driver>>32 == 0 || q.device>>32 == 0 {
		t.Errorf("queue addresses %#x %#x %#x lost their high halves", q.desc, q.driver, q.device)
	}
	noDeviceErrors(t, d)
}

func TestReadConfigGeneration(t *testing.T) {
	for _, tt := range []struct {
		bumps int
		want  error
	}{{0, nil}, {5, nil}, {1000, ErrConfigUnstable}} {
		d := newFakeDev(virtiospec.IDBlock, bit(virtiospec.FVersion1), &manualModel{}, blkConfig(0x1_0000_0002, 0, 0, 0), 8)
		tr, _ := NewMMIO(newFakeMMIO(d))
		dev, err := Init(tr, d.mem, virtiospec.IDBlock, 0)
		if err != nil {
			t.Fatal(err)
		}
		d.genBumpReads = tt.bumps
		var capacity uint64
		err = dev.ReadConfig(func(c Regs) { capacity = config64(c, virtiospec.BlkCfgCapacity) })
		if err != tt.want {
			t.Errorf("%d generation changes: ReadConfig = %v; want %v", tt.bumps, err, tt.want)
		}
		if err == nil && capacity != 0x1_0000_0002 {
			t.Errorf("capacity = %#x; want 0x100000002", capacity)
		}
	}
}

func TestInterruptStatus(t *testing.T) {
	d := newFakeDev(virtiospec.IDNet, bit(virtiospec.FVersion1), &manualModel{}, nil, 8)
	tr, _ := NewMMIO(newFakeMMIO(d))
	dev, _ := Init(tr, d.mem, virtiospec.IDNet, 0)
	d.intStatus = virtiospec.IntVring | virtiospec.IntConfig
	if got := dev.InterruptStatus(); got != virtiospec.IntVring|virtiospec.IntConfig {
		t.Errorf("InterruptStatus = %#x; want 3", got)
	}
	if got := dev.InterruptStatus(); got != 0 {
		t.Errorf("InterruptStatus after acknowledging = %#x; want 0", got)
	}
	if testing.AllocsPerRun(100, func() { dev.InterruptStatus() }) != 0 {
		t.Errorf("InterruptStatus allocates; it must be callable from an interrupt handler")
	}
	d.status |= virtiospec.StatusDeviceNeedsReset
	if !dev.NeedsReset() {
		t.Errorf("NeedsReset = false with DEVICE_NEEDS_RESET set")
	}
}
