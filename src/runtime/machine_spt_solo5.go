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

// sptBootInfoT is struct spt_boot_info.
type sptBootInfoT struct {
	memSize   uint64 // end of guest memory
	kernelEnd uint64 // end of the image's segments
	cmdline   uintptr
	mft       uintptr // the manifest, with the devices attached
	epollfd   int32
	timerfd   int32
}

var sptEpollfd, sptTimerfd int32

func sptBootInfo() *sptBootInfoT {
	return (*sptBootInfoT)(unsafe.Pointer(solo5BootInfo))
}

// sptInit reads the boot information: the command line, the heap's
// memory, and the descriptors that waiting uses.
func sptInit() {
	bi := sptBootInfo()
	if bi.cmdline != 0 {
		p := (*byte)(unsafe.Pointer(bi.cmdline))
		bootCmdline = unsafe.String(p, findnull(p))
	}
	sptEpollfd, sptTimerfd = bi.epollfd, bi.timerfd
	solo5Devices = solo5Attached(bi.mft)

	// The heap is the guest memory between the image and the stack.
	bloc = max(bloc, alignUp(uintptr(bi.kernelEnd), physPageSize))
	blocMax = alignDown(uintptr(bi.memSize)-solo5StackReserve, physPageSize)
	if blocMax <= bloc || blocMax-bloc < 4<<20 {
		fatalBoot("less than 4 MiB of guest memory after the image (solo5-spt --mem)")
	}
}

type sptMachine struct{}

func (*sptMachine) name() string { return "spt" }

// init has nothing to bring up. The cycle counter's frequency is not
// known (the process reads time from the host's clocks).
func (*sptMachine) init() uint64 { return 0 }

//go:nosplit
func (*sptMachine) consolePutc(c byte) { solo5ConsolePutc(c) }

//go:nosplit
func (*sptMachine) consoleFlush() { solo5ConsoleFlush() }

// sptPuts writes b to the console, standard output: write(2) on fd 1.
//
//go:nosplit
func sptPuts(b []byte) {
	for len(b) > 0 {
		n := sptWrite(unsafe.Pointer(&b[0]), int32(len(b)))
		if n <= 0 {
			break // nowhere else to report it
		}
		b = b[n:]
	}
}

// spt has no console input: standard input reads as empty.
func (*sptMachine) consoleRead(p []byte) int { return 0 }
func (*sptMachine) consoleInputLine() int    { return 0 }

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

// Reading a clock under spt is a system call: the guest cannot reach
// the kernel's vDSO, and seccomp's filter runs on every call, so one
// reading costs a microsecond or more. The runtime, package time and
// the network stack read the clock often (gVisor's TCP many times per
// segment): an HTTP server under load made about 32 calls per request,
// which took nearly half of its time. So for up to sptClockInterp
// after a system call, a reading is that call's value plus the cycle
// counter's ticks since (cputicks: the TSC on amd64, the generic
// timer's count on arm64), converted at the rate calibrated against
// the monotonic clock over the first sptClockCalibrate of the run
// (during which every reading is a call). The clocks keep the
// counter's resolution, which code that times short intervals needs
// (testing.B.Loop, the FIPS entropy source's jitter samples), and the
// server makes about 3 calls per request (docs/benchmarks.md).
//
// A calibration error, or a counter that changes rate or differs
// between CPUs, can make an interpolated reading wrong by a fraction
// of sptClockInterp at most: a counter that goes backwards or jumps
// forwards ends the interval, and the monotonic clock never returns
// less than it has returned. After sptClockReuseMax interpolated
// readings the next one makes a call whatever the counter says, in
// case it does not advance, and so does the first reading after an
// idle wait.
//
// spt runs one thread and nothing interrupts it, so the caches need
// no lock.
const (
	sptClockInterp    = 20e3 // ns
	sptClockCalibrate = 10e6 // ns
	sptClockReuseMax  = 64
)

type sptClockCache struct {
	ticks  int64 // cputicks at the last system call
	ns     int64 // the clock then
	last   int64 // the last reading returned
	reuses int32
}

var sptMonotonic, sptRealtime sptClockCache

// sptClockWindow is the counter's ticks in sptClockInterp: 0 until
// calibrated, and -1 if the counter did not advance then. sptNsPerTick
// is the calibrated rate. sptClockStart is the first monotonic call,
// which calibration measures from.
var (
	sptClockWindow int64
	sptNsPerTick   float64
	sptClockStart  sptClockCache
)

// read returns clock in nanoseconds. The monotonic clock never goes
// backwards; the time of day may, as the host's does.
//
//go:nosplit
func (c *sptClockCache) read(clock int32) int64 {
	t := cputicks()
	if d := t - c.ticks; d >= 0 && d < sptClockWindow && c.reuses < sptClockReuseMax {
		c.reuses++
		ns := c.ns + int64(float64(d)*sptNsPerTick)
		if ns < c.last {
			ns = c.last
		}
		c.last = ns
		return ns
	}
	var ts sptTimespec
	sptClockGettime(clock, &ts)
	ns := ts.sec*1e9 + ts.nsec
	if clock == sptClockMonotonic && ns < c.last {
		ns = c.last // an interpolation ran ahead of the clock
	}
	c.ticks, c.ns, c.last, c.reuses = t, ns, ns, 0
	if clock == sptClockMonotonic && sptClockWindow == 0 {
		sptClockCalibrateTicks(t, ts.sec*1e9+ts.nsec)
	}
	return ns
}

// expire makes the next reading a system call.
//
//go:nosplit
func (c *sptClockCache) expire() {
	c.reuses = sptClockReuseMax
}

// sptClockCalibrateTicks measures the counter's rate from the first monotonic
// call to the first one sptClockCalibrate later.
//
//go:nosplit
func sptClockCalibrateTicks(ticks, ns int64) {
	if sptClockStart.ticks == 0 {
		sptClockStart.ticks, sptClockStart.ns = ticks, ns
		return
	}
	dns, dt := ns-sptClockStart.ns, ticks-sptClockStart.ticks
	if dns < sptClockCalibrate {
		return
	}
	sptClockWindow = -1
	if dt > 0 {
		sptNsPerTick = float64(dns) / float64(dt)
		sptClockWindow = int64(sptClockInterp / sptNsPerTick)
	}
}

//go:nosplit
func (*sptMachine) nanotime() int64 {
	return sptMonotonic.read(sptClockMonotonic)
}

//go:nosplit
func (*sptMachine) walltime() (sec int64, nsec int32) {
	ns := sptRealtime.read(sptClockRealtime)
	return ns / 1e9, int32(ns % 1e9)
}

//go:nosplit
func (*sptMachine) exit(code int32) {
	solo5ConsoleFlush()
	sptExit(code)
}

func (*sptMachine) cmdlineWord(word string) bool { return false }

// The tender's guest memory is an anonymous mapping: zeroed.
func (*sptMachine) ramZeroed() bool { return true }

// The spt ABI gives the guest one thread.
func (*sptMachine) cpuCount() int { return 1 }
func (*sptMachine) startCPUs()    {}

// A device's line is its handle, and it is routed if the tender
// attached the device. There is nothing to unmask: the tender put the
// descriptors in its epoll set level-triggered, so a device stays
// ready, like a level-triggered line, until its driver has read all
// it has, and sptIdle raises the line again at every idle wait until
// then.
func (*sptMachine) lineEnable(i int) {}

func (*sptMachine) lineRouted(i int) bool {
	return i > 0 && i <= maxIRQLine && solo5Devices&(1<<i) != 0
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
	// The wait may have been short; the caller reads the clock to
	// see whether until has come, and a cached reading from before
	// the wait would send it back to wait again.
	sptMonotonic.expire()
	sptRealtime.expire()
}

// sptWait waits up to timeout milliseconds (for ever if -1) in
// epoll_pwait, and raises the line of each device it reports ready.
func sptWait(timeout int32) {
	// struct epoll_event: events, then data, at offsets that
	// differ between architectures (os_solo5_GOARCH.go). A device
	// left out of a full batch is still ready next time.
	const size = sptEpollEventSize
	var events [8 * size]byte
	n := int32(0)
	for {
		n = sptEpollPwait(sptEpollfd, unsafe.Pointer(&events[0]), int32(len(events)/size), timeout)
		if n != -_EINTR {
			break
		}
	}
	for i := int32(0); i < n && int(i) < len(events)/size; i++ {
		// The data is the device's handle, or the timerfd's
		// mark (SPT_INTERNAL_TIMERFD), which is no handle.
		h := *(*uint64)(unsafe.Pointer(&events[i*size+sptEpollEventData]))
		if h <= maxIRQLine && solo5Devices&(1<<h) != 0 {
			irqRaised(int(h))
		}
	}
}

const _EINTR = 4

// Implemented in sys_solo5_GOARCH.s.

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
