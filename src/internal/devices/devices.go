// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// Package devices finds the devices of a GOOS=xen or GOOS=solo5
// machine and gives the standard library what mirago.dev/drivers needs
// to drive them: register windows over MMIO, memory a device can reach,
// and a way for a goroutine to wait for a device's interrupt. Under
// Solo5's spt tender a device is a host descriptor and its "interrupt"
// is the descriptor turning ready in the tender's epoll set
// (net_solo5.go).
//
// Discovery is lazy: nothing is probed until a package asks for a
// device, so a program that uses none boots as fast as before.
//
// Drivers run in goroutines. The runtime's interrupt handler only masks
// the line and records that it fired; Line.Wait unmasks it and parks the
// goroutine until then (see runtime/irq_unikernel.go). The loop is
//
//	for {
//		... take what the device has finished ...
//		line.Wait(timeout)    // unmask, then sleep until it fires
//		dev.InterruptStatus() // acknowledge, so the line drops
//	}
//
// which misses nothing: the device raises its line after it publishes
// its work, so whatever it finished before the acknowledgment is taken
// next, and whatever it finishes after raises the line again. The other
// order, acknowledging and then waiting without looking in between,
// loses a completion that came before the acknowledgment. Interrupt
// (interrupt.go) is this loop, for every driver.
package devices

// Provided by the runtime (irq_unikernel.go); the body is pushed here
// with //go:linkname.

// waitIRQ unmasks the runtime's line irq and waits up to timeout
// nanoseconds (for ever if < 0) for it to fire; it reports whether it
// did.
func waitIRQ(irq int, timeout int64) bool

// A Line is a device's interrupt line, routed to this CPU.
type Line struct {
	GSI  int
	line int // the runtime's line; 0: none
}

// Wait unmasks the line and waits up to timeout nanoseconds (for ever
// if timeout < 0) for it to fire, and reports whether it fired. Only
// one goroutine may wait on a line at a time.
func (l Line) Wait(timeout int64) bool {
	if l.line == 0 {
		return false
	}
	return waitIRQ(l.line, timeout)
}

// Error is the error type of this package.
type Error string

func (e Error) Error() string { return string(e) }
