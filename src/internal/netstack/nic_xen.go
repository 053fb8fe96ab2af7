// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package netstack

import (
	"internal/devices"

	"mirago.dev/drivers/dma"
	"mirago.dev/drivers/virtio"
	"mirago.dev/sys/virtiospec"
)

// The network device of GOOS=xen: on Xen, netfront on the domain's
// first vif; elsewhere the first virtio-net device, on virtio-mmio
// (microvm) or PCI (pc, q35).

func hasEthernet() bool {
	if devices.OnXen() {
		return devices.HasXenNetwork()
	}
	return devices.FindVirtio(virtiospec.IDNet) != nil
}

// openEthernet sets up the first network device, or returns nil if
// there is none.
func openEthernet() (*nic, error) {
	if devices.OnXen() {
		n, intr, err := devices.OpenXenNetwork()
		if n == nil || err != nil {
			return nil, err
		}
		return &nic{dev: n, intr: intr}, nil
	}
	d := devices.FindVirtio(virtiospec.IDNet)
	if d == nil {
		return nil, nil
	}
	name := "eth0: virtio-net (" + d.Name + ")"
	if d.Err != nil {
		return nil, devices.Error(name + ": " + d.Err.Error())
	}
	n, err := virtio.NewNet(d.Transport, &dma.IdentityMemory{}, nil)
	if err != nil {
		return nil, devices.Error(name + ": " + err.Error())
	}
	return &nic{dev: n, intr: d.Interrupt()}, nil
}
