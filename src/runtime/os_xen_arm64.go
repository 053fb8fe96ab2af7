// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import (
	"internal/runtime/atomic"
	"internal/runtime/fdt"
	"math/bits"
	"unsafe"
)

// GOOS=xen on arm64: an arm64 Linux Image (rt0_xen_arm64.s) that QEMU's
// virt machine or Xen's domain builder enters with the device tree's
// address in x0. The device tree says what the machine is: memory, the
// command line, the console, and under Xen the /hypervisor node.

// bootDTB is the device tree's address, saved by rt0; bootPageTables
// is where rt0 put the boot page tables, after the image.
var bootDTB, bootPageTables uintptr

// bootTree is the parsed device tree.
var bootTree fdt.Tree

// dtbMaxSize bounds the blob the runtime reads: Xen's and QEMU's are
// a few KiB, and the header says how much of this is the tree.
const dtbMaxSize = 2 << 20

func osinit() {
	trapInit()
	dtbInit()
	mach = selectMachine()
	physPageSize = 4096
	memInit()
	vmInit()
	getg().m.procid = 1
	threadsInit()
	cpuHz = mach.init()
	machCPUs = int32(mach.cpuCount())
	numCPUStartup = getCPUCount()
	gicInit(cpuHz)
}

// dtbInit parses the device tree and reads the command line from
// /chosen/bootargs.
func dtbInit() {
	var err error
	bootTree, err = fdt.Parse(unsafe.Slice((*byte)(unsafe.Pointer(bootDTB)), dtbMaxSize))
	if err != nil {
		// No console is known without the tree; QEMU's virt
		// machine has its PL011 here.
		uartBase = 0x09000000
		fatalBoot("no device tree at x0: " + err.Error())
	}
	if chosen, ok := bootTree.Find("/chosen"); ok {
		if args, ok := chosen.String("bootargs"); ok {
			bootCmdline = unsafe.String(unsafe.SliceData(args), len(args))
		}
	}
}

// selectMachine returns the platform the device tree describes: a Xen
// domain if it has a /hypervisor node for Xen, else QEMU's virt
// machine. It also finds the UART, the console until the platform's
// init: a PL011 on QEMU's virt machine, and under Xen the SBSA UART
// that Xen emulates when the domain's configuration asks for it
// (vuart = "sbsa_uart").
func selectMachine() machine {
	if _, ok := bootTree.FindCompatible(fdtNode{}, "xen,xen"); ok {
		uartBase = findUART("arm,sbsa-uart")
		return &xenMachine{}
	}
	uartBase = findUART("arm,pl011")
	return &virtMachine{}
}

// uartBase is the UART's base address, 0 if there is none. The PL011
// and the SBSA UART, its subset, have the same data and flag registers.
var uartBase uintptr

const (
	pl011DR = 0x00
	pl011FR = 0x18

	pl011FRTXFF = 1 << 5 // transmit FIFO full
)

// findUART returns the registers of the first device tree node
// compatible with c, 0 if there is none.
func findUART(c string) uintptr {
	if n, ok := bootTree.FindCompatible(fdtNode{}, c); ok {
		if addr, _, ok := n.Reg(0); ok {
			return uintptr(addr)
		}
	}
	return 0
}

// uartPutc writes c to the UART, if there is one.
//
//go:nosplit
func uartPutc(c byte) {
	if uartBase == 0 {
		return
	}
	for atomic.Load((*uint32)(unsafe.Pointer(uartBase+pl011FR)))&pl011FRTXFF != 0 {
	}
	atomic.Store((*uint32)(unsafe.Pointer(uartBase+pl011DR)), uint32(c))
}

// timerScale converts generic timer ticks to nanoseconds:
// ns = ticks * timerScale >> 32, in 128 bits: at QEMU's 62.5 MHz the
// scale is 2^36, and a 64-bit product would wrap after 4.3 s.
var timerScale uint64

// timerInit reads the generic timer's frequency, which both platforms
// keep their monotonic clock in, and returns it.
func timerInit() uint64 {
	hz := cntfrq()
	if hz == 0 {
		fatalBoot("the generic timer's frequency (CNTFRQ_EL0) is 0")
	}
	timerScale = (1e9 << 32) / hz
	return hz
}

// timerNanotime is the generic timer's virtual count in nanoseconds.
//
//go:nosplit
func timerNanotime() int64 {
	hi, lo := bits.Mul64(cntvct(), timerScale)
	return int64(hi<<32 | lo>>32)
}

// memInit gives the heap the RAM after the image and its boot page
// tables, up to the end of the memory node that holds the image, less
// what the loader put there: the device tree and an initrd.
func memInit() {
	initBloc()
	bloc = memRound(bootPageTables + 2*4096)
	blocMax = bloc
	limit := uintptr(0)
	for n, ok := bootTree.Find("/memory"); ok; n, ok = n.NextSibling() {
		for i := 0; ; i++ {
			addr, size, ok := n.Reg(i)
			if !ok {
				break
			}
			if uintptr(addr) <= bloc && bloc < uintptr(addr+size) {
				limit = uintptr(addr + size)
			}
		}
	}
	if limit == 0 {
		fatalBoot("no memory node holds the image")
	}
	limit = min(limit, 16<<30, 1<<heapAddrBits)
	var used [2]struct{ start, end uintptr }
	used[0].start = bootDTB &^ (physPageSize - 1)
	used[0].end = bootDTB + uintptr(bootTreeSize())
	nused := 1
	if start, end := bootInitrd(); start != 0 {
		used[1].start, used[1].end = start&^(physPageSize-1), end
		nused++
	}
	start, end := heapStretch(bloc, limit, used[:nused])
	if end-start < 4<<20 {
		fatalBoot("less than 4 MiB of free RAM after the image")
	}
	bloc, blocMax = start, end
}

// bootTreeSize returns the size of the device tree blob (its header's
// totalsize).
func bootTreeSize() uint32 {
	p := (*[8]byte)(unsafe.Pointer(bootDTB))
	return uint32(p[4])<<24 | uint32(p[5])<<16 | uint32(p[6])<<8 | uint32(p[7])
}

// haltForever stops the CPU for good, where exit has nothing else to
// try.
//
//go:nosplit
func haltForever() {
	cli()
	for {
		wfi()
	}
}

//go:noescape
func semihostExit(block *[2]uint64)
func psciCall(fn, a1, a2, a3 uint64) uint64
func wfi()

// syscall_memInfo tells package syscall (sysinfo(2)) how many bytes of
// RAM the device tree gives the machine and how many of them the
// runtime has not taken: the rest of the break and the heap's free
// pages.
//
//go:linkname syscall_memInfo syscall.memInfo
func syscall_memInfo() (total, free uint64) {
	for n, ok := bootTree.Find("/memory"); ok; n, ok = n.NextSibling() {
		if typ, _ := n.String("device_type"); string(typ) != "memory" {
			continue
		}
		for i := 0; ; i++ {
			_, size, ok := n.Reg(i)
			if !ok {
				break
			}
			total += size
		}
	}
	return total, min(ramFree(), total)
}

// bootInitrd returns the initrd the loader put in memory, as the
// device tree's /chosen node gives it, or 0, 0.
func bootInitrd() (start, end uintptr) {
	chosen, ok := bootTree.Find("/chosen")
	if !ok {
		return 0, 0
	}
	s, ok1 := chosen.Uint("linux,initrd-start")
	e, ok2 := chosen.Uint("linux,initrd-end")
	if !ok1 || !ok2 || e <= s {
		return 0, 0
	}
	return uintptr(s), uintptr(e)
}

// syscall_bootModules returns the initrd (QEMU -initrd) as the one boot
// module, with no command line, for package syscall to mount. The heap
// never grows over it (memInit).
//
//go:linkname syscall_bootModules syscall.bootModules
func syscall_bootModules() (mods [][]byte, cmdlines []string) {
	start, end := bootInitrd()
	if start == 0 {
		return nil, nil
	}
	return [][]byte{unsafe.Slice((*byte)(unsafe.Pointer(start)), end-start)}, []string{""}
}

// Device memory is the first GiB but for its first 2 MiB, as rt0 maps
// it (rt0_xen_arm64.s): on QEMU's virt machine and under Xen, where
// the devices' registers are.
const (
	deviceMemStart = 2 << 20
	deviceMemEnd   = 1 << 30
)

// devices_deviceMemory reports whether the size bytes at physical
// address addr are device memory, mapped uncached at that address.
//
//go:linkname devices_deviceMemory internal/devices.deviceMemory
func devices_deviceMemory(addr, size uintptr) bool {
	return addr >= deviceMemStart && addr < deviceMemEnd && size <= deviceMemEnd-addr
}

// devices_virtioWindow returns the registers and interrupt of the i-th
// virtio-mmio transport the device tree lists (compatible
// "virtio,mmio"): its base and size, and its interrupt as a GIC
// interrupt ID (-1 if the node gives no SPI).
//
//go:linkname devices_virtioWindow internal/devices.virtioWindow
func devices_virtioWindow(i int) (base, size uintptr, intid int, ok bool) {
	n := fdtNode{}
	for j := 0; j <= i; j++ {
		if n, ok = bootTree.FindCompatible(n, "virtio,mmio"); !ok {
			return 0, 0, 0, false
		}
	}
	addr, sz, ok := n.Reg(0)
	if !ok {
		return 0, 0, 0, false
	}
	// The GIC's interrupt specifier is three cells: the type (0 for
	// an SPI), the number, and flags.
	intid = -1
	typ, ok1 := n.Cell("interrupts", 0)
	num, ok2 := n.Cell("interrupts", 1)
	if ok1 && ok2 && typ == 0 && num <= gicMaxSPI-gicFirstSPI {
		intid = gicFirstSPI + int(num)
	}
	return uintptr(addr), uintptr(sz), intid, true
}
