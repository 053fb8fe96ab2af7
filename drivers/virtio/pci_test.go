// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/sys/virtiospec"
)

func newPCINetDev() (*fakeDev, *fakeNet) {
	model := &fakeNet{}
	return newFakeDev(virtiospec.IDNet, allNet, model, netConfig(testMAC, virtiospec.NetSLinkUp, 1500), 16, 16), model
}

// TestPCINetLoopback drives a network device through the PCI transport.
func TestPCINetLoopback(t *testing.T) {
	d, model := newPCINetDev()
	model.loopback = true
	p := newFakePCI(d, virtiospec.PCIDeviceIDBase+virtiospec.IDNet, standardCaps(12))
	tr, err := NewPCI(p, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := le16(p.cfg[pciCommand:]); got&(pciCmdMemory|pciCmdBusMaster) != pciCmdMemory|pciCmdBusMaster {
		t.Errorf("command register %#x: memory decoding or bus mastering left off", got)
	}
	n, err := NewNet(tr, d.mem, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mac, _ := n.MAC(); mac != testMAC {
		t.Errorf("MAC = %x; want %x", mac, testMAC)
	}
	var sent [][]byte
	for i := 0; i < 40; i++ {
		f := frame(60+i*30, byte(i))
		if err := n.Transmit(f); err != nil {
			t.Fatalf("Transmit %d: %v", i, err)
		}
		sent = append(sent, f)
		if i%7 == 6 {
			if diff := cmp.Diff(sent, receiveAll(t, n)); diff != "" {
				t.Fatalf("received (-sent +got):\n%s", diff)
			}
			sent = nil
		}
	}
	if diff := cmp.Diff(sent, receiveAll(t, n)); diff != "" {
		t.Fatalf("received (-sent +got):\n%s", diff)
	}
	d.intStatus = virtiospec.IntVring
	if s := n.Device().InterruptStatus(); s != virtiospec.IntVring || d.intStatus != 0 {
		t.Errorf("InterruptStatus = %d, ISR left at %d; want 1, cleared by the read", s, d.intStatus)
	}
	noDeviceErrors(t, d)
}

func TestPCIProbe(t *testing.T) {
	caps := standardCaps(12)
	without := func(typ byte) []capSpec {
		var c []capSpec
		for _, s := range caps {
			if s.typ != typ || s.bar != 4 {
				c = append(c, s)
			}
		}
		return c
	}
	loop := append([]capSpec(nil), caps...)
	loop = append(loop[:3:3], capSpec{at: 0x70, id: pciCapIDVendor, length: 16, typ: 99, next: 0x70}) // links to itself
	short := append([]capSpec(nil), caps...)
	short[3].size = 0x20

	tests := []struct {
		name     string
		deviceID uint16
		vendor   uint16
		caps     []capSpec
		mapErr   error
		wantType uint32
		want     error
	}{
		{"modern", virtiospec.PCIDeviceIDBase + virtiospec.IDNet, 0, caps, nil, virtiospec.IDNet, nil},
		{"transitional, type from the subsystem ID", 0x1000, 0, caps, nil, virtiospec.IDNet, nil},
		{"not virtio", 0x1100, 0, caps, nil, 0, ErrNoDevice},
		{"another vendor", 0x1041, 0x8086, caps, nil, 0, ErrNoDevice},
		{"no capability list", 0x1041, 0, nil, nil, 0, ErrNoPCICap},
		{"no notification capability", 0x1041, 0, without(virtiospec.PCICapNotifyCfg), nil, 0, ErrNoPCICap},
		{"no ISR capability", 0x1041, 0, without(virtiospec.PCICapISRCfg), nil, 0, ErrNoPCICap},
		{"looping capability list", 0x1041, 0, loop, nil, 0, ErrNoPCICap},
		{"common configuration too short", 0x1041, 0, short, nil, 0, ErrBadPCICap},
		{"BAR cannot be mapped", 0x1041, 0, caps, Error("no such BAR"), 0, Error("no such BAR")},
	}
	for _, tt := range tests {
		d, _ := newPCINetDev()
		p := newFakePCI(d, tt.deviceID, tt.caps)
		if tt.vendor != 0 {
			put16(p.cfg[pciVendorID:], tt.vendor)
		}
		p.mapErr = tt.mapErr
		tr, err := NewPCI(p, p)
		if err != tt.want {
			t.Errorf("%s: NewPCI = %v; want %v", tt.name, err, tt.want)
			continue
		}
		if err == nil && tr.DeviceType() != tt.wantType {
			t.Errorf("%s: DeviceType = %d; want %d", tt.name, tr.DeviceType(), tt.wantType)
		}
		noDeviceErrors(t, d)
	}
}

func TestPCINotifyOutOfRange(t *testing.T) {
	d, _ := newPCINetDev()
	caps := standardCaps(12)
	caps[6].size = 4 // room for queue 0's notification only
	p := newFakePCI(d, 0x1041, caps)
	tr, err := NewPCI(p, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewNet(tr, d.mem, nil); err != ErrBadPCICap {
		t.Errorf("NewNet with queue 1's notification outside the structure = %v; want ErrBadPCICap", err)
	}
}

func TestPCIVectors(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		d, _ := newPCINetDev()
		p := newFakePCI(d, 0x1041, standardCaps(12))
		p.refuseVectors = refuse
		tr, err := NewPCI(p, p)
		if err != nil {
			t.Fatal(err)
		}
		err = tr.SetVectors(0, func(q uint16) uint16 { return q + 1 })
		if refuse {
			if err != ErrNoVector {
				t.Errorf("SetVectors on a device without vectors = %v; want ErrNoVector", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewNet(tr, d.mem, nil); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]uint16{1, 2}, p.queueVector); diff != "" {
			t.Errorf("queue vectors (-want +got):\n%s", diff)
		}
		noDeviceErrors(t, d)
	}
}
