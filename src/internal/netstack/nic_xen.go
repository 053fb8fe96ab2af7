// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen

package netstack

import (
	"internal/devices"
	"runtime"
	"time"

	"mirago.dev/drivers/dma"
	"mirago.dev/drivers/ethlink"
	"mirago.dev/drivers/virtio"
	"mirago.dev/sys/virtiospec"
)

// The network device of GOOS=xen: the first virtio-net device, on
// virtio-mmio (microvm) or PCI (pc, q35).

type nic struct {
	dev  *virtio.Net
	line devices.Line
	irq  bool // line is routed
}

func hasEthernet() bool { return devices.FindVirtio(virtiospec.IDNet) != nil }

// openEthernet sets up the first network device, or returns nil if
// there is none.
func openEthernet() (*nic, error) {
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
	e := &nic{dev: n}
	e.line, e.irq = devices.RouteGSI(d.GSI)
	return e, nil
}

// pollInterval is how often a device without an interrupt line is
// polled.
const pollInterval = time.Millisecond

// run is the device's goroutine: it hands received frames to the stack
// and waits for the next interrupt, in the order internal/devices
// explains.
//
// While frames keep coming it does not wait for the interrupt at all:
// after handing frames to the stack it yields, so that the goroutines
// they woke can answer, and looks again. Each wait costs VM exits
// (unmasking the line, the interrupt, its acknowledgment at the device
// and the local APIC); under load the next frame is usually there by
// the time the others have run, as with Linux's NAPI.
func (e *nic) run(link *ethlink.Link) {
	for {
		if link.Poll() > 0 {
			runtime.Gosched()
			continue
		}
		if !e.irq {
			time.Sleep(pollInterval)
			continue
		}
		e.line.Wait(-1)
		e.dev.Device().InterruptStatus()
	}
}
