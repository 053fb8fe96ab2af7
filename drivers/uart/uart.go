// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package uart drives a National Semiconductor 16550-compatible UART,
// the serial port that QEMU, Firecracker and Cloud Hypervisor give a
// guest as COM1 and that Mirago uses as its console there.
//
// The driver polls: it waits for the transmitter holding register to be
// empty before each byte and reads received bytes only when the line
// status says one is there. It translates nothing (no "\n" to "\r\n"),
// so a host reading the serial port sees exactly the bytes the program
// wrote, as on Linux with stdout redirected.
//
// Register facts: PC16550D data sheet (National Semiconductor, 1995),
// table II "Register summary"; the same layout as Linux's
// include/uapi/linux/serial_reg.h.
//
// The package is vendored into the Mirago standard library and imports
// nothing.
package uart

// PortIO is byte access to the UART's registers: x86 port I/O (IN and
// OUT) on the PC, or a byte-wide MMIO window elsewhere. The port numbers
// passed are base+register.
type PortIO interface {
	In8(port uint16) uint8
	Out8(port uint16, v uint8)
}

// COM1 is the I/O port base of the first PC serial port.
const COM1 = 0x3f8

// Register offsets from the base. Several share an offset and are
// selected by the access direction or by LCR.DLAB.
const (
	regRBR = 0 // receive buffer (read, DLAB=0)
	regTHR = 0 // transmitter holding (write, DLAB=0)
	regDLL = 0 // divisor latch low (DLAB=1)
	regIER = 1 // interrupt enable (DLAB=0)
	regDLM = 1 // divisor latch high (DLAB=1)
	regFCR = 2 // FIFO control (write)
	regLCR = 3 // line control
	regMCR = 4 // modem control
	regLSR = 5 // line status
	regSCR = 7 // scratch
)

// Register bits.
const (
	lcrWordLen8 = 0x03 // 8 data bits, 1 stop bit, no parity
	lcrDLAB     = 0x80 // divisor latch access

	fcrEnable    = 0x01
	fcrClearRx   = 0x02
	fcrClearTx   = 0x04
	fcrTrigger14 = 0xc0 // receive interrupt at 14 bytes
	mcrDTR       = 0x01
	mcrRTS       = 0x02
	lsrDataReady = 0x01
	lsrTHREmpty  = 0x20   // transmitter holding register empty
	baseBaud     = 115200 // 1.8432 MHz crystal / 16
)

// maxPolls bounds the wait for the transmitter. A working 16550 at
// 115200 baud empties the holding register in under 100 µs, which is a
// few thousand polls; an emulated one never makes the guest wait. The
// bound turns a wedged or absent-but-floating device into an error
// instead of a hung program.
const maxPolls = 1 << 20

// UART is one 16550 at a base port.
type UART struct {
	io   PortIO
	base uint16
}

// New returns the UART at base. It does not touch the device.
func New(io PortIO, base uint16) *UART {
	return &UART{io: io, base: base}
}

// Error is the error type of this package.
type Error string

func (e Error) Error() string { return string(e) }

// ErrTimeout is returned by Write when the transmitter did not become
// ready within the poll bound.
const ErrTimeout = Error("uart: transmitter not ready")

// Present reports whether a UART answers at the base: the scratch
// register keeps what is written to it. On an empty ISA port every read
// returns 0xff, so a value with both set and clear bits tells them apart.
func (u *UART) Present() bool {
	for _, v := range [...]uint8{0xa5, 0x5a} {
		u.io.Out8(u.base+regSCR, v)
		if u.io.In8(u.base+regSCR) != v {
			return false
		}
	}
	return true
}

// Init programs the line for baud (8 data bits, no parity, 1 stop bit),
// enables and clears the FIFOs and masks the UART's interrupts, since
// the driver polls. A baud of 0, or one that does not divide 115200,
// leaves the divisor as firmware set it.
func (u *UART) Init(baud int) {
	u.io.Out8(u.base+regIER, 0)
	if baud > 0 && baseBaud%baud == 0 {
		div := baseBaud / baud
		u.io.Out8(u.base+regLCR, lcrDLAB)
		u.io.Out8(u.base+regDLL, uint8(div))
		u.io.Out8(u.base+regDLM, uint8(div>>8))
	}
	u.io.Out8(u.base+regLCR, lcrWordLen8)
	u.io.Out8(u.base+regFCR, fcrEnable|fcrClearRx|fcrClearTx|fcrTrigger14)
	u.io.Out8(u.base+regMCR, mcrDTR|mcrRTS)
}

// WriteByte sends c once the transmitter holding register is empty.
func (u *UART) WriteByte(c byte) error {
	for i := 0; u.io.In8(u.base+regLSR)&lsrTHREmpty == 0; i++ {
		if i == maxPolls {
			return ErrTimeout
		}
	}
	u.io.Out8(u.base+regTHR, c)
	return nil
}

// Write sends p byte by byte, unchanged. It implements io.Writer.
func (u *UART) Write(p []byte) (int, error) {
	for i, c := range p {
		if err := u.WriteByte(c); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

// TryReadByte returns the next received byte, if one is waiting. It does
// not wait.
func (u *UART) TryReadByte() (c byte, ok bool) {
	if u.io.In8(u.base+regLSR)&lsrDataReady == 0 {
		return 0, false
	}
	return u.io.In8(u.base + regRBR), true
}
