// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
)

// GOOS=xen GOARCH=arm64: the image is an arm64 Linux "Image", which
// QEMU's virt machine boots with -kernel:
//
//	qemu-system-aarch64 -M virt -accel tcg -cpu max -m MEM ... \
//	    -semihosting-config enable=on,target=native -kernel IMAGE -append CMDLINE
//
// The command line is that of xen/amd64 (cmdline.go); QEMU puts it in
// the device tree's /chosen/bootargs, where the runtime finds it. The
// console is the PL011 UART on -serial stdio. The runtime exits through
// Arm semihosting, which makes QEMU exit with the program's status, all
// 8 bits of it. Semihosting exists only under TCG, so MIRAGO_ACCEL may
// be tcg or auto, never kvm.
//
// The working directory is mounted as on amd64 (-initrd, which QEMU
// names in the device tree's /chosen node), and MIRAGO_NET adds a
// virtio-net device. The guest finds its devices on the virt machine's
// virtio-mmio transports, which the device tree lists; as on microvm,
// they must be virtio 1.0 (force-legacy=false). The runtime takes no
// NMI, so MIRAGO_TIMEOUT and SIGQUIT kill QEMU without a goroutine
// dump. A guest that powers off through PSCI rather than semihosting
// also makes QEMU exit with 0, and looks like a program that exited
// with 0.

const (
	arm64QEMU    = "qemu-system-aarch64"
	arm64QEMUPkg = "qemu-system-arm"
)

// arm64ImageMagic is the "ARM\x64" at offset 0x38 of an arm64 Linux
// Image's 64-byte header (Documentation/arch/arm64/booting.rst), by
// which QEMU and boot loaders know the format.
const (
	arm64HeaderSize  = 64
	arm64MagicOffset = 0x38
	arm64ImageMagic  = "ARM\x64"
)

// isArm64Image reports whether head, the start of a file, is the
// header of an arm64 Linux Image.
func isArm64Image(head []byte) bool {
	return len(head) >= arm64HeaderSize && string(head[arm64MagicOffset:arm64MagicOffset+len(arm64ImageMagic)]) == arm64ImageMagic
}

// readHead returns the first n bytes of the file at path, or fewer if
// it is shorter.
func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	m, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return head[:m], nil
}

// checkArm64Image reports whether the file at image is an arm64 Image,
// and if it is not, what it seems to be instead: QEMU would load other
// files as raw code and the guest would crash without a word. A
// GOOS=xen GOARCH=amd64 image is told by checkImage, which deploy
// applies to the images it is given.
func checkArm64Image(image string) error {
	head, err := readHead(image, arm64HeaderSize)
	if err != nil {
		return fmt.Errorf("cannot read image: %v", err)
	}
	if isArm64Image(head) {
		return nil
	}
	if !bytes.HasPrefix(head, []byte(elf.ELFMAG)) {
		return fmt.Errorf(`%s: not an arm64 Image (no "ARM\x64" magic at offset %#x); build it with GOOS=xen GOARCH=arm64`, image, arm64MagicOffset)
	}
	if checkImage(image) == nil {
		return fmt.Errorf("%s: a GOOS=xen GOARCH=amd64 image, not an arm64 Image; run it with go_xen_amd64_exec", image)
	}
	machine := "an unknown machine"
	if f, err := elf.Open(image); err == nil {
		machine = f.Machine.String()
		f.Close()
	}
	return fmt.Errorf("%s: an ELF for %s, not an arm64 Image; build it with GOOS=xen GOARCH=arm64", image, machine)
}

// checkNotArm64Image is the converse for the xen/amd64 runners, which
// otherwise leave the checking to QEMU or Xen: an arm64 Image is
// named as such. Anything else passes, and an unreadable file is left
// to the caller's own message.
func checkNotArm64Image(image string) error {
	head, err := readHead(image, arm64HeaderSize)
	if err != nil || !isArm64Image(head) {
		return nil
	}
	return fmt.Errorf("%s: an arm64 Image, not an x86-64 ELF; run GOOS=xen GOARCH=arm64 images with go_xen_arm64_exec", image)
}

// readArm64Config reads the common settings for a xen/arm64 guest.
func readArm64Config(lookup func(string) (string, bool)) (config, error) {
	switch v, _ := lookup("MIRAGO_ACCEL"); v {
	case "", "auto", "tcg":
	case "kvm":
		return config{}, errors.New("MIRAGO_ACCEL=kvm: xen/arm64 images run under TCG only; they exit through Arm semihosting, which QEMU provides only there")
	default:
		return config{}, fmt.Errorf("MIRAGO_ACCEL=%q: want tcg or auto (xen/arm64 runs under TCG only)", v)
	}
	// readConfig's auto would pick KVM by the host's x86 flags, which
	// say nothing about an arm64 guest.
	return readConfig(func(k string) (string, bool) {
		if k == "MIRAGO_ACCEL" {
			return "tcg", true
		}
		return lookup(k)
	})
}

// qemuArm64Args returns the arguments for qemu-system-aarch64 to boot
// image with cmdline on smp CPUs.
func qemuArm64Args(image, cmdline, mem string, smp int, extra []string) []string {
	args := []string{
		// virt passes the command line in the device tree, where
		// the runtime reads it, and has a PL011 UART for the
		// console.
		"-M", "virt",
	}
	if smp > 1 {
		// A host thread per CPU, as for amd64.
		args = append(args, "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", strconv.Itoa(smp))
	} else {
		args = append(args, "-accel", "tcg", "-cpu", "max")
	}
	args = append(args,
		"-m", mem,
		"-nodefaults", "-no-user-config", "-nographic",
		// As for amd64: a reset ends QEMU instead of booting the
		// guest again.
		"-no-reboot",
		"-kernel", image,
		"-append", cmdline,
		"-chardev", "stdio,id=mirago-con,mux=on",
		"-serial", "chardev:mirago-con",
		// The guest's exit status: SYS_EXIT makes QEMU exit with
		// it. target=native keeps the calls away from a gdbstub.
		"-semihosting-config", "enable=on,target=native",
		// The drivers speak virtio 1.0 only.
		"-global", "virtio-mmio.force-legacy=false",
	)
	args = append(args, extra...)
	// As for amd64: the PL011 while the runtime boots, then a virtio
	// console, after the user's devices.
	return append(args,
		"-device", "virtio-serial-device",
		"-device", "virtconsole,chardev=mirago-con")
}

// guestStatusArm64 maps QEMU's exit status to the program's: they are
// the same, since semihosting's exit makes QEMU exit with the program's
// status, except that QEMU itself exits with 1 when it fails and with 0
// when a signal stops it, saying so on its standard error.
func guestStatusArm64(qemuStatus int, qemuStderr []byte) (status int, msg string) {
	if qemuStatus <= 1 && qemuFailed(qemuStderr, arm64QEMU) {
		if qemuStatus == 0 {
			return exitFailed, "QEMU stopped before the guest reported an exit status"
		}
		return exitFailed, "QEMU failed with exit status 1"
	}
	return qemuStatus, ""
}

func (w *wrapper) runQEMUArm64(image string, args []string) int {
	qemuPath, err := exec.LookPath(arm64QEMU)
	if err != nil {
		w.errorf("%s not found in $PATH (on Debian: apt-get install %s)", arm64QEMU, arm64QEMUPkg)
		return exitNoQEMU
	}
	if err := checkArm64Image(image); err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	env, err := guestEnv(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	initrd, env, cleanup := w.mountCwd(env)
	defer cleanup()
	// No tsc_khz: the guest reads the generic timer's frequency from
	// CNTFRQ_EL0.
	cmdline, err := encodeCmdline(env, args)
	if err != nil {
		w.errorf("cannot pass to the guest: %v", err)
		return exitFailed
	}
	cfg, err := readArm64Config(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	// No monitor: the guest takes no NMI.
	return w.superviseQEMU(image, qemuPath, qemuArm64Args(image, cmdline, cfg.mem, cfg.smp, append(initrd, cfg.extra...)), "", cfg, guestStatusArm64)
}
