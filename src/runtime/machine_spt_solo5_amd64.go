// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "unsafe"

// The spt platform: the image runs in a Linux process that the
// solo5-spt tender has confined with seccomp. Guest addresses are the
// process's addresses; the tender maps guest memory from 0x10000 up to
// the boot information's mem_size and has loaded the image at its link
// addresses. The console is file descriptor 1, time is clock_gettime,
// waiting is the tender's timerfd and epoll set, and exit is
// exit_group. (Layouts: Solo5's include/spt_abi.h, also defined in
// mirago.dev/sys/solo5.)

// sptBootInfo is the address of struct spt_boot_info, saved by rt0.
var sptBootInfo uintptr

// sptBootInfoT is struct spt_boot_info.
type sptBootInfoT struct {
	memSize   uint64 // end of guest memory
	kernelEnd uint64 // end of the image's segments
	cmdline   uintptr
	mft       uintptr // the manifest, with the devices attached
	epollfd   int32
	timerfd   int32
}

// sptStackReserve is the memory below the top of guest memory that the
// heap leaves to g0, which runs on the stack the tender set up there
// (rt0_go gives it 64 KiB).
const sptStackReserve = 256 << 10

var sptEpollfd, sptTimerfd int32

// sptDevices has bit h set for each device handle h the tender
// attached. The runtime's interrupt line h is device h: the idle wait
// raises it when epoll reports the device's descriptor ready (sptIdle).
var sptDevices uint64

// sptInit reads the boot information: the command line, the heap's
// memory, and the descriptors that waiting uses.
func sptInit() {
	bi := (*sptBootInfoT)(unsafe.Pointer(sptBootInfo))
	if bi.cmdline != 0 {
		p := (*byte)(unsafe.Pointer(bi.cmdline))
		bootCmdline = unsafe.String(p, findnull(p))
	}
	sptEpollfd, sptTimerfd = bi.epollfd, bi.timerfd
	sptDevices = sptAttached(bi.mft)

	// The heap is the guest memory between the image and the stack.
	bloc = max(bloc, alignUp(uintptr(bi.kernelEnd), physPageSize))
	blocMax = alignDown(uintptr(bi.memSize)-sptStackReserve, physPageSize)
	if blocMax <= bloc || blocMax-bloc < 4<<20 {
		fatalBoot("less than 4 MiB of guest memory after the image (solo5-spt --mem)")
	}
}

// Offsets in struct mft and struct mft_entry (Solo5's mft_abi.h; also
// mirago.dev/sys/solo5).
const (
	sptMftEntries       = 4
	sptMftHeader        = 8
	sptMftEntrySize     = 104
	sptMftEntryAttached = 96
)

// sptAttached returns the set of handles of the devices the tender
// attached, as the manifest at mft lists them. The tender has checked
// the manifest (at most 64 entries).
func sptAttached(mft uintptr) uint64 {
	if mft == 0 {
		return 0
	}
	n := *(*uint32)(unsafe.Pointer(mft + sptMftEntries))
	var set uint64
	for h := uintptr(1); h < uintptr(n) && h <= maxIRQLine; h++ {
		if *(*bool)(unsafe.Pointer(mft + sptMftHeader + h*sptMftEntrySize + sptMftEntryAttached)) {
			set |= 1 << h
		}
	}
	return set
}

// devices_sptManifest gives package internal/devices the manifest,
// which lists the devices with their host descriptors.
//
//go:linkname devices_sptManifest internal/devices.sptManifest
func devices_sptManifest() unsafe.Pointer {
	return unsafe.Pointer((*sptBootInfoT)(unsafe.Pointer(sptBootInfo)).mft)
}

// devices_sptRead and devices_sptWrite are read(2) and write(2) on a
// device's host descriptor, which the tender made non-blocking: they
// return at once, with a length or a negated errno. The filter allows
// them only on the descriptors of network devices.
//
//go:linkname devices_sptRead internal/devices.sptRead
func devices_sptRead(fd int32, p unsafe.Pointer, n int) int {
	return sptReadFD(fd, p, n)
}

//go:linkname devices_sptWrite internal/devices.sptWrite
func devices_sptWrite(fd int32, p unsafe.Pointer, n int) int {
	return sptWriteFD(fd, p, n)
}

// devices_sptPread and devices_sptPwrite are pread64(2) and
// pwrite64(2) on a block device's host descriptor, a regular file. The
// filter allows them only for one block at a block-aligned offset
// inside the file.
//
//go:linkname devices_sptPread internal/devices.sptPread
func devices_sptPread(fd int32, p unsafe.Pointer, n int, off int64) int {
	return sptPread(fd, p, n, off)
}

//go:linkname devices_sptPwrite internal/devices.sptPwrite
func devices_sptPwrite(fd int32, p unsafe.Pointer, n int, off int64) int {
	return sptPwrite(fd, p, n, off)
}

// syscall_memInfo tells package syscall (sysinfo(2)) how much guest
// memory there is and how much of it the runtime has not taken.
//
//go:linkname syscall_memInfo syscall.memInfo
func syscall_memInfo() (total, free uint64) {
	bi := (*sptBootInfoT)(unsafe.Pointer(sptBootInfo))
	total = bi.memSize
	free = uint64(blocMax-bloc) + gcController.heapFree.load() + gcController.heapReleased.load()
	return total, min(free, total)
}

type sptMachine struct{}

func (sptMachine) name() string { return "spt" }

// init has nothing to bring up. The cycle counter's frequency is not
// known (the process reads time from the host's clocks).
func (sptMachine) init() uint64 { return 0 }

// The console buffers a line, or as much as fits, per write(2).
var sptConsole struct {
	buf [512]byte
	n   int
}

//go:nosplit
func (sptMachine) consolePutc(c byte) {
	sptConsole.buf[sptConsole.n] = c
	sptConsole.n++
	if sptConsole.n == len(sptConsole.buf) || c == '\n' {
		sptConsoleFlush()
	}
}

//go:nosplit
func (sptMachine) consoleFlush() { sptConsoleFlush() }

//go:nosplit
func sptConsoleFlush() {
	b := sptConsole.buf[:sptConsole.n]
	for len(b) > 0 {
		n := sptWrite(unsafe.Pointer(&b[0]), int32(len(b)))
		if n <= 0 {
			break // nowhere else to report it
		}
		b = b[n:]
	}
	sptConsole.n = 0
}

// spt has no console input: standard input reads as empty.
func (sptMachine) consoleRead(p []byte) int { return 0 }
func (sptMachine) consoleInputLine() int    { return 0 }

const (
	sptClockRealtime  = 0
	sptClockMonotonic = 1
)

type sptTimespec struct {
	sec  int64
	nsec int64
}

type sptItimerspec struct {
	interval sptTimespec
	value    sptTimespec
}

//go:nosplit
func (sptMachine) nanotime() int64 {
	var ts sptTimespec
	sptClockGettime(sptClockMonotonic, &ts)
	return ts.sec*1e9 + ts.nsec
}

//go:nosplit
func (sptMachine) walltime() (sec int64, nsec int32) {
	var ts sptTimespec
	sptClockGettime(sptClockRealtime, &ts)
	return ts.sec, int32(ts.nsec)
}

//go:nosplit
func (sptMachine) exit(code int32) {
	sptConsoleFlush()
	sptExit(code)
}

func (sptMachine) cmdlineWord(word string) bool { return false }

// The tender's guest memory is an anonymous mapping: zeroed.
func (sptMachine) ramZeroed() bool { return true }

// A device's line is its handle, and it is routed if the tender
// attached the device. There is nothing to unmask: the tender put the
// descriptors in its epoll set level-triggered, so a device stays
// ready, like a level-triggered line, until its driver has read all
// it has, and sptIdle raises the line again at every idle wait until
// then.
func (sptMachine) lineEnable(i int) {}

func (sptMachine) lineRouted(i int) bool {
	return i > 0 && i <= maxIRQLine && sptDevices&(1<<i) != 0
}

// sptIdle waits until the monotonic clock reaches until, or for ever if
// until < 0, as Solo5's own solo5_yield does: the tender's timerfd,
// which is in its epoll set, is armed for the deadline (rearming it
// also clears a past expiry), and epoll_pwait waits for it or a device.
// Each ready device raises its line, which wakes its driver as an
// interrupt would on xen (irq_unikernel.go).
func sptIdle(until int64) {
	const tfdTimerAbstime = 1
	var it sptItimerspec
	if until >= 0 {
		it.value.sec = until / 1e9
		// A zero time would disarm the timer.
		it.value.nsec = until%1e9 | 1
	}
	sptTimerfdSettime(sptTimerfd, tfdTimerAbstime, &it)
	sptWait(-1)
}

// sptWait waits up to timeout milliseconds (for ever if -1) in
// epoll_pwait, and raises the line of each device it reports ready.
func sptWait(timeout int32) {
	// struct epoll_event is 12 bytes on amd64: events, then data.
	// A device left out of a full batch is still ready next time.
	var events [8 * 12]byte
	n := int32(0)
	for {
		n = sptEpollPwait(sptEpollfd, unsafe.Pointer(&events[0]), int32(len(events)/12), timeout)
		if n != -_EINTR {
			break
		}
	}
	for i := int32(0); i < n && int(i) < len(events)/12; i++ {
		// The data is the device's handle, or the timerfd's
		// mark (SPT_INTERNAL_TIMERFD), which is no handle.
		h := *(*uint64)(unsafe.Pointer(&events[i*12+4]))
		if h <= maxIRQLine && sptDevices&(1<<h) != 0 {
			irqRaised(int(h))
		}
	}
}

// sptPolls counts pollDevices calls.
var sptPolls uint32

// sptPollEvery is how many of the scheduler's looks for woken device
// waiters (pollDevices) make one epoll_pwait. Looking costs a system
// call, and the scheduler looks at every park and yield.
const sptPollEvery = 16

// sptPoll looks, without waiting, for devices that turned ready, so
// that a program whose goroutines keep the CPU busy, and so never let
// it idle, still hears from its network device.
func sptPoll() {
	if sptDevices == 0 {
		return
	}
	sptPolls++
	if sptPolls%sptPollEvery != 0 {
		return
	}
	sptWait(0)
}

const _EINTR = 4

// Implemented in sys_solo5_amd64.s.

//go:noescape
func sptWrite(p unsafe.Pointer, n int32) int32

func sptExit(code int32)

//go:noescape
func sptClockGettime(clock int32, ts *sptTimespec) int32

//go:noescape
func sptTimerfdSettime(fd, flags int32, new *sptItimerspec) int32

//go:noescape
func sptEpollPwait(epfd int32, ev unsafe.Pointer, n, timeout int32) int32

//go:noescape
func sptReadFD(fd int32, p unsafe.Pointer, n int) int

//go:noescape
func sptWriteFD(fd int32, p unsafe.Pointer, n int) int

//go:noescape
func sptPread(fd int32, p unsafe.Pointer, n int, off int64) int

//go:noescape
func sptPwrite(fd int32, p unsafe.Pointer, n int, off int64) int
