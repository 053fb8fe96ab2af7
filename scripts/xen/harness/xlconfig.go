// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"fmt"
	"strings"
)

// XLConfig is an xl domain configuration (xl.cfg(5)) for a Mirago
// image: a PVH guest that boots the image's ELF entry note.
type XLConfig struct {
	Name    string
	Kernel  string // the image
	Ramdisk string // a PVH boot module, such as the exec wrapper's archive; optional
	Extra   string // the kernel command line
	Memory  int    // MiB
	VCPUs   int
	Bridge  string // a vif on this bridge; "" for none
	MAC     string // the vif's MAC; "" lets xl choose
	Disk    string // a raw disk image or block device for the guest's xvda; "" for none

	// DiskScript and VifScript are xl's hotplug scripts for the disk
	// and the vif; "" for xl's defaults (block, vif-bridge).
	DiskScript string
	VifScript  string

	// CPUID is xl's cpuid setting, e.g. "host,avx=0"; "" for none.
	// amd64 only.
	CPUID string

	// Arm makes the configuration one for Xen on Arm, where every
	// guest is an Arm domain booted from an arm64 Image: no type and
	// no TSC, and an emulated SBSA UART (vuart), which the runtime
	// writes to until it finds the console ring.
	Arm bool
}

// String returns the configuration file.
func (c XLConfig) String() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# A Mirago image as a Xen PVH guest (xl.cfg(5)).")
	p("name = %s", xlString(c.Name))
	if !c.Arm {
		p(`type = "pvh"`)
	}
	p("kernel = %s", xlString(c.Kernel))
	if c.Ramdisk != "" {
		p("ramdisk = %s", xlString(c.Ramdisk))
	}
	p("extra = %s", xlString(c.Extra))
	p("memory = %d", c.Memory)
	p("vcpus = %d", max(c.VCPUs, 1))
	if c.Arm {
		p(`vuart = "sbsa_uart"`)
	} else {
		p("# The TSC as the CPU has it: the runtime reads it for time, and")
		p("# emulated RDTSCP fails under nested QEMU TCG.")
		p(`tsc_mode = "native"`)
	}
	if c.CPUID != "" {
		p("cpuid = %s", xlString(c.CPUID))
	}
	if c.Bridge != "" {
		spec := "bridge=" + c.Bridge
		if c.MAC != "" {
			spec = "mac=" + c.MAC + "," + spec
		}
		if c.VifScript != "" {
			spec += ",script=" + c.VifScript
		}
		p("vif = [ %s ]", xlString(spec))
	}
	if c.Disk != "" {
		spec := "format=raw,vdev=xvda,access=rw,"
		if c.DiskScript != "" {
			spec += "script=" + c.DiskScript + ","
		}
		p("disk = [ %s ]", xlString(spec+"target="+c.Disk))
	}
	p("# The program's exit ends the domain; nothing restarts it.")
	p(`on_poweroff = "destroy"`)
	p(`on_reboot = "destroy"`)
	p(`on_crash = "destroy"`)
	return b.String()
}

// xlString quotes s for xl's configuration parser (libxlu), which takes
// C-style backslash escapes inside double quotes.
func xlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
