// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package netstack

import (
	"internal/devices"
	"time"

	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/ethlink"
)

// A nic is the machine's network device (nic_GOOS.go finds it) and the
// interrupt line that tells its driver goroutine to look.
type nic struct {
	dev  ethernet.Device
	intr *devices.Interrupt
}

// pollInterval is how often a device without an interrupt line is
// polled.
const pollInterval = time.Millisecond

// run is the device's goroutine: it hands received frames to the stack
// and waits for the next interrupt, polling while frames keep coming
// (devices.Interrupt.Serve).
func (e *nic) run(link *ethlink.Link) {
	e.intr.Serve(link.Poll, func() { time.Sleep(pollInterval) })
}
