// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package ethernet states what a network stack needs of an Ethernet
// device: whole frames in and out, never blocking. virtio-net, Xen's
// netfront and Solo5's NET_BASIC each implement Device, and the stack's
// link endpoint knows only this interface.
package ethernet

// A Device sends and receives whole Ethernet frames (header included,
// no frame check sequence) without blocking. A driver goroutine calls
// Receive when the device signals; Transmit may be called from any
// goroutine, one at a time.
type Device interface {
	// Receive copies the next received frame into p and returns its
	// length. It returns ErrNoFrame if no frame has arrived. valid
	// reports that the device checked the frame's checksums, so the
	// stack need not.
	Receive(p []byte) (n int, valid bool, err error)
	// Transmit queues frame for sending; frame may be reused as soon
	// as Transmit returns. It returns ErrFull, queuing nothing, if
	// the device has not yet taken the frames before it.
	Transmit(frame []byte) error
	// ReclaimTx takes back the buffers of frames the device has sent.
	ReclaimTx()
	// MaxFrame is the largest frame Transmit accepts and Receive
	// returns.
	MaxFrame() int
	// MTU is the largest IP packet the device carries.
	MTU() int
	// MAC returns the device's address, if it has one.
	MAC() (mac [6]byte, ok bool)
}

// Error is the type of this package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrNoFrame is returned by Receive when no frame is waiting.
	ErrNoFrame = Error("ethernet: no frame received")
	// ErrFull is returned by Transmit when the device's transmit
	// queue is full.
	ErrFull = Error("ethernet: transmit queue full")
)
