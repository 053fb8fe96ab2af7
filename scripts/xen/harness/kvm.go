// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// KVMResult is what RunKVMHost saw.
type KVMResult struct {
	// Console is the serial console: the kernel's messages and what
	// the script and its programs printed.
	Console string
	// Status is the script's exit status, or -1 if the host did not
	// report one (it crashed or timed out).
	Status int
}

var kvmStatus = regexp.MustCompile(`(?m)^mirago-kvm: exit status (\d+)\r?$`)

// RunKVMHost boots a KVM host: dom0's Debian kernel as an ordinary
// guest of QEMU (TCG) whose CPU can run virtual machines, so that the
// kernel offers /dev/kvm to programs such as Solo5's solo5-hvt tender,
// nested in it. On amd64 it is a PC whose emulated AMD CPU has SVM,
// and the kernel loads kvm-amd; on arm64 it is the virt machine,
// entered at EL2 (virtualization=on), where the kernel's own KVM
// starts. The host runs script with sh from the kit's busybox, with
// files added to its root (a guest path, such as "/bin/solo5-hvt", to
// a host file, which keeps its mode), and powers off when the script
// ends. The ramdisk is written into dir. It returns when QEMU exits,
// or with an error when ctx ends first.
func (a *Artifacts) RunKVMHost(ctx context.Context, dir, script string, files map[string]string) (*KVMResult, error) {
	ar, err := archOf(a.Arch)
	if err != nil {
		return nil, err
	}
	qemu, err := ar.lookQEMU()
	if err != nil {
		return nil, err
	}
	ramdisk := filepath.Join(dir, "kvm-host.cpio")
	if err := writeJobRamdisk(ramdisk, a.KVM, script, files); err != nil {
		return nil, err
	}
	var args []string
	console := "ttyS0"
	switch ar.name {
	case "amd64":
		args = []string{
			"-M", "pc", "-accel", "tcg",
			// AVX hidden, as for the Xen harness: QEMU 7.2's
			// emulated SVM now and then faults a nested
			// guest's AVX2 code.
			"-cpu", "max,-avx,-avx2",
		}
	case "arm64":
		args = []string{"-M", "virt,virtualization=on,gic-version=3", "-accel", "tcg", "-cpu", "max"}
		console = "ttyAMA0"
	}
	args = append(args,
		"-smp", "1", "-m", "1024",
		"-display", "none", "-monitor", "none", "-nodefaults", "-no-user-config", "-no-reboot",
		"-serial", "stdio",
		"-kernel", a.Kernel, "-initrd", ramdisk,
		"-append", "console="+console+" rdinit=/init panic=-1 quiet loglevel=2",
	)
	cmd := exec.CommandContext(ctx, qemu, args...)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	setPdeathsig(cmd)
	err = cmd.Run()
	r := &KVMResult{Console: out.String(), Status: -1}
	if m := kvmStatus.FindStringSubmatch(r.Console); m != nil {
		r.Status, _ = strconv.Atoi(m[1])
	}
	if ctx.Err() != nil {
		return r, fmt.Errorf("KVM host: %v", ctx.Err())
	}
	if err != nil {
		return r, fmt.Errorf("KVM host: qemu: %v", err)
	}
	return r, nil
}
