// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package solo5net drives a Solo5 NET_BASIC device under the spt
// tender. The tender attaches a tap device and hands the guest its
// host descriptor, non-blocking: every read returns one received frame
// and every write sends one, whole. So the driver has no rings and no
// buffers of its own; it only turns the descriptor's results into what
// an ethernet.Device reports.
package solo5net

import "mirago.dev/drivers/ethernet"

// A Port is the host descriptor of the device. Read and Write are the
// read(2) and write(2) system calls on it and return what they do: a
// length, or a negated errno.
type Port interface {
	Read(p []byte) int
	Write(p []byte) int
}

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

// errnoAGAIN is Linux's EAGAIN (also EWOULDBLOCK): a non-blocking
// descriptor with nothing to read, or no room to write.
const errnoAGAIN = 11

// ethHeader is the length of an Ethernet header without a VLAN tag.
const ethHeader = 14

// A Net is a NET_BASIC device. It implements ethernet.Device.
type Net struct {
	port Port
	mac  [6]byte
	mtu  int
}

// New returns the device behind port, with the MAC address and MTU
// that the tender wrote into the manifest.
func New(port Port, mac [6]byte, mtu int) (*Net, error) {
	if mtu < 576 || mtu > 65535-ethHeader {
		return nil, Error("solo5net: bad MTU in the manifest")
	}
	return &Net{port: port, mac: mac, mtu: mtu}, nil
}

// Receive reads the next frame. The host checked no checksums, so
// valid is false. A frame longer than p is cut short by the host;
// ethlink always passes MaxFrame bytes.
func (d *Net) Receive(p []byte) (n int, valid bool, err error) {
	n = d.port.Read(p)
	switch {
	case n == -errnoAGAIN, n == 0:
		return 0, false, ethernet.ErrNoFrame
	case n < 0:
		return 0, false, errno("read", -n)
	}
	return n, false, nil
}

// Transmit writes frame. The host copies it before write returns, so
// there is nothing to reclaim. A tap whose queue is full says EAGAIN,
// which is ErrFull.
func (d *Net) Transmit(frame []byte) error {
	if len(frame) > d.MaxFrame() {
		return Error("solo5net: frame longer than the MTU allows")
	}
	n := d.port.Write(frame)
	switch {
	case n == -errnoAGAIN:
		return ethernet.ErrFull
	case n < 0:
		return errno("write", -n)
	case n != len(frame):
		return Error("solo5net: short write")
	}
	return nil
}

// ReclaimTx has nothing to do: writes are synchronous.
func (d *Net) ReclaimTx() {}

// MaxFrame is the MTU plus the Ethernet header.
func (d *Net) MaxFrame() int { return d.mtu + ethHeader }

func (d *Net) MTU() int { return d.mtu }

// MAC returns the address the tender chose (solo5-spt --net-mac).
func (d *Net) MAC() (mac [6]byte, ok bool) { return d.mac, true }

func errno(op string, e int) error {
	// No strconv: this package sits low in std.
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + e%10)
		e /= 10
		if e == 0 {
			break
		}
	}
	return Error("solo5net: " + op + ": errno " + string(buf[i:]))
}
