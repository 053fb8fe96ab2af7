// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/abi"
	"unsafe"
)

// The other CPUs of a PC (application processors, APs), and of a Xen
// PVH domain, which start differently (xenMachine.startCPUs) and then
// alike from apEntry on.
//
// The ACPI MADT lists the CPUs' local APICs; osinit counts the enabled
// ones (up to maxCPUs), and that is NumCPU, so GOMAXPROCS defaults to
// it. m0's minit starts them, one at a time, with the INIT-SIPI-SIPI
// sequence: an AP starts in real mode at a page-aligned address below
// 1 MiB that the SIPI names, where a trampoline takes it through
// protected mode into long mode on page tables of its own (a 1 GiB
// identity map: the runtime's map has low memory not executable), and
// jumps to apEntry (rt0_xen_amd64.s). That loads the runtime's page
// tables, its GDT, the stack and TLS of the CPU's idle thread, and calls
// apMain, which loads the CPU's descriptor tables, enables its local
// APIC, and runs its idle thread (thread_unikernel.go).
//
// The CPUs share the run queue of threads; a CPU with nothing to run
// halts, and another CPU that makes a thread runnable wakes it with
// an IPI (cpuWake). Device interrupts go to the CPU that enabled the
// line.

// cpuAPICIDs is the local APIC ID of each CPU, the boot CPU first:
// from the MADT, or as each CPU comes up; ncpus is how many CPUs
// there are.
var (
	cpuAPICIDs [maxCPUs]uint32
	ncpus      = 1
)

// smpCount finds the CPUs in the MADT, and returns how many there are.
// Without ACPI there is one.
func smpCount() int {
	madt := acpiFindTable([4]byte{'A', 'P', 'I', 'C'})
	if madt == 0 {
		return 1
	}
	self := lapicID()
	cpuAPICIDs[0] = self
	n := 1
	// Entries follow the 36-byte header, the local APIC address and
	// the flags. Type 0 is a local APIC: processor UID u8, APIC ID
	// u8, flags u32; type 9 an x2APIC: reserved u16, APIC ID u32,
	// flags u32, UID u32. Flags bit 0: enabled.
	end := madt + uintptr(*(*uint32)(unsafe.Pointer(madt + 4)))
	for p := madt + 44; p+2 <= end; {
		typ, size := *(*uint8)(unsafe.Pointer(p)), uintptr(*(*uint8)(unsafe.Pointer(p + 1)))
		if size < 2 || p+size > end {
			break
		}
		id, flags, ok := uint32(0), uint32(0), false
		switch {
		case typ == 0 && size >= 8:
			id, flags, ok = uint32(*(*uint8)(unsafe.Pointer(p + 3))), *(*uint32)(unsafe.Pointer(p + 4)), true
		case typ == 9 && size >= 16:
			id, flags, ok = *(*uint32)(unsafe.Pointer(p + 4)), *(*uint32)(unsafe.Pointer(p + 8)), true
		}
		if ok && flags&1 != 0 && id != self && n < maxCPUs {
			cpuAPICIDs[n] = id
			n++
		}
		p += size
	}
	ncpus = n
	return n
}

// The trampoline's page, and the pages of its identity map after it.
// The SIPI vector is the page number.
const (
	apTrampoline = 0x70000
	apPML4       = apTrampoline + 0x1000
	apPDPT       = apTrampoline + 0x2000
	apPD         = apTrampoline + 0x3000
)

// apTrampolineCode is the trampoline, in machine code: the Go assembler
// writes no 16-bit code. It runs at apTrampoline, entered in real mode
// with CS = apTrampoline>>4 and IP = 0. The fields smpStart fills in
// are zero here; their offsets are the apTramp constants.
var apTrampolineCode = [...]byte{
	// Real mode.
	0xfa,       // cli
	0x8c, 0xc8, // mov ax, cs
	0x8e, 0xd8, // mov ds, ax
	0x66, 0x0f, 0x01, 0x16, 0x00, 0x00, // lgdt dword [apTrampGDTPtr]
	0x0f, 0x20, 0xc0, // mov eax, cr0
	0x66, 0x83, 0xc8, 0x01, // or eax, 1 (PE)
	0x0f, 0x22, 0xc0, // mov cr0, eax
	0x66, 0xea, 0, 0, 0, 0, 0x18, 0x00, // jmp dword 0x18:pm32

	// pm32 (offset 0x1d): 32-bit protected mode.
	0x66, 0xb8, 0x10, 0x00, // mov ax, 0x10
	0x8e, 0xd8, // mov ds, ax
	0x8e, 0xc0, // mov es, ax
	0x8e, 0xd0, // mov ss, ax
	0x0f, 0x20, 0xe0, // mov eax, cr4
	0x83, 0xc8, 0x20, // or eax, 0x20 (PAE)
	0x0f, 0x22, 0xe0, // mov cr4, eax
	0xb8, 0, 0, 0, 0, // mov eax, apPML4
	0x0f, 0x22, 0xd8, // mov cr3, eax
	0xb9, 0x80, 0x00, 0x00, 0xc0, // mov ecx, 0xc0000080 (EFER)
	0x0f, 0x32, // rdmsr
	0x0d, 0x00, 0x09, 0x00, 0x00, // or eax, 0x900 (LME, NXE)
	0x0f, 0x30, // wrmsr
	0x0f, 0x20, 0xc0, // mov eax, cr0
	0x0d, 0x01, 0x00, 0x00, 0x80, // or eax, 0x80000001 (PG, PE)
	0x0f, 0x22, 0xc0, // mov cr0, eax
	0xea, 0, 0, 0, 0, 0x08, 0x00, // jmp 0x08:lm64

	// lm64 (offset 0x58): long mode.
	0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, // mov rax, apEntry
	0xff, 0xe0, // jmp rax
	0x90, 0x90, 0x90, 0x90, // to 8-byte alignment

	// gdt (offset 0x68): null, 64-bit code (0x08), data (0x10),
	// 32-bit code (0x18). The runtime's GDT has the same code and
	// data selectors.
	0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0x00,
	0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0x00,
	0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0x00,

	// gdtptr (offset 0x88): limit, base.
	0x1f, 0x00, 0, 0, 0, 0,
}

// Offsets in apTrampolineCode.
const (
	apTrampGDTPtrRef = 0x09 // lgdt's operand: DS-relative address of gdtptr
	apTrampPM32Ref   = 0x17 // far jump to pm32
	apTrampPM32      = 0x1d
	apTrampPML4Ref   = 0x31
	apTrampLM64Ref   = 0x52
	apTrampLM64      = 0x58
	apTrampEntryRef  = apTrampLM64 + 2
	apTrampGDT       = 0x68
	apTrampGDTPtr    = 0x88
)

// apBoot is what apEntry reads: the runtime's page tables, and the
// stack and TLS of the idle thread of the CPU that starts, and the
// boot CPU's CR0 (write protection on, caches enabled).
var apBoot struct {
	cr3, sp uintptr
	tls     unsafe.Pointer
	cr0     uintptr
}

// smpStart starts the CPUs that smpCount found, on a PC. A CPU that
// does not come up is reported and left out, with those after it; the
// Ps then share the CPUs that did.
func smpStart() {
	if ncpus == 1 {
		return
	}
	code := unsafe.Slice((*byte)(unsafe.Pointer(uintptr(apTrampoline))), len(apTrampolineCode))
	copy(code, apTrampolineCode[:])
	put32 := func(off int, v uint32) {
		for i := range 4 {
			code[off+i] = byte(v >> (8 * i))
		}
	}
	code[apTrampGDTPtrRef] = apTrampGDTPtr
	put32(apTrampPM32Ref, apTrampoline+apTrampPM32)
	put32(apTrampPML4Ref, apPML4)
	put32(apTrampLM64Ref, apTrampoline+apTrampLM64)
	entry := uint64(abi.FuncPCABI0(apEntry))
	put32(apTrampEntryRef, uint32(entry))
	put32(apTrampEntryRef+4, uint32(entry>>32))
	put32(apTrampGDTPtr+2, apTrampoline+apTrampGDT)

	// 1 GiB identity map in 2 MiB pages, for the runtime's text.
	pml4 := (*[512]uint64)(unsafe.Pointer(uintptr(apPML4)))
	pdpt := (*[512]uint64)(unsafe.Pointer(uintptr(apPDPT)))
	pd := (*[512]uint64)(unsafe.Pointer(uintptr(apPD)))
	*pml4, *pdpt = [512]uint64{}, [512]uint64{}
	pml4[0] = apPDPT | 3 // present, writable
	pdpt[0] = apPD | 3
	for i := range pd {
		pd[i] = uint64(i)<<21 | 0x83 // present, writable, 2 MiB
	}
	apBoot.cr3, apBoot.cr0 = readCR3(), readCR0()

	for c := 1; c < ncpus; c++ {
		apBoot.sp, apBoot.tls = cpuStart(c)
		id := cpuAPICIDs[c]
		lapicIPI(id, 5<<8, 0) // INIT
		usleep_no_g(10)
		// A second SIPI if the first was lost, as the MP
		// specification has it. Each waits half a second, a second
		// in all as on the other platforms: under TCG a CPU is a
		// host thread, which a busy host may not run for a tenth of
		// a second.
		started := false
		for sipi := 0; sipi < 2 && !started; sipi++ {
			lapicIPI(id, 6<<8, apTrampoline>>12) // SIPI
			started = cpuAwait(c, 500e6)
		}
		if !started {
			// It may yet start, late, and read apBoot: starting the
			// next CPU would hand both the next one's idle thread.
			print("xen: CPU ", c, " (local APIC ", id, ") did not start; not starting the CPUs after it\n")
			break
		}
	}
}

// apMain runs on an AP that apEntry brought into the runtime, as the
// CPU's idle thread, with interrupts off.
func apMain() {
	c := int(getg().m.threadCPU)
	tss[c].setIST(1, getg().m.gsignal.stack.hi)
	trapLoad(c)
	// The MSRs that enable SYSCALL are each CPU's own.
	syscallTrapInit()
	lapicCPUInit()
	// Xen's local APIC IDs are in no table that smpCount read.
	cpuAPICIDs[c] = lapicID()
	cpuOnline()
}

// cpuWake ends a halt of CPU c.
func cpuWake(c int) {
	lapicIPI(cpuAPICIDs[c], 0, vectorIPI)
}

// Implemented in rt0_xen_amd64.s and sys_xen_amd64.s.
func apEntry()
func readCR3() uintptr
