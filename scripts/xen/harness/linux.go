// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
)

// LinuxGuest returns a guest that boots dom0's Debian kernel as a PVH
// domU with a busybox initramfs, which loads xen-netfront and
// xen-blkfront, runs script with sh and ends with the line "mirago:
// exit status N" (N being the script's status), as a Mirago program
// does. It is a known-good guest for testing what the harness offers
// (vif, DHCP, disks) apart from Mirago's runtime. The script finds
// eth0 if the guest has a vif (udhcpc -i eth0 configures it) and
// /dev/xvda if it has a disk. The ramdisk is written into dir.
func (a *Artifacts) LinuxGuest(name, script, dir string) (Guest, error) {
	return a.LinuxGuestFiles(name, script, nil, dir)
}

// LinuxGuestFiles is LinuxGuest with more files in the guest's root:
// files maps a path in the guest (such as "/bin/server") to a host
// file, which keeps its mode.
func (a *Artifacts) LinuxGuestFiles(name, script string, files map[string]string, dir string) (Guest, error) {
	ramdisk := filepath.Join(dir, name+"-linux.cpio")
	if err := writeJobRamdisk(ramdisk, a.DomU, script, files); err != nil {
		return Guest{}, err
	}
	return Guest{
		Name:    name,
		Image:   a.Kernel,
		Ramdisk: ramdisk,
		// loglevel=2 keeps the kernel's complaints about the PVH
		// machine (no IOAPIC, no PCI, ACPI GPEs) off the console.
		Extra:  "console=hvc0 rdinit=/init loglevel=2",
		Memory: 160,
		// Once in about six boots busybox died of SIGILL on a VEX
		// instruction of glibc's AVX2 string code, nested under TCG;
		// without AVX in CPUID, glibc takes its SSE2 code.
		CPUID: "host,avx=0,avx2=0",
	}, nil
}

// writeJobRamdisk writes ramdisk: the kit's initramfs with, unpacked
// over it, an archive of script as /job.sh and of files (a guest path
// to a host file, see addGuestFile). Linux unpacks concatenated
// archives as one.
func writeJobRamdisk(ramdisk, kit, script string, files map[string]string) error {
	job := ramdisk + ".job"
	f, err := os.Create(job)
	if err != nil {
		return err
	}
	defer os.Remove(job)
	w := newCpioWriter(f)
	err = w.addFile("job.sh", 0o755, []byte(script))
	for _, p := range sortedKeys(files) {
		if err == nil {
			err = addGuestFile(w, p, files[p])
		}
	}
	if err == nil {
		err = w.close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return concat(ramdisk, kit, job)
}

// addGuestFile adds host file src to w as guest path p, which must be
// absolute; its directories are the kit's own (the archives are
// unpacked one over the other).
func addGuestFile(w *cpioWriter, p, src string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" {
		return fmt.Errorf("guest path %q: want a clean absolute path", p)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	return w.addFile(p[1:], uint32(fi.Mode().Perm()), data)
}
