// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

package syscall

// /proc, for Linux code that reads it (gopsutil, memory-limit and
// CPU-count helpers, process inspectors). Its files are read-only and
// made when they are opened, from what the runtime knows: the CPU time
// since boot and the time halted, the RAM, the CPU's CPUID, the
// program's arguments. There is one process, 1, which /proc/self names.
// Only files whose every figure is known are here; others (loadavg,
// net/dev, vmstat, a process's fd directory) are missing, so that code
// reading them gets ENOENT rather than made-up numbers.

import (
	"internal/strconv"
	"runtime"
)

// These are pushed here by the runtime.

// cpuTime returns the nanoseconds since boot that CPU c ran and that
// it was halted.
func cpuTime(c int) (busy, idle int64)

// cpuInfo describes the CPU.
func cpuInfo() (vendor, model string, family, modelID, stepping uint32, mhz uint64)

// runtimeArgs returns the program's arguments.
func runtimeArgs() []string

// userHZ is the unit of the CPU times in /proc, as on Linux.
const userHZ = 100

// totalCPUTime sums cpuTime over the CPUs, as Linux's process times
// and /proc's first lines count every CPU.
func totalCPUTime() (busy, idle int64) {
	for c := range runtime.NumCPU() {
		b, i := cpuTime(c)
		busy += b
		idle += i
	}
	return busy, idle
}

func (fs *fileSystem) makeProc(root *inode) {
	proc := fs.mustMkdir(root, "proc", 0555)
	proc.readOnly = true
	self := fs.mustMkdir(proc, strconv.Itoa(pid), 0555)
	self.readOnly = true
	for _, f := range []struct {
		dir  *inode
		name string
		gen  func() []byte
	}{
		{proc, "stat", procStat},
		{proc, "uptime", procUptime},
		{proc, "meminfo", procMeminfo},
		{proc, "cpuinfo", procCPUInfo},
		{self, "stat", procSelfStat},
		{self, "status", procSelfStatus},
		{self, "statm", procSelfStatm},
		{self, "cmdline", procSelfCmdline},
		{self, "mounts", procMounts},
	} {
		ip := fs.newInode(S_IFREG | 0444)
		ip.readOnly = true
		ip.gen = f.gen
		fs.link(f.dir, f.name, ip)
	}
	for name, target := range map[string]string{"self": strconv.Itoa(pid), "mounts": "self/mounts"} {
		ip := fs.newInode(S_IFLNK | 0777)
		ip.target = target
		ip.size = int64(len(target))
		fs.link(proc, name, ip)
	}
}

func ticks(ns int64) string { return strconv.FormatInt(ns/(1e9/userHZ), 10) }

// seconds formats ns as seconds with two decimals, as /proc/uptime.
func seconds(ns int64) string {
	cs := ns / 1e7
	frac := strconv.FormatInt(cs%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	return strconv.FormatInt(cs/100, 10) + "." + frac
}

func procStat() []byte {
	line := func(name string, busy, idle int64) string {
		return name + " " + ticks(busy) + " 0 0 " + ticks(idle) + " 0 0 0 0 0 0\n"
	}
	busy, idle := totalCPUTime()
	s := line("cpu ", busy, idle)
	for c := range runtime.NumCPU() {
		busy, idle := cpuTime(c)
		s += line("cpu"+strconv.Itoa(c), busy, idle)
	}
	sec, _, mono := now()
	return []byte(s + "btime " + strconv.FormatInt(sec-mono/1e9, 10) + "\n" +
		"processes 1\nprocs_running 1\nprocs_blocked 0\n")
}

func procUptime() []byte {
	_, idle := totalCPUTime()
	_, _, mono := now()
	return []byte(seconds(mono) + " " + seconds(idle) + "\n")
}

func procMeminfo() []byte {
	total, free := memInfo()
	kb := func(name string, n uint64) string {
		return name + ":" + "\t" + strconv.FormatUint(n/1024, 10) + " kB\n"
	}
	return []byte(kb("MemTotal", total) + kb("MemFree", free) + kb("MemAvailable", free) +
		kb("Buffers", 0) + kb("Cached", 0) + kb("SwapCached", 0) + kb("Active", total-free) +
		kb("Inactive", 0) + kb("SwapTotal", 0) + kb("SwapFree", 0) + kb("Dirty", 0) +
		kb("Shmem", 0) + kb("Slab", 0) + kb("SReclaimable", 0))
}

// procCPUInfo describes each CPU, all alike, as the cores of one
// package.
func procCPUInfo() []byte {
	vendor, model, family, modelID, stepping, mhz := cpuInfo()
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	n := runtime.NumCPU()
	var s string
	for c := range n {
		s += "processor\t: " + strconv.Itoa(c) + "\n" +
			"vendor_id\t: " + vendor + "\n" +
			"cpu family\t: " + u(uint64(family)) + "\n" +
			"model\t\t: " + u(uint64(modelID)) + "\n" +
			"model name\t: " + model + "\n" +
			"stepping\t: " + u(uint64(stepping)) + "\n" +
			"cpu MHz\t\t: " + u(mhz) + ".000\n" +
			"physical id\t: 0\nsiblings\t: " + strconv.Itoa(n) + "\n" +
			"core id\t\t: " + strconv.Itoa(c) + "\ncpu cores\t: " + strconv.Itoa(n) + "\n\n"
	}
	return []byte(s)
}

// progName is the program's name as the kernel keeps it: the base of
// its first argument, at most 15 bytes.
func progName() string {
	name := "main"
	if args := runtimeArgs(); len(args) > 0 {
		name = args[0]
	}
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			name = name[i+1:]
			break
		}
	}
	if len(name) > 15 {
		name = name[:15]
	}
	return name
}

func procSelfStat() []byte {
	busy, _ := totalCPUTime()
	total, free := memInfo()
	rss := (total - free) / pageSize
	// Fields 1-24 of proc_pid_stat(5): pid, comm, state, ppid, pgrp,
	// session, tty, tpgid, flags, faults (4), utime, stime, cutime,
	// cstime, priority, nice, threads, itrealvalue, starttime, vsize,
	// rss; the rest are 0.
	s := strconv.Itoa(pid) + " (" + progName() + ") R 0 1 1 0 -1 0 0 0 0 0 " +
		ticks(busy) + " 0 0 0 20 0 1 0 0 " + strconv.FormatUint(total-free, 10) + " " + strconv.FormatUint(rss, 10)
	for i := 25; i <= 52; i++ {
		s += " 0"
	}
	return []byte(s + "\n")
}

func procSelfStatus() []byte {
	total, free := memInfo()
	id := func(a, b int) string {
		return strconv.Itoa(a) + "\t" + strconv.Itoa(b) + "\t" + strconv.Itoa(b) + "\t" + strconv.Itoa(b) + "\n"
	}
	kb := strconv.FormatUint((total-free)/1024, 10) + " kB\n"
	return []byte("Name:\t" + progName() + "\n" +
		"State:\tR (running)\n" +
		"Tgid:\t1\nPid:\t1\nPPid:\t0\n" +
		"Uid:\t" + id(Getuid(), Geteuid()) +
		"Gid:\t" + id(Getgid(), Getegid()) +
		"VmSize:\t" + kb + "VmRSS:\t" + kb +
		"Threads:\t1\n")
}

func procSelfStatm() []byte {
	total, free := memInfo()
	pages := strconv.FormatUint((total-free)/pageSize, 10)
	return []byte(pages + " " + pages + " 0 0 0 " + pages + " 0\n")
}

func procSelfCmdline() []byte {
	var b []byte
	for _, a := range runtimeArgs() {
		b = append(append(b, a...), 0)
	}
	return b
}

func procMounts() []byte {
	return []byte("rootfs / tmpfs rw 0 0\n")
}
