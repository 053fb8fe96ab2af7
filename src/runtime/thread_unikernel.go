// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package runtime

import (
	"internal/abi"
	"internal/runtime/atomic"
	"internal/runtime/sys"
	"unsafe"
)

// Threads.
//
// With no kernel underneath, the runtime schedules its Ms on the CPUs
// itself, so that they are what they are on Linux: sysmon runs, an M
// handed a P runs it, and a goroutine locked to its M keeps it. Each M
// is a thread: its g0 stack, which allocm gives it, and the registers
// saved when it last left a CPU (threadContext). The runtime's locks
// and notes are lock_futex.go's, over the futexsleep and futexwakeup
// below, which block and wake threads.
//
// An M leaves its CPU only where it blocks (futexsleep, usleep), yields
// (osyield) or exits, never in an interrupt: every switch happens on
// g0 in threadRun, between two points of Go code that expect a call to
// return, so that a switch saves and restores no more than a function
// call keeps (the stack pointer, the frame pointer, the return address,
// and g, which is TLS on amd64 and a register on arm64). A goroutine
// that keeps a CPU busy is preempted by the tick (tick_xen.go) and
// comes back through the scheduler, where schedHook passes the CPU on
// to the threads that wait for it.
//
// The CPUs share one run queue. It and the blocked threads are kept
// under threads.lock, a spin lock taken with interrupts off, so that an
// interrupt handler can wake a thread (netpollBreak). A switch hands
// the lock over: the thread that resumes releases it, so no CPU picks a
// thread up before the switch that left it has saved it. When no
// thread can run, a CPU's idle thread, which has an M and g of its own
// that are never on allm or allgs, halts in idleWait until an
// interrupt or the next deadline of a blocked thread; a CPU that makes
// a thread runnable while another is halted wakes it (threadKick,
// cpuWake). The platform says how many CPUs there are and starts them
// (machine.cpuCount, startCPUs).

// A threadContext holds what threadSwitch saves of a thread that is
// not running.
type threadContext struct {
	sp, fp, pc uintptr
	g          uintptr // the g register (arm64)
}

// Thread states.
const (
	threadRunning = iota
	threadRunnable
	threadBlocked
	threadDead
)

type mOS struct {
	waitsema uint32 // semaphore for parking on locks (lock_futex.go)

	threadCtx      threadContext
	threadState    uint32
	threadCPU      int32   // the CPU it runs or last ran on
	threadWaitAddr uintptr // the futex a blocked thread waits on
	threadDeadline int64   // when its wait ends; -1: never
	threadNext     muintptr
}

var threads struct {
	lock     uint32
	runq     muintptr // runnable threads, first to run first
	runqTail muintptr
	blocked  muintptr // threads in futexsleep
	soonest  int64    // no blocked thread's deadline is before it; -1: none has one
	idle     uint64   // bit c: CPU c is halted, or about to halt, in threadIdle
	waking   uint64   // bit c: CPU c was woken from its halt and has not yet taken the lock
	online   uint64   // bit c: CPU c runs threads
	runqLen  int
	lastID   uint64
}

// maxCPUs is how many CPUs the runtime runs on at most.
const maxCPUs = 16

// A cpuState is what the runtime keeps for each CPU: its idle thread,
// which has an M and g of its own that are never on allm or allgs, and
// the tick's state.
type cpuState struct {
	idleM   *m // from the heap, as allocm's Ms are: see cpuInit
	idleG   g
	idleSig g // the idle thread's signal stack, where traps run
	online  uint32
	tick    tickState

	idleTime int64 // nanoseconds halted in idleWait, for /proc/stat
}

var (
	cpus [maxCPUs]cpuState

	// The boot CPU's idle thread runs on static stacks, which
	// exist before the heap does.
	bootIdleStack [8 << 10]byte
	bootSigStack  [32 << 10]byte
)

// threadsInit installs the scheduler hook. osinit calls it, before the
// heap exists. The boot CPU's idle thread, whose M must come from the
// heap (cpuInit), is set up later by bootCPUInit, before any thread
// can block.
func threadsInit() {
	cpus[0].online = 1
	threads.online = 1
	threads.soonest = -1
	schedHook = threadSchedHook
}

// bootCPUInit sets up the boot CPU's idle thread. mpreinit calls it
// for m0, once the heap is up and while m0 is the only thread.
func bootCPUInit() {
	cpuInit(0, uintptr(unsafe.Pointer(&bootIdleStack)), uintptr(len(bootIdleStack)), uintptr(unsafe.Pointer(&bootSigStack)), uintptr(len(bootSigStack)))
}

// cpuInit sets up the idle thread of CPU c, on the stacks given.
//
// Its M is allocated as allocm allocates the scheduler's, not kept in
// cpus: a trap handler on an idle CPU runs as that M, and one that
// waits for a runtime lock (as the CPUs that an NMI interrupts do for
// debuglock, each printing its part of the dump) is put on the lock's
// wait list as it. lock_spinbit.go keeps that list's head in the lock
// word, and recovers the M's address from the low bits that every
// heap-allocated M has (m0 is the one exception it knows). An M
// elsewhere would be woken at the wrong address and wait for ever.
func cpuInit(c int, stk, stkSize, sig, sigSize uintptr) {
	cs := &cpus[c]
	mp := &new(mPadded).m
	cs.idleM = mp
	mp.g0 = &cs.idleG
	mp.gsignal = &cs.idleSig
	mp.threadCPU = int32(c)
	mp.id = -1 - int64(c)
	cs.idleG.m = mp
	cs.idleSig.m = mp
	cs.idleG.stack = stack{lo: stk, hi: stk + stkSize}
	cs.idleG.stackguard0 = stk + stackGuard
	cs.idleG.stackguard1 = cs.idleG.stackguard0
	cs.idleSig.stack = stack{lo: sig, hi: sig + sigSize}
	cs.idleSig.stackguard0 = sig + stackGuard
	cs.idleSig.stackguard1 = cs.idleSig.stackguard0
	mp.tls[0] = uintptr(unsafe.Pointer(&cs.idleG))
	threadContextInit(&mp.threadCtx, &cs.idleG, abi.FuncPCABI0(threadIdleStart))
}

// cpuStart sets up the idle thread of CPU c, for the platform to start
// the CPU on: it enters the runtime at apMain (GOARCH's smp file) on
// the idle thread's stack, with TLS at tls. m0 calls it, from minit,
// where the heap is up.
func cpuStart(c int) (sp uintptr, tls unsafe.Pointer) {
	const stkSize, sigSize = 16 << 10, 32 << 10
	stk := uintptr(persistentalloc(stkSize, 64, &memstats.stacks_sys))
	sig := uintptr(persistentalloc(sigSize, 64, &memstats.stacks_sys))
	cpuInit(c, stk, stkSize, sig, sigSize)
	return cpus[c].idleM.threadCtx.sp, unsafe.Pointer(&cpus[c].idleM.tls[0])
}

// cpuAwait waits up to ns nanoseconds for CPU c to come online, and
// reports whether it did: the platform's startCPUs waits for each CPU
// it starts.
func cpuAwait(c int, ns int64) bool {
	start := nanotime()
	for atomic.Load(&cpus[c].online) == 0 {
		if nanotime()-start > ns {
			return false
		}
		procyield(10)
	}
	return true
}

// cpuOnline is the last step of a CPU's start: it counts the CPU in and
// runs its idle thread. The CPU runs as its idle thread, with
// interrupts off.
func cpuOnline() {
	c := getg().m.threadCPU
	atomic.Store(&cpus[c].online, 1)
	threadLock()
	threads.online |= 1 << c
	threadIdle()
}

// threadLock takes threads.lock with interrupts off, and returns
// whether they were on, for threadUnlock.
//
//go:nosplit
func threadLock() bool {
	on := intrOff()
	for !atomic.Cas(&threads.lock, 0, 1) {
		procyield(10)
	}
	return on
}

//go:nosplit
func threadUnlock(intr bool) {
	atomic.Store(&threads.lock, 0)
	intrRestore(intr)
}

// threadRunqPut and threadRunqGet keep the run queue; threads.lock is
// held.
func threadRunqPut(mp *m) {
	mp.threadState = threadRunnable
	mp.threadNext = 0
	if tail := threads.runqTail.ptr(); tail != nil {
		tail.threadNext.set(mp)
	} else {
		threads.runq.set(mp)
	}
	threads.runqTail.set(mp)
	threads.runqLen++
}

func threadRunqGet() *m {
	mp := threads.runq.ptr()
	if mp != nil {
		threads.runq = mp.threadNext
		threads.runqLen--
		if threads.runq == 0 {
			threads.runqTail = 0
		}
		mp.threadNext = 0
	}
	return mp
}

// threadRun gives the CPU to the next runnable thread, or to the idle
// thread, unless that is cur. cur has already been put where it waits
// (the run queue, the blocked list) or marked dead. threads.lock is
// held, and is held again when threadRun returns in cur, once another
// thread switched back to it. A dead cur never returns: its stack is
// given up (*dead = 0, the M's freeWait) once the switch has left it.
func threadRun(cur *m, dead *uint32) {
	c := cur.threadCPU
	next := threadRunqGet()
	if next == nil {
		next = cpus[c].idleM
	}
	next.threadState = threadRunning
	next.threadCPU = c
	if next == cur {
		return
	}
	threadSwitchTrap(next)
	threadSwitch(&cur.threadCtx, &next.threadCtx, unsafe.Pointer(&next.tls[0]), dead)
}

// threadIdle is the idle thread: it runs the threads that become
// runnable, and halts the CPU while there are none. threadRun switches
// to it with threads.lock held.
func threadIdle() {
	idle := getg().m
	c := idle.threadCPU
	polled := false
	for {
		if next := threadRunqGet(); next != nil {
			next.threadState = threadRunning
			next.threadCPU = c
			threadSwitchTrap(next)
			threadSwitch(&idle.threadCtx, &next.threadCtx, unsafe.Pointer(&next.tls[0]), nil)
			polled = false
			continue
		}
		until := threads.soonest
		if !polled && threads.online&^threads.idle&^(1<<c) != 0 {
			// Another CPU runs, and may make a thread runnable
			// soon; see idlePollNS.
			polled = true
			atomic.Store(&threads.lock, 0)
			threadPoll(until)
			for !atomic.Cas(&threads.lock, 0, 1) {
				procyield(10)
			}
			continue
		}
		polled = false
		threads.idle |= 1 << c
		atomic.Store(&threads.lock, 0)
		idleWait(until)
		for !atomic.Cas(&threads.lock, 0, 1) {
			procyield(10)
		}
		threads.idle &^= 1 << c
		threads.waking &^= 1 << c
		threadWakeExpired(nanotime())
	}
}

// idlePollNS is how long an idle CPU watches the run queue before it
// halts, while another CPU runs. Go's scheduler wakes Ms on other CPUs
// often (wakep, for each goroutine made ready while a P is idle), and
// on a virtual machine the IPI and the return from the halt cost tens
// of microseconds, far more than the hand-off itself. A CPU that polls
// is not in threads.idle, so no one sends it an IPI; Linux's guest
// halt polling (cpuidle-haltpoll) does the same. With two goroutines
// passing a value back and forth on 2 CPUs under TCG, a round trip
// took about 7µs without polling and 5 to 6µs with it.
const idlePollNS = 50_000

// threadPoll waits with threads.lock released until a thread is
// runnable, idlePollNS has passed, or the time until comes. Interrupts
// stay off, as in the rest of the idle thread: a device's interrupt
// waits at most idlePollNS longer.
func threadPoll(until int64) {
	end := nanotime() + idlePollNS
	if until >= 0 && until < end {
		end = until
	}
	for atomic.Loaduintptr((*uintptr)(unsafe.Pointer(&threads.runq))) == 0 && nanotime() < end {
		procyield(10)
	}
}

// threadKick wakes up to n halted CPUs other than the caller's, to run
// threads that became runnable or to wait for a sooner deadline.
// threads.lock is held.
func threadKick(n int) {
	self := getg().m.threadCPU
	for ; n > 0; n-- {
		idle := threads.idle &^ (1 << self)
		if idle == 0 {
			return
		}
		c := sys.TrailingZeros64(idle)
		threads.idle &^= 1 << c
		threads.waking |= 1 << c
		cpuWake(c)
	}
}

// threadWakeExpired makes the blocked threads whose deadline is at or
// before now runnable, and works out threads.soonest again.
func threadWakeExpired(now int64) {
	if threads.soonest < 0 || now < threads.soonest {
		return
	}
	threadUnblock(func(mp *m) bool {
		return mp.threadDeadline >= 0 && mp.threadDeadline <= now
	}, -1)
	threads.soonest = -1
	for mp := threads.blocked.ptr(); mp != nil; mp = mp.threadNext.ptr() {
		if d := mp.threadDeadline; d >= 0 && (threads.soonest < 0 || d < threads.soonest) {
			threads.soonest = d
		}
	}
}

// threadUnblock moves up to n (all if n < 0) blocked threads for which
// match is true to the run queue, and returns how many it moved.
func threadUnblock(match func(*m) bool, n int) int {
	moved := 0
	var prev *m
	for mp := threads.blocked.ptr(); mp != nil && moved != n; {
		next := mp.threadNext.ptr()
		if !match(mp) {
			prev = mp
			mp = next
			continue
		}
		if prev == nil {
			threads.blocked.set(next)
		} else {
			prev.threadNext.set(next)
		}
		threadRunqPut(mp)
		moved++
		mp = next
	}
	threadKick(moved)
	return moved
}

// futexsleep blocks the M while *addr == val, for ns nanoseconds at
// most (for ever if ns < 0); it may return early, as the futex system
// call may.
//
//go:nosplit
func futexsleep(addr *uint32, val uint32, ns int64) {
	if inTrapHandler() {
		// A handler cannot leave the CPU: it runs on the CPU's trap
		// stack, with the interrupted thread below it. It spins.
		procyield(10)
		return
	}
	// On g0: the caller may be a goroutine in notetsleepg, whose
	// stack must not grow.
	systemstack(func() {
		threadWait(addr, val, ns)
	})
}

func threadWait(addr *uint32, val uint32, ns int64) {
	mp := getg().m
	intr := threadLock()
	if atomic.Load(addr) != val {
		threadUnlock(intr)
		return
	}
	mp.threadState = threadBlocked
	mp.threadWaitAddr = uintptr(unsafe.Pointer(addr))
	mp.threadDeadline = -1
	if ns >= 0 {
		d := nanotime() + ns
		mp.threadDeadline = d
		if threads.soonest < 0 || d < threads.soonest {
			threads.soonest = d
			threadKick(1) // a halted CPU waits for a later one
		}
	}
	mp.threadNext = threads.blocked
	threads.blocked.set(mp)
	threadRun(mp, nil)
	mp.threadWaitAddr = 0
	threadUnlock(intr)
}

// futexwakeup wakes up to cnt threads blocked on addr. Interrupt
// handlers call it too (netpollBreak), on the stack they run on.
//
//go:nosplit
func futexwakeup(addr *uint32, cnt uint32) {
	if inTrapHandler() {
		// On the handler's stack, which nothing preempts (and
		// which on arm64 is not gsignal, where systemstack would
		// stay).
		threadWake(uintptr(unsafe.Pointer(addr)), int(cnt))
		return
	}
	// On g0: another CPU may ask a goroutine to stop at its next
	// function prologue (stackPreempt) at any time, and a goroutine
	// preempted while it holds threads.lock would leave its M to
	// schedule with the lock held, and release it later from wherever
	// it resumes.
	systemstack(func() {
		threadWake(uintptr(unsafe.Pointer(addr)), int(cnt))
	})
}

func threadWake(addr uintptr, cnt int) {
	intr := threadLock()
	threadUnblock(func(mp *m) bool { return mp.threadWaitAddr == addr }, cnt)
	threadUnlock(intr)
}

// osyield lets the threads that wait for the CPU run first, those
// whose sleep is over among them.
//
//go:nosplit
func osyield() {
	if threadsUnserved() <= 0 && (threads.soonest < 0 || nanotime() < threads.soonest) || inTrapHandler() {
		return
	}
	systemstack(threadYield)
}

// threadsUnserved returns how many runnable threads no CPU is on its
// way to: a CPU woken from its halt takes a thread from the run queue,
// so its caller need not leave its CPU for that one. (If it did, the
// scheduler's hook would hand a P's CPU to the spinning M that wakep
// woke for another CPU, and the goroutine the P was about to run would
// move CPUs.) Without threads.lock, the answer is a hint.
//
//go:nosplit
func threadsUnserved() int {
	return threads.runqLen - sys.OnesCount64(threads.waking)
}

func threadYield() {
	mp := getg().m
	intr := threadLock()
	threadWakeExpired(nanotime())
	if threadsUnserved() > 0 {
		threadRunqPut(mp)
		threadRun(mp, nil)
	}
	threadUnlock(intr)
}

// osyield_no_g runs where there is no g to switch on, so it only
// returns, and its caller spins.
//
//go:nosplit
func osyield_no_g() {}

// usleep blocks the M for usec microseconds.
//
//go:nosplit
func usleep(usec uint32) {
	if inTrapHandler() {
		usleep_no_g(usec)
		return
	}
	if usec == 0 {
		osyield()
		return
	}
	if usec <= usleepSpinMax && threadsUnserved() <= 0 {
		// No thread waits for this CPU, and blocking would halt it
		// until the timer fires, which on a virtual machine takes
		// longer than so short a sleep. The scheduler sleeps 3µs
		// before it steals a P's next goroutine (runqgrab).
		usleep_no_g(usec)
		return
	}
	futexsleep(&threadSleepKey, 0, int64(usec)*1000)
}

// usleepSpinMax is the longest sleep, in microseconds, that usleep
// spins rather than blocks, when no other thread waits for the CPU.
// sysmon's sleeps start at 20µs and block.
const usleepSpinMax = 10

// threadSleepKey is the futex usleep waits on, which nothing wakes.
var threadSleepKey uint32

// usleep_no_g waits without a g, so without blocking.
//
//go:nosplit
func usleep_no_g(usec uint32) {
	end := nanotime1() + int64(usec)*1000
	for nanotime1() < end {
		procyield(10)
	}
}

// threadSchedHook is schedHook: findRunnable calls it as it looks for
// work. A goroutine that kept the CPU busy was preempted, and the
// threads that wait for the CPU run now, as do the goroutines whose
// device interrupt fired.
func threadSchedHook() {
	irqReadyWaiters()
	osyield()
}

// newosproc starts mp's thread, on the g0 stack that allocm gave it.
//
// May run with m.p==nil, so write barriers are not allowed.
//
//go:nowritebarrier
func newosproc(mp *m) {
	mp.tls[0] = uintptr(unsafe.Pointer(mp.g0))
	threadContextInit(&mp.threadCtx, mp.g0, abi.FuncPCABI0(threadStart))
	// On g0, as futexwakeup: LockOSThread calls here from a goroutine.
	systemstack(func() {
		intr := threadLock()
		threads.lastID++
		mp.procid = threads.lastID + 1 // m0 is 1
		threadRunqPut(mp)
		threadKick(1)
		threadUnlock(intr)
	})
}

// threadStarted runs first on a new thread, which threadRun switched
// to with threads.lock held, before mstart.
func threadStarted() {
	threadUnlock(true)
}

// threadContextInit makes ctx start a thread at pc, as gp on gp's
// stack.
func threadContextInit(ctx *threadContext, gp *g, pc uintptr) {
	*ctx = threadContext{
		sp: (gp.stack.hi - 64) &^ 15,
		pc: pc,
		g:  uintptr(unsafe.Pointer(gp)),
	}
}

func newosproc0(stacksize uintptr, fn unsafe.Pointer) {
	throw("newosproc0: no threads before the runtime starts on " + GOOS)
}

// exitThread ends the calling M's thread. mexit has freed its signal
// stack and turned interrupts off (sigblock), so nothing runs on this
// thread before the switch leaves it, and sets *wait to 0 then, for
// the M's g0 stack to be freed.
//
//go:nosplit
func exitThread(wait *atomic.Uint32) {
	mp := getg().m
	threadLock()
	mp.threadState = threadDead
	threadRun(mp, (*uint32)(unsafe.Pointer(wait)))
	throw("exitThread: a dead thread ran")
}

// Implemented in thread_unikernel_GOARCH.s.

// threadSwitch saves the caller's thread in from and continues the
// thread in to, with TLS at tls on amd64. When it is given one, it
// stores 0 to *dead once it has left the caller's stack.
//
//go:noescape
func threadSwitch(from, to *threadContext, tls unsafe.Pointer, dead *uint32)

// threadStart and threadIdleStart are where threads begin.
func threadStart()
func threadIdleStart()
