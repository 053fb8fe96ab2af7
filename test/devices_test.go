// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Devices (issue 6): virtio-mmio on QEMU microvm, found by probing,
// with interrupts through the I/O APIC. Each case boots
// testdata/progs/devprobe with extra QEMU flags.

func devprobe(t *testing.T, qemuFlags string, args ...string) result {
	t.Helper()
	return stdprobe(t, "devprobe", progsDir(t), []string{"MIRAGO_NOMOUNT=1", "MIRAGO_QEMU_FLAGS=" + qemuFlags}, args...)
}

// wantRandomLines checks that r printed n lines "prefix HEX" of size
// bytes each and that no value repeats, within r or in seen.
func wantRandomLines(t *testing.T, r result, prefix string, n, size int, seen map[string]bool) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^`+prefix+` ([0-9a-f]+)$`).FindAllStringSubmatch(r.stdout, -1)
	if len(m) != n {
		t.Fatalf("want %d %s lines, got %d:\n%s", n, prefix, len(m), r)
	}
	for _, v := range m {
		if len(v[1]) != 2*size {
			t.Errorf("%s value %s is not %d bytes", prefix, v[1], size)
		}
		if seen[v[1]] {
			t.Errorf("%s value %s repeats", prefix, v[1])
		}
		seen[v[1]] = true
	}
}

// TestDevicesHWRNG reads /dev/hwrng from a virtio-rng device on each of
// microvm's three interrupt wirings: two I/O APICs (the default, GSIs
// 24-47), one with ACPI (GSIs 16-23) and one without (GSIs 5-12).
func TestDevicesHWRNG(t *testing.T) {
	seen := map[string]bool{}
	for _, machine := range []string{"", ",ioapic2=off", ",acpi=off"} {
		t.Run("microvm"+machine, func(t *testing.T) {
			r := devprobe(t, "-M microvm,auto-kernel-cmdline=off"+machine+" -device virtio-rng-device", "hwrng")
			wantRun(t, r, 0)
			wantRandomLines(t, r, "hwrng", 4, 64, seen)
		})
	}
}

// TestDevicesHWRNGInterrupts makes the device slow (64 bytes per 50 ms),
// so that the reader waits for its interrupt, while another goroutine
// keeps the CPU busy: the interrupt must still wake the reader.
func TestDevicesHWRNGInterrupts(t *testing.T) {
	r := devprobe(t, "-object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-device,rng=rng0,max-bytes=64,period=50", "busy")
	wantRun(t, r, 0, "read while busy in ")
	wantRandomLines(t, r, "hwrng", 4, 64, map[string]bool{})
}

func TestDevicesNoHWRNG(t *testing.T) {
	r := devprobe(t, "", "hwrng")
	wantRun(t, r, 3, "no hardware RNG: read /dev/hwrng: no such device\n")
}

// TestDevicesLegacyTransport checks the message for QEMU's legacy
// virtio-mmio transports, which the drivers do not speak.
func TestDevicesLegacyTransport(t *testing.T) {
	r := devprobe(t, "-global virtio-mmio.force-legacy=true -device virtio-rng-device", "hwrng")
	wantRun(t, r, 1, "read /dev/hwrng: virtio-mmio slot 23 at 0xfeb02e00: legacy (version 1) virtio-mmio transport; start QEMU with -global virtio-mmio.force-legacy=false\n")
}

// TestDevicesCryptoRandVirtio runs crypto/rand on a CPU without RDRAND
// and RDSEED: it reads the virtio-rng device, and without one the
// program stops with a message that says why.
func TestDevicesCryptoRandVirtio(t *testing.T) {
	const cpu = "-cpu qemu64,-rdrand,-rdseed"
	r := devprobe(t, cpu+" -device virtio-rng-device", "cryptorand")
	wantRun(t, r, 0)
	wantRandomLines(t, r, "rand", 4, 32, map[string]bool{})

	r = devprobe(t, cpu, "cryptorand")
	wantRun(t, r, 2, "fatal error: crypto/rand: failed to read random data", "no hardware random number generator (RDSEED, RDRAND or RNDR) and no entropy device (virtio-rng)")
}

// TestDevicesDisk writes /dev/vda, a virtio-blk device on a disk image
// file, at an offset across a sector boundary, syncs, and exits; a
// second boot reads the data back, and so does the host from the file.
func TestDevicesDisk(t *testing.T) {
	testDiskPersists(t, func(flags string, args ...string) result { return devprobe(t, flags, args...) })
}

// testDiskPersists writes a disk image file's bytes through devprobe's
// diskwrite in one boot and reads them back with diskread in another;
// boot runs devprobe with extra QEMU flags and arguments.
func testDiskPersists(t *testing.T, boot func(qemuFlags string, args ...string) result) {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	const size = 4 << 20
	// Bytes around the message must survive the partial-sector writes.
	orig := bytes.Repeat([]byte{0xa5}, size)
	if err := os.WriteFile(img, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	flags := "-drive file=" + img + ",if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0"
	msg := strings.Repeat("persisted across boots; ", 40) // 960 bytes from offset 1000
	r := boot(flags, "diskwrite", msg)
	wantRun(t, r, 0, fmt.Sprintf("wrote %d bytes; size %d <nil>\n", len(msg), size))
	r = boot(flags, "diskread", msg)
	wantRun(t, r, 0, fmt.Sprintf("read %q\n", msg))
	got, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte(nil), orig[:1000]...), msg...), orig[1000+len(msg):]...)
	if !bytes.Equal(got, want) {
		t.Errorf("the image file does not hold the message at offset 1000 with its other bytes intact")
	}
}

// TestDevicesNoDisk: without a block device there is no /dev/vda.
func TestDevicesNoDisk(t *testing.T) {
	r := devprobe(t, "", "diskread", "x")
	wantRun(t, r, 1, "open: open /dev/vda: no such file or directory\n")
}

// TestDevicesPCI drives virtio devices on PCI (q35): the entropy device
// made slow, so that the reader must be woken by its INTx interrupt
// while another goroutine spins, and the disk, written in one boot and
// read in the next.
func TestDevicesPCI(t *testing.T) {
	r := bootPC(t, "q35", "devprobe", []string{"busy"},
		"-object", "rng-random,id=rng0,filename=/dev/urandom",
		"-device", "virtio-rng-pci,rng=rng0,max-bytes=64,period=50")
	if r.code != 0<<1|1 || !strings.Contains(r.stdout, "read while busy in ") {
		t.Errorf("virtio-rng-pci: want status 0 and a busy read:\n%s", r)
	}
	wantRandomLines(t, r, "hwrng", 4, 64, map[string]bool{})

	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	disk := []string{"-drive", "file=" + img + ",if=none,format=raw,id=d0", "-device", "virtio-blk-pci,drive=d0"}
	r = bootPC(t, "q35", "devprobe", []string{"diskwrite", "over-pci"}, disk...)
	if r.code != 0<<1|1 || !strings.Contains(r.stdout, "wrote 8 bytes; size 1048576 <nil>\n") {
		t.Errorf("virtio-blk-pci write:\n%s", r)
	}
	r = bootPC(t, "q35", "devprobe", []string{"diskread", "over-pci"}, disk...)
	if r.code != 0<<1|1 || !strings.Contains(r.stdout, "read \"over-pci\"\n") {
		t.Errorf("virtio-blk-pci read back:\n%s", r)
	}
}

// TestDevicesCmdline: without ACPI, QEMU's microvm names its virtio-mmio
// transports on the command line as Linux wants them
// (virtio_mmio.device=512@0xfeb00e00:12), as Firecracker does. The
// runtime takes those words out of the arguments, and the devices are
// found from them.
func TestDevicesCmdline(t *testing.T) {
	flags := []string{"-global", "virtio-mmio.force-legacy=false", "-device", "virtio-rng-device"}
	r := bootPC(t, "microvm,acpi=off", "exitargs", []string{"one"}, flags...)
	if r.code != 3<<1|1 || r.stdout != "arg[1]=\"one\"\n" {
		t.Errorf("want status 3 and only arg[1]=\"one\":\n%s", r)
	}
	r = bootPC(t, "microvm,acpi=off", "devprobe", []string{"hwrng"}, flags...)
	if r.code != 0<<1|1 {
		t.Errorf("want status 0:\n%s", r)
	}
	wantRandomLines(t, r, "hwrng", 4, 64, map[string]bool{})
}
