// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package uart

import "fmt"

// fake16550 is a software 16550 on an I/O port bus: the register file
// with the DLAB multiplexing, a transmitter that stays busy for a number
// of line status reads after each byte, and a receive queue. It records
// what went out on the wire and every access a real device would
// mishandle.
type fake16550 struct {
	base uint16

	// txPolls is how many LSR reads the transmitter stays busy after a
	// byte is written to THR; -1 means it never finishes (a wedged
	// device).
	txPolls int
	busy    int // LSR reads left until THR is empty again

	ier, lcr, mcr, scr, dll, dlm uint8
	fcr                          []uint8 // every FCR write, in order

	wire []byte // bytes the transmitter sent
	rx   []byte // bytes waiting to be received

	errs []string // accesses a real 16550 would lose or misread
}

func (f *fake16550) fail(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fake16550) reg(port uint16) (uint16, bool) {
	if port < f.base || port > f.base+7 {
		f.fail("access to port %#x outside the UART at %#x", port, f.base)
		return 0, false
	}
	return port - f.base, true
}

func (f *fake16550) dlab() bool { return f.lcr&lcrDLAB != 0 }

func (f *fake16550) In8(port uint16) uint8 {
	r, ok := f.reg(port)
	if !ok {
		return 0xff
	}
	switch r {
	case 0:
		if f.dlab() {
			return f.dll
		}
		if len(f.rx) == 0 {
			f.fail("RBR read with no data ready")
			return 0
		}
		c := f.rx[0]
		f.rx = f.rx[1:]
		return c
	case 1:
		if f.dlab() {
			return f.dlm
		}
		return f.ier
	case 3:
		return f.lcr
	case 4:
		return f.mcr
	case 5:
		var lsr uint8
		if f.busy > 0 {
			f.busy--
		}
		if f.busy == 0 {
			lsr |= lsrTHREmpty | 0x40 // THRE and TEMT
		}
		if len(f.rx) > 0 {
			lsr |= lsrDataReady
		}
		return lsr
	case 7:
		return f.scr
	}
	return 0
}

func (f *fake16550) Out8(port uint16, v uint8) {
	r, ok := f.reg(port)
	if !ok {
		return
	}
	switch r {
	case 0:
		if f.dlab() {
			f.dll = v
			return
		}
		if f.busy != 0 {
			f.fail("THR written while busy: %q lost", v)
			return
		}
		f.wire = append(f.wire, v)
		f.busy = f.txPolls
	case 1:
		if f.dlab() {
			f.dlm = v
		} else {
			f.ier = v
		}
	case 2:
		f.fcr = append(f.fcr, v)
	case 3:
		f.lcr = v
	case 4:
		f.mcr = v
	case 5:
		f.fail("write to the read-only LSR")
	case 7:
		f.scr = v
	}
}

// floatingBus is an I/O port range with nothing behind it: reads return
// all ones and writes vanish.
type floatingBus struct{}

func (floatingBus) In8(uint16) uint8   { return 0xff }
func (floatingBus) Out8(uint16, uint8) {}
