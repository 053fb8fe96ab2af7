// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"debug/elf"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mirago.dev/sys/solo5"
)

// GOOS=solo5 GOARCH=amd64: the image runs under the Solo5 spt tender,
// solo5-spt, a Linux process that loads the image and confines it with
// seccomp:
//
//	solo5-spt --mem=MB IMAGE CMDLINE
//
// The tender joins the words after the image into the guest's command
// line, which the runtime splits as on GOOS=xen (cmdline.go); the
// wrapper passes it as one word. The guest writes its console to the
// tender's standard output and exits with exit_group, so the tender's
// exit status is the program's.
//
// The tender is $SOLO5_SPT, else solo5-spt on $PATH, else the one
// scripts/solo5-tenders.sh built into the cache
// ($MIRAGO_CACHE/solo5-tenders-*/bin). An image built for the hvt
// tender (-ldflags=-solo5=hvt, recorded in its ABI note) runs the same
// way under solo5-hvt ($SOLO5_HVT, ...), which needs /dev/kvm: without
// it the wrapper says so and exits 125. The working directory is not
// passed to the guest (spt has no file system from the host yet).
//
// Networks: the image's manifest asks for a NET_BASIC device named
// service0 when the program links package net, and solo5-spt refuses
// to start an image whose devices are not all attached. The wrapper
// attaches one to a tap device:
//
//	solo5-spt --net:service0=TAP [--net-mac:service0=MAC] ...
//
// TAP is $MIRAGO_TAP, an existing tap device (with the host's address
// on it, in the network namespace the wrapper runs in). Without it, a
// wrapper run as root makes a tap of its own for the run and deletes it
// afterwards; connected to nothing, it serves programs that use only
// the loopback interface, so the guest is given MIRAGO_IP=off unless
// MIRAGO_IP is set (DHCP would wait for a server that is not there).
// Otherwise the wrapper says that the image needs a tap and exits 125.
// MIRAGO_MAC sets the guest's MAC address; by default the tender
// makes one up. MIRAGO_NET is QEMU's and is refused here, as is a
// MIRAGO_SMP other than 1: Solo5 guests have one CPU.
//
// Block devices: the manifest asks for a BLOCK_BASIC device named
// storage when the program names /dev/vda. The wrapper attaches the
// file $MIRAGO_SOLO5_DISK to it (solo5-spt --block:storage=FILE), which
// must be a non-empty regular file of whole 512-byte blocks; without
// it, the wrapper says so and exits 125. A test binary's manifest also
// asks for a BLOCK_BASIC device named initrd, which the guest reads at
// boot as a newc cpio archive: the wrapper attaches the archive of the
// working directory that it gives a xen guest with -initrd (archive.go;
// an empty one with MIRAGO_NOMOUNT=1), so that go test's tests read
// their testdata.
//
// Exit statuses are those of the xen runner, except that all 8 bits of
// the program's status arrive (os.Exit(200) gives 200), and a guest killed
// by a signal gives 128 plus the signal, as a shell reports it: a wild
// pointer is SIGSEGV (139) under spt (a nil one is a Go panic, the
// compiler checks for it), and a system call
// that the tender's filter does not allow is SIGSYS (159).

// defaultSPTMem is the guest memory in MB without $MIRAGO_MEM: 1 GB, as
// for a xen guest (defaultMem), since some of std's tests (encoding/gob's
// TestLargeSlice) need more than the tender's own default of 512. The
// tender maps it, and the host gives pages on first touch: it costs
// nothing at start.
const defaultSPTMem = 1024

// findTender returns the path of tender (solo5-spt or solo5-hvt):
// $env, else tender on $PATH, else the one scripts/solo5-tenders.sh
// built into the cache, or an error that says where the wrapper looked.
func findTender(lookup func(string) (string, bool), tender, env string) (string, error) {
	if p, _ := lookup(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %v", env, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath(tender); err == nil {
		return p, nil
	}
	cache, _ := lookup("MIRAGO_CACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "mirago")
		}
	}
	if cache != "" {
		m, _ := filepath.Glob(filepath.Join(cache, "solo5-tenders-*", "bin", tender))
		sort.Strings(m)
		for i := len(m) - 1; i >= 0; i-- {
			if fi, err := os.Stat(m[i]); err == nil && fi.Mode()&0111 != 0 {
				return m[i], nil
			}
		}
	}
	return "", fmt.Errorf("%s not found: set $%s, put it on $PATH, or build it with scripts/solo5-tenders.sh", tender, env)
}

// imageTarget returns the tender the image's ABI note names.
func imageTarget(image string) (solo5.Target, error) {
	f, err := elf.Open(image)
	if err != nil {
		return 0, fmt.Errorf("cannot read image: %v", err)
	}
	defer f.Close()
	sec := f.Section(".note.solo5.abi")
	if sec == nil {
		return 0, fmt.Errorf("%s: no Solo5 ABI note: not a GOOS=solo5 image", image)
	}
	b, err := sec.Data()
	if err != nil || len(b) < solo5.ABINoteDescOff {
		return 0, fmt.Errorf("%s: bad ABI note", image)
	}
	a, err := solo5.DecodeABIInfo(b[solo5.ABINoteDescOff:])
	if err != nil {
		return 0, fmt.Errorf("%s: bad ABI note: %v", image, err)
	}
	return a.Target, nil
}

// sptMem returns the guest memory in MB: $MIRAGO_MEM, a number of
// megabytes with an optional M or G suffix as QEMU's -m takes it.
func sptMem(lookup func(string) (string, bool)) (int, error) {
	v, _ := lookup("MIRAGO_MEM")
	if v == "" {
		return defaultSPTMem, nil
	}
	mul := 1
	s := strings.ToUpper(v)
	switch {
	case strings.HasSuffix(s, "G"):
		mul, s = 1024, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		s = s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("MIRAGO_MEM=%q is not a size like 512M or 1G", v)
	}
	return n * mul, nil
}

func (w *wrapper) runSPT(image string, args []string) int {
	if _, err := os.Stat(image); err != nil {
		w.errorf("cannot read image: %v", err)
		return exitFailed
	}
	// An image whose note cannot be read goes to solo5-spt, which
	// says what is wrong with it.
	tender, tenderEnv := "solo5-spt", "SOLO5_SPT"
	if target, err := imageTarget(image); err == nil && target == solo5.TargetHVT {
		// The same options and command line; the tender runs the
		// image in a KVM virtual machine.
		tender, tenderEnv = "solo5-hvt", "SOLO5_HVT"
		kvm, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
		if err != nil {
			w.errorf("%s is built for solo5-hvt (-ldflags=-solo5=hvt), which needs KVM, and /dev/kvm cannot be opened here (%v); build it without -solo5=hvt to run it under solo5-spt", image, err)
			return exitFailed
		}
		kvm.Close()
	}
	spt, err := findTender(w.lookup, tender, tenderEnv)
	if err != nil {
		w.errorf("%v", err)
		return exitNoQEMU
	}
	env, err := guestEnv(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	if v, _ := w.lookup("MIRAGO_NET"); v != "" {
		w.errorf("MIRAGO_NET is for QEMU; under solo5-spt set MIRAGO_TAP to a tap device")
		return exitFailed
	}
	// Solo5's ABI has one CPU; asking for more is a mistake to name,
	// not to pass over.
	if v, _ := w.lookup("MIRAGO_SMP"); v != "" && v != "1" {
		w.errorf("MIRAGO_SMP=%s: Solo5 tenders run a guest on one CPU", v)
		return exitFailed
	}
	nets, blocks, err := sptDevices(image)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	var devArgs []string
	if len(nets) > 0 {
		tap, _ := w.lookup("MIRAGO_TAP")
		if tap == "" {
			if os.Geteuid() != 0 {
				w.errorf("the image wants a network device (%s, it links package net): set MIRAGO_TAP to a tap device, or run as root to have the wrapper make one", strings.Join(nets, ", "))
				return exitFailed
			}
			tap, err = makeTap()
			if err != nil {
				w.errorf("the image wants a network device (%s) and no MIRAGO_TAP is set: %v", strings.Join(nets, ", "), err)
				return exitFailed
			}
			defer deleteTap(tap)
			if _, ok := w.lookup("MIRAGO_IP"); !ok {
				env = append(env, "MIRAGO_IP=off")
			}
		}
		if len(nets) > 1 {
			w.errorf("the image wants %d network devices (%s); the wrapper attaches only one", len(nets), strings.Join(nets, ", "))
			return exitFailed
		}
		devArgs = append(devArgs, "--net:"+nets[0]+"="+tap)
		if mac, _ := w.lookup("MIRAGO_MAC"); mac != "" {
			if _, err := net.ParseMAC(mac); err != nil {
				w.errorf("MIRAGO_MAC=%q: %v", mac, err)
				return exitFailed
			}
			devArgs = append(devArgs, "--net-mac:"+nets[0]+"="+mac)
		}
	}
	if i := slices.Index(blocks, sptInitrdName); i >= 0 {
		blocks = slices.Delete(blocks, i, i+1)
		var file, dir, warning string
		if v, _ := w.lookup("MIRAGO_NOMOUNT"); v != "1" {
			file, dir, warning = cwdArchive()
			if warning != "" {
				w.errorf("%s", warning)
			}
		}
		if file == "" {
			// The tender starts the image only with every device
			// it declares attached.
			if file, err = emptyArchive(); err != nil {
				w.errorf("cannot make the initrd device's archive: %v", err)
				return exitFailed
			}
		} else {
			env = append(env, "PWD="+dir)
		}
		defer os.Remove(file)
		if err := padToBlock(file, sptInitrdBlock); err != nil {
			w.errorf("cannot make the initrd device's archive: %v", err)
			return exitFailed
		}
		devArgs = append(devArgs, "--block:"+sptInitrdName+"="+file,
			"--block-sector-size:"+sptInitrdName+"="+strconv.Itoa(sptInitrdBlock))
	}
	if len(blocks) > 0 {
		a, err := sptBlockArgs(w.lookup, blocks)
		if err != nil {
			w.errorf("%v", err)
			return exitFailed
		}
		devArgs = append(devArgs, a...)
	}
	cmdline, err := encodeCmdline(env, args)
	if err != nil {
		w.errorf("cannot pass to the guest: %v", err)
		return exitFailed
	}
	mem, err := sptMem(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	timeout, err := readTimeout(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}

	cmd := exec.Command(spt, append(append([]string{"--mem=" + strconv.Itoa(mem)}, devArgs...), image, cmdline)...)
	cmd.Stdin = nil
	cmd.Stdout = w.stdout
	cmd.Stderr = w.stderr
	setKillOnParentDeath(cmd)
	if err := cmd.Start(); err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigc)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	timedOut := false
	var waitErr error
wait:
	for {
		select {
		case waitErr = <-done:
			break wait
		case <-expired:
			// spt has no way to ask the guest for its goroutines.
			timedOut = true
			cmd.Process.Kill()
		case s := <-sigc:
			cmd.Process.Signal(s)
		}
	}
	if timedOut {
		w.errorf("timed out after %v (MIRAGO_TIMEOUT)", timeout)
		return exitTimeout
	}
	if waitErr == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		w.errorf("%v", waitErr)
		return exitFailed
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		why := ""
		switch sig {
		case syscall.SIGSEGV:
			why = " (a memory fault, such as a store through a wild pointer: spt lets the guest catch no fault)"
		case syscall.SIGSYS:
			why = " (a system call that the tender's seccomp filter does not allow)"
		}
		w.errorf("the guest was killed by %v%s", sig, why)
		return 128 + int(sig)
	}
	return ee.ExitCode()
}

// sptDevices returns the names of the NET_BASIC and BLOCK_BASIC
// devices in the image's manifest note.
func sptDevices(image string) (nets, blocks []string, err error) {
	f, err := elf.Open(image)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read image: %v", err)
	}
	defer f.Close()
	sec := f.Section(".note.solo5.manifest")
	if sec == nil {
		return nil, nil, nil
	}
	b, err := sec.Data()
	// The note: its header with the name, then the descriptor, which
	// starts with padding that aligns struct mft to 8 bytes.
	if err != nil || len(b) < solo5.ManifestNoteDescOff {
		return nil, nil, fmt.Errorf("%s: bad manifest note", image)
	}
	end := solo5.NoteHeaderSize + int(f.ByteOrder.Uint32(b[4:])) // n_descsz
	if end < solo5.ManifestNoteDescOff || len(b) < end {
		return nil, nil, fmt.Errorf("%s: bad manifest note", image)
	}
	m, err := solo5.DecodeManifest(b[solo5.ManifestNoteDescOff:end])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: manifest: %v", image, err)
	}
	for _, e := range m.Entries {
		switch e.Type {
		case solo5.DevNetBasic:
			nets = append(nets, e.Name)
		case solo5.DevBlockBasic:
			blocks = append(blocks, e.Name)
		}
	}
	return nets, blocks, nil
}

// sptInitrdName is the block device that the linker declares for a
// test binary, and that the guest reads its boot archive from.
const sptInitrdName = "initrd"

// sptInitrdBlock is the initrd device's block size, the largest the
// tender takes: the filter allows one block per pread64, so the guest
// reads a 4 MB archive in 128 calls rather than 8192.
const sptInitrdBlock = 32768

// emptyArchive writes an archive with no entries to a temporary file
// and returns its name.
func emptyArchive() (string, error) {
	f, err := os.CreateTemp("", "mirago-empty-*.cpio")
	if err != nil {
		return "", err
	}
	err = writeTreeArchive(f, nil, maxArchiveBytes, maxArchiveEntries)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// padToBlock extends file with zeros to a whole number of blocks of
// size bs: the tender takes nothing else. The guest's reader ignores
// what follows the archive's trailer.
func padToBlock(file string, bs int64) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	n := fi.Size()
	if n == 0 || n%bs != 0 {
		n += bs - n%bs
	}
	return os.Truncate(file, n)
}

// sptBlockArgs returns the tender's options that attach the file
// $MIRAGO_SOLO5_DISK to the image's block device. solo5-spt opens it
// for reading and writing and wants a non-empty file of whole 512-byte
// blocks; the wrapper checks that first, to say so plainly.
func sptBlockArgs(lookup func(string) (string, bool), blocks []string) ([]string, error) {
	if len(blocks) > 1 {
		return nil, fmt.Errorf("the image wants %d block devices (%s); the wrapper attaches only one", len(blocks), strings.Join(blocks, ", "))
	}
	disk, _ := lookup("MIRAGO_SOLO5_DISK")
	if disk == "" {
		return nil, fmt.Errorf("the image wants a block device (%s, it names /dev/vda): set MIRAGO_SOLO5_DISK to a file of whole 512-byte blocks", blocks[0])
	}
	fi, err := os.Stat(disk)
	if err != nil {
		return nil, fmt.Errorf("MIRAGO_SOLO5_DISK: %v", err)
	}
	if !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size()%512 != 0 {
		return nil, fmt.Errorf("MIRAGO_SOLO5_DISK=%s: want a non-empty regular file of whole 512-byte blocks (it has %d bytes)", disk, fi.Size())
	}
	return []string{"--block:" + blocks[0] + "=" + disk}, nil
}

// makeTap makes a tap device for one run, up and without addresses,
// with ip(8) (iproute2).
func makeTap() (string, error) {
	name := fmt.Sprintf("mirago%d", os.Getpid())
	for _, args := range [][]string{
		{"tuntap", "add", "dev", name, "mode", "tap"},
		{"link", "set", name, "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			deleteTap(name)
			return "", fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
	}
	return name, nil
}

func deleteTap(name string) {
	exec.Command("ip", "tuntap", "del", "dev", name, "mode", "tap").Run()
}
