// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package runtime

import "internal/runtime/atomic"

// IOAPICPinsAcrossCPUs has two goroutines set the redirection entry of
// a pin each, rounds times, through ioapicSetPin (as a line's unmasking
// and its handler's masking do), and read it back after each write.
// The pins are spare ones of the first I/O APIC, masked and routed to
// no line; the values written keep them masked, and their entries are
// restored at the end. It returns the pins, how many CPUs the two
// goroutines ran on, and how many read-backs found another value than
// the one just written; err is set if there is no I/O APIC or no two
// spare pins.
func IOAPICPinsAcrossCPUs(rounds int) (pins [2]uint32, ncpu int, torn int, err string) {
	if mach.name() != "pc" {
		return pins, 0, 0, "not on a PC: " + mach.name()
	}
	on := intrOff()
	ioapicAcquire()
	ioapicInit()
	n := 0
	if nioapics > 0 {
		a := &ioapics[0]
	pin:
		for p := a.pins; p > 0 && n < 2; p-- {
			for i := range irqLines {
				if irqLines[i].apic == a && irqLines[i].pin == p-1 {
					continue pin
				}
			}
			if ioapicRead(a, ioapicRedirTbl+2*(p-1))&redirMasked != 0 {
				pins[n] = p - 1
				n++
			}
		}
	}
	var saved [2]uint32
	for k := 0; k < n; k++ {
		saved[k] = ioapicRead(&ioapics[0], ioapicRedirTbl+2*pins[k])
	}
	ioapicRelease()
	intrRestore(on)
	if n < 2 {
		return pins, 0, 0, "no two spare I/O APIC pins"
	}
	a := &ioapics[0]

	st := new(ioapicRace)
	st.a, st.pins, st.rounds = a, pins, rounds
	go st.run(0)
	go st.run(1)
	for st.done.Load() < 2 {
		Gosched()
	}
	for k := range 2 {
		ioapicSetPin(a, pins[k], saved[k])
	}
	seen := st.cpus[0] | st.cpus[1]
	for ; seen != 0; seen &= seen - 1 {
		ncpu++
	}
	return pins, ncpu, st.bad[0] + st.bad[1], ""
}

// ioapicRace is the state of IOAPICPinsAcrossCPUs's two goroutines.
type ioapicRace struct {
	a           *ioapic
	pins        [2]uint32
	rounds      int
	ready, done atomic.Uint32
	cpus        [2]uint64 // the CPUs each goroutine ran on
	bad         [2]int    // each one's read-backs of another value
}

func (st *ioapicRace) run(k int) {
	st.ready.Add(1)
	for st.ready.Load() < 2 {
		// Not a bare spin: functions of package runtime are never
		// preempted, and a goroutine still to start may need this
		// CPU.
		Gosched()
	}
	for r := range st.rounds {
		// Masked, with a vector of the lines' range and the trigger
		// mode changing each round.
		v := uint32(ioapicVectorBase+1+k) | redirMasked | uint32(r&1)<<15
		ioapicSetPin(st.a, st.pins[k], v)
		on := intrOff()
		ioapicAcquire()
		got := ioapicRead(st.a, ioapicRedirTbl+2*st.pins[k])
		ioapicRelease()
		intrRestore(on)
		if got&(redirMasked|redirLevel|0xff) != v {
			st.bad[k]++
		}
		st.cpus[k] |= 1 << (getg().m.threadCPU & 63)
	}
	st.done.Add(1)
}
