// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

// x86 port I/O, which this package needs for PCI configuration space
// (pci_xen_amd64.go): each function is one IN or OUT instruction of the
// width its name says.
//
// The runtime executes the same instructions for the devices it drives
// itself (COM1, the PIT, the CMOS clock, isa-debug-exit), and it cannot
// import this package. It pushes its implementation here with
// //go:linkname (runtime/os_xen_amd64.go), as it does waitIRQ, so that
// the machine has one.

func inb(port uint16) uint8
func inw(port uint16) uint16
func inl(port uint16) uint32
func outb(port uint16, v uint8)
func outw(port uint16, v uint16)
func outl(port uint16, v uint32)
