// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

// The Xen platform on arm64: a domain of Xen on Arm, which xl builds
// from the arm64 Image as it would a Linux guest. What the Xen platform
// has on both architectures is in machine_xen_xen.go. Here:
//
//   - the device tree's /hypervisor node says the machine is a Xen
//     domain (selectMachine) and names the event channel interrupt;
//   - hypercalls are HVC instructions (sys_xen_arm64.s);
//   - until the console ring is found, output goes to the SBSA UART
//     that Xen emulates if the domain's configuration asks for one
//     (vuart = "sbsa_uart"), whose output xenconsoled also reads;
//   - time is the generic timer's virtual count, which starts at the
//     domain's creation (Xen on Arm keeps no vcpu_time_info), and the
//     wall clock is the shared info's, the time of day then;
//   - the event channel upcall is a private peripheral interrupt of
//     the GIC (gic_xen_arm64.go), as are the timer's.
//
// The GIC, the generic timer and WFI, which traps to Xen and blocks
// the vCPU until an interrupt, are the ones QEMU's virt machine has;
// Xen emulates them for the domain.
//
// The Arm layouts are in defs_xenarm_xen_arm64.go, generated from
// mirago.dev/sys/xen, from arch-arm.h.

func (*xenMachine) init() uint64 {
	xenMapSharedInfo()
	xenFindConsole()

	// The /hypervisor node's interrupt is the upcall: a PPI, given
	// as type 1 and its number from 16.
	id := uint32(xenEvtchnPPI)
	if n, ok := bootTree.FindCompatible(fdtNode{}, "xen,xen"); ok {
		typ, ok1 := n.Cell("interrupts", 0)
		num, ok2 := n.Cell("interrupts", 1)
		if ok1 && ok2 && typ == 1 && num < 16 {
			id = 16 + num
		}
	}
	gic.ppi[id] = xenArmUpcall
	return timerInit()
}

// xenArmUpcall handles the upcall. The generic timer interrupts by
// itself, so no vCPU has a timer channel.
func xenArmUpcall() {
	xenEvents(0)
}

//go:nosplit
func (*xenMachine) nanotime() int64 {
	return timerNanotime()
}

// xenEarlyPutc writes c to the emulated UART, if the domain has one.
//
//go:nosplit
func xenEarlyPutc(c byte) {
	uartPutc(c)
}

func (*xenMachine) cmdlineWord(w string) bool { return false }

// The vCPUs are in the device tree the toolstack writes, and start by
// PSCI, which Xen provides (smp_xen_arm64.go).
func (*xenMachine) cpuCount() int { return smpCount() }
func (*xenMachine) startCPUs()    { smpStart() }

// xenSharedPages returns the pages the toolstack shares with the domain
// outside its RAM: the console and xenstore rings, in Xen's "magic"
// area below RAM, where rt0 maps device memory. They are RAM on the
// other side, read and written through the cache by xenconsoled and
// xenstored, so the domain must map them as normal memory too
// (vmInit).
func xenSharedPages() (pages [2]uintptr) {
	for i, param := range [2]uint32{xenHVMParamConsolePFN, xenHVMParamStorePFN} {
		if pfn, rc := xenGetParam(param); rc == 0 {
			pages[i] = uintptr(pfn << xenPageShift)
		}
	}
	return pages
}
