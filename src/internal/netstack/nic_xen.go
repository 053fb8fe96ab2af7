// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package netstack

import (
	"internal/devices"
	"time"

	ns "mirago.dev/drivers/netstack"
	"mirago.dev/drivers/virtio"
	sysvirtio "mirago.dev/sys/virtio"
)

// The network device of GOOS=xen: the first virtio-net device, on
// virtio-mmio (microvm) or PCI (pc, q35).

type ethernet struct {
	dev  *virtio.Net
	line devices.Line
	irq  bool // line is routed
}

func hasEthernet() bool { return devices.FindVirtio(sysvirtio.IDNet) != nil }

// openEthernet sets up the first network device, or returns nil if
// there is none.
func openEthernet() (*ethernet, error) {
	d := devices.FindVirtio(sysvirtio.IDNet)
	if d == nil {
		return nil, nil
	}
	name := "eth0: virtio-net (" + d.Name + ")"
	if d.Err != nil {
		return nil, devices.Error(name + ": " + d.Err.Error())
	}
	n, err := virtio.NewNet(d.Transport, &virtio.IdentityMemory{}, nil)
	if err != nil {
		return nil, devices.Error(name + ": " + err.Error())
	}
	e := &ethernet{dev: n}
	e.line, e.irq = devices.RouteGSI(d.GSI)
	return e, nil
}

// pollInterval is how often a device without an interrupt line is
// polled.
const pollInterval = time.Millisecond

// run is the device's goroutine: it hands received frames to the stack
// and waits for the next interrupt, in the order internal/devices
// explains.
func (e *ethernet) run(link *ns.Link) {
	for {
		link.Poll()
		if !e.irq {
			time.Sleep(pollInterval)
			continue
		}
		e.line.Wait(-1)
		e.dev.Device().InterruptStatus()
	}
}
