// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package devices

import "runtime"

// An Interrupt is a device's interrupt line together with the way the
// device is acknowledged, and it runs the loop of the package comment
// for every driver: Wait is its middle (wait for the line, then
// acknowledge), for a driver that does its own looking between waits,
// as virtio's block and entropy requests do; Serve is the whole loop,
// for a device served for ever, such as a network device's receive
// side.
type Interrupt struct {
	line   Line
	routed bool
	ack    func()
}

// Routed reports whether the line is routed, so that Wait and Serve
// can wait for it.
func (i *Interrupt) Routed() bool { return i.routed }

// Wait waits up to timeout nanoseconds (for ever if timeout < 0) for
// the line, then acknowledges the device, and reports whether the line
// fired. The caller must have taken what the device finished before
// calling Wait, and must look again after it returns: a completion
// since the last look has left the line up, so Wait returns at once,
// and one after the acknowledgment raises the line again.
func (i *Interrupt) Wait(timeout int64) bool {
	fired := i.line.Wait(timeout)
	i.ack()
	return fired
}

// Serve runs the loop for ever: look takes what the device has
// finished and reports how much it took.
//
// While look finds work, Serve does not wait for the line at all: it
// yields, so that the goroutines the work woke can run, and looks
// again. Each wait costs VM exits (unmasking the line, the interrupt,
// its acknowledgment at the device and the local APIC); under load the
// next piece of work is usually there by the time the others have run,
// as with Linux's NAPI. When look finds nothing, Serve waits for the
// line, or, if it is not routed, calls poll, which should sleep for a
// while (this package cannot: it lies below package time).
func (i *Interrupt) Serve(look func() int, poll func()) {
	for {
		if look() > 0 {
			runtime.Gosched()
			continue
		}
		if !i.routed {
			poll()
			continue
		}
		i.Wait(-1)
	}
}
