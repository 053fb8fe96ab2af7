// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "internal/abi"

// The other CPUs of QEMU's virt machine and of a Xen domain on Arm,
// which both have PSCI and list their CPUs in the device tree.
//
// smpCount reads the CPUs' affinities (their MPIDR_EL1) from the
// device tree's /cpus node; that count is NumCPU. m0's minit starts
// the others one at a time with PSCI's CPU_ON, at apEntry
// (rt0_xen_arm64.s) with the MMU off and the runtime's translation
// table base as the context: apEntry turns the MMU on first, so that
// it reads what the boot CPU wrote through its caches coherently, then
// takes its stacks and idle thread from apBoot, and calls apMain,
// which sets up the CPU's GIC interface and runs its idle thread
// (thread_unikernel.go). CPUs wake each other, and ask each other to
// preempt, with a software-generated interrupt (SGI) of the GIC.

// cpuAffinity is each CPU's MPIDR_EL1 affinity fields, the boot CPU's
// first; ncpus is how many CPUs there are.
var (
	cpuAffinity [maxCPUs]uint64
	ncpus       = 1
)

// mpidrAffinity masks MPIDR_EL1 down to its affinity fields: Aff3
// (bits 39:32) and Aff2 to Aff0 (bits 23:0).
const mpidrAffinity = 0xff_00ff_ffff

// psciCPUOn is PSCI's CPU_ON, SMC64 calling convention.
const psciCPUOn = 0xc4000003

// sgiIPI is the SGI that one CPU sends another (cpuWake, preemptM).
const sgiIPI = 0

// smpCount counts the CPUs the device tree lists, up to maxCPUs.
func smpCount() int {
	self := mpidr() & mpidrAffinity
	cpuAffinity[0] = self
	n := 1
	cpusNode, ok := bootTree.Find("/cpus")
	if !ok {
		return 1
	}
	for c, ok := cpusNode.FirstChild(); ok; c, ok = c.NextSibling() {
		if typ, _ := c.String("device_type"); string(typ) != "cpu" {
			continue
		}
		if status, ok := c.String("status"); ok && string(status) != "okay" && string(status) != "ok" {
			continue
		}
		reg, _, ok := c.Reg(0)
		if !ok || reg&mpidrAffinity == self || n == maxCPUs {
			continue
		}
		cpuAffinity[n] = reg & mpidrAffinity
		n++
	}
	ncpus = n
	return n
}

// apBoot is what apEntry reads once its MMU is on: the stacks of the
// CPU that starts, for its idle thread and its exceptions, its idle
// thread's g, and its exception state for TPIDR_EL1.
var apBoot apBootInfo

type apBootInfo struct {
	sp, excSP uintptr
	g         *g
	exc       *excCPU
}

// smpStart starts the CPUs that smpCount found. A CPU that does not
// come up is reported and left out, with those after it; the Ps then
// share those that did.
func smpStart() {
	for c := 1; c < ncpus; c++ {
		sp, _ := cpuStart(c)
		stk := uintptr(persistentalloc(excStackSize, 64, &memstats.stacks_sys))
		excCPUInit(c, stk, excStackSize)
		apBoot = apBootInfo{sp: sp, excSP: stk + excStackSize, g: &cpus[c].idleG, exc: &excCPUs[c]}
		entry := uint64(abi.FuncPCABI0(apEntry))
		if rc := int64(psciCall(psciCPUOn, cpuAffinity[c], entry, uint64(ttbr0()))); rc != 0 {
			print("xen: PSCI CPU_ON of CPU ", c, " (MPIDR ", hex(cpuAffinity[c]), ") failed: ", rc, "\n")
			continue
		}
		if !cpuAwait(c, 1e9) {
			// It may yet start, late, and read apBoot: starting the
			// next CPU would hand both the next one's idle thread.
			print("xen: CPU ", c, " (MPIDR ", hex(cpuAffinity[c]), ") did not start; not starting the CPUs after it\n")
			break
		}
	}
}

// apMain runs on a CPU that apEntry brought into the runtime, as the
// CPU's idle thread, with interrupts masked.
func apMain() {
	c := int(getg().m.threadCPU)
	timerDisarm()
	gicCPUInit(c)
	cpuOnline()
}

// cpuWake ends a halt of CPU c.
func cpuWake(c int) {
	gicSendSGI(c, sgiIPI)
}

// Implemented in rt0_xen_arm64.s and sys_xen_arm64.s.
func apEntry()
func mpidr() uint64
func ttbr0() uintptr
