// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux && amd64

// Linuxinit is /init of the benchmark's Linux VM: the smallest user
// space that runs the benchmark's HTTP server on Debian's kernel. It
// loads the virtio modules that mklinux put under /modules, configures
// the network as QEMU's user-mode networking expects (10.0.2.15/24,
// gateway 10.0.2.2), and runs httpd.Serve(":80") as PID 1.
//
// Built static (CGO_ENABLED=0 GOOS=linux). It uses package syscall only:
// there is no ip(8) or modprobe(8) in the guest, and no module outside
// the standard library to pull in.
//
// Each newline arriving on the console makes it print one line
//
//	meminfo: total=KiB available=KiB used=KiB
//
// (used = MemTotal - MemAvailable from /proc/meminfo), so the benchmark
// can read the guest's memory use after the load without a second
// network service.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"mirago.dev/mirago/scripts/bench/httpd"
)

func main() {
	if err := setup(); err != nil {
		fail(err)
	}
	go meminfoOnInput()
	fail(httpd.Serve(":80"))
}

// fail reports err and powers the VM off: PID 1 must not return (the
// kernel would panic), and a stopped QEMU tells the benchmark at once
// that the guest failed instead of leaving it to time out.
func fail(err error) {
	fmt.Printf("init: %v\n", err)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	select {}
}

func setup() error {
	if err := syscall.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		return fmt.Errorf("mount /proc: %v", err)
	}
	fmt.Printf("init: started at %s\n", uptime())
	mods, err := filepath.Glob("/modules/*.ko")
	if err != nil {
		return err
	}
	// mklinux numbers the files in dependency order.
	sort.Strings(mods)
	var loaded []string
	for _, m := range mods {
		if err := loadModule(m); err != nil {
			return err
		}
		loaded = append(loaded, strings.TrimSuffix(filepath.Base(m), ".ko"))
	}
	fmt.Printf("init: loaded %s at %s\n", strings.Join(loaded, " "), uptime())

	nl, err := openNetlink()
	if err != nil {
		return err
	}
	defer syscall.Close(nl.fd)
	lo, err := waitLink("lo", time.Second)
	if err != nil {
		return err
	}
	// virtio_net probes its device while its module initializes, so
	// eth0 is normally there already; the wait covers a slow probe.
	eth, err := waitLink("eth0", 5*time.Second)
	if err != nil {
		return err
	}
	// The addresses QEMU's user-mode networking (slirp) gives a guest
	// by DHCP; setting them statically saves a DHCP client.
	steps := []struct {
		what string
		do   func() error
	}{
		{"lo up", func() error { return nl.linkUp(lo) }},
		{"eth0 up", func() error { return nl.linkUp(eth) }},
		{"10.0.2.15/24 on eth0", func() error { return nl.addAddr(eth, [4]byte{10, 0, 2, 15}, 24) }},
		{"default route via 10.0.2.2", func() error { return nl.addDefaultRoute(eth, [4]byte{10, 0, 2, 2}) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %v", s.what, err)
		}
	}
	fmt.Printf("init: network configured at %s\n", uptime())
	return nil
}

// sysFinitModule is finit_module's number on amd64; package syscall's
// table predates the call.
const sysFinitModule = 313

// loadModule loads one module. finit_module takes the file itself, so
// the module never passes through our memory. EEXIST means the kernel
// already has it (built in or loaded).
func loadModule(path string) error {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	params := []byte{0}
	_, _, e := syscall.Syscall(sysFinitModule, uintptr(fd), uintptr(unsafe.Pointer(&params[0])), 0)
	if e != 0 && e != syscall.EEXIST {
		return fmt.Errorf("finit_module %s: %v", path, e)
	}
	return nil
}

// uptime returns the time since the kernel started, from /proc/uptime.
func uptime() string {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "?"
	}
	return f[0] + "s"
}

func meminfoOnInput() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(meminfo())
	}
}

func meminfo() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "meminfo: " + err.Error()
	}
	kb := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			kb[k] = n
		}
	}
	return fmt.Sprintf("meminfo: total=%d available=%d used=%d",
		kb["MemTotal"], kb["MemAvailable"], kb["MemTotal"]-kb["MemAvailable"])
}
