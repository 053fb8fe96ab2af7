// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Mklinux prepares the benchmark's Linux VM from an extracted Debian
// kernel package (dpkg-deb -x linux-image-*-amd64.deb ROOT):
//
//	mklinux -root ROOT -init INIT -out DIR
//
// It writes DIR/vmlinux, the uncompressed kernel, and
// DIR/initramfs.cpio, a newc archive holding INIT as /init, a
// /dev/console node and the kernel modules the guest needs for a
// virtio-net device on virtio-mmio, numbered in load order under
// /modules.
//
// Why vmlinux: QEMU's microvm machine boots an ELF kernel through its
// PVH entry point, so neither a bootloader nor the kernel's own
// decompressor runs; under TCG the decompressor alone costs about 2.7 s.
// The bzImage (vmlinuz) carries the ELF compressed; this program finds
// the payload through the boot protocol header and decompresses it with
// xz, zstd or gzip.
//
// Why modules: Debian builds virtio, virtio_mmio and virtio_net as
// modules and the kernel has no IP autoconfiguration, so /init loads
// them (finit_module) and configures the interface itself. The load
// order is computed from each module's "depends=" in its .modinfo
// section, starting from -modules; modules built into the kernel
// (modules.builtin) are left out.
package main

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	root := flag.String("root", "", "extracted kernel package `dir` (holds boot/ and lib/modules/)")
	initPath := flag.String("init", "", "the `program` to install as /init")
	out := flag.String("out", "", "output `dir` for vmlinux and initramfs.cpio")
	mods := flag.String("modules", "virtio_mmio,virtio_net", "comma-separated `modules` to load, with their dependencies")
	flag.Parse()
	if *root == "" || *initPath == "" || *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*root, *initPath, *out, strings.Split(*mods, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "mklinux: %v\n", err)
		os.Exit(1)
	}
}

func run(root, initPath, out string, want []string) error {
	vmlinuz, err := only(filepath.Join(root, "boot", "vmlinuz-*"))
	if err != nil {
		return err
	}
	moddir, err := only(filepath.Join(root, "lib", "modules", "*"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	bz, err := os.ReadFile(vmlinuz)
	if err != nil {
		return err
	}
	kernel, method, err := extractVmlinux(bz)
	if err != nil {
		return fmt.Errorf("%s: %v", vmlinuz, err)
	}
	if err := checkPVH(kernel); err != nil {
		return fmt.Errorf("%s: %v", vmlinuz, err)
	}
	if err := writeFile(filepath.Join(out, "vmlinux"), kernel); err != nil {
		return err
	}

	order, err := moduleOrder(moddir, want)
	if err != nil {
		return err
	}
	initBin, err := os.ReadFile(initPath)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := &cpioWriter{w: &buf}
	cw.add("dev", 0o040755, 0, nil)
	// The kernel opens /dev/console for init's standard input, output
	// and error before it runs /init; without the node, /init runs with
	// no console and its output is lost. Character device 5:1.
	cw.add("dev/console", 0o020600, devNum(5, 1), nil)
	cw.add("proc", 0o040755, 0, nil)
	cw.add("init", 0o100755, 0, initBin)
	cw.add("modules", 0o040755, 0, nil)
	var names []string
	for i, m := range order {
		data, err := readModule(m.path)
		if err != nil {
			return err
		}
		cw.add(fmt.Sprintf("modules/%02d-%s.ko", i, m.name), 0o100644, 0, data)
		names = append(names, m.name)
	}
	cw.trailer()
	if err := writeFile(filepath.Join(out, "initramfs.cpio"), buf.Bytes()); err != nil {
		return err
	}
	fmt.Printf("kernel %s (%s, %s-compressed), vmlinux %d bytes, initramfs %d bytes, modules %s\n",
		filepath.Base(moddir), filepath.Base(vmlinuz), method, len(kernel), buf.Len(), strings.Join(names, " "))
	return nil
}

// only returns the single file matching pattern.
func only(pattern string) (string, error) {
	m, err := filepath.Glob(pattern)
	if err != nil {
		return "", err
	}
	if len(m) != 1 {
		return "", fmt.Errorf("want exactly one %s, found %d", pattern, len(m))
	}
	return m[0], nil
}

func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// extractVmlinux returns the ELF kernel inside a bzImage and the name of
// its compression.
//
// The x86 boot protocol (Documentation/arch/x86/boot.rst, version 2.08
// and later) gives the payload's place in the setup header: setup_sects
// at 0x1f1 says how many 512-byte sectors of real-mode setup code follow
// the boot sector; payload_offset (0x248) and payload_length (0x24c)
// locate the compressed kernel relative to the protected-mode code that
// follows them. The build appends the uncompressed size as 4
// little-endian bytes to the compressed stream, which is not part of
// the stream: it is checked and cut off.
func extractVmlinux(bz []byte) ([]byte, string, error) {
	if len(bz) < 0x250 || string(bz[0x202:0x206]) != "HdrS" {
		return nil, "", errors.New("not a bzImage (no HdrS boot header)")
	}
	if v := binary.LittleEndian.Uint16(bz[0x206:]); v < 0x208 {
		return nil, "", fmt.Errorf("boot protocol %#x has no payload fields (need 2.08)", v)
	}
	setupSects := int(bz[0x1f1])
	if setupSects == 0 {
		setupSects = 4 // so says the protocol for old images
	}
	pm := (setupSects + 1) * 512
	off := pm + int(binary.LittleEndian.Uint32(bz[0x248:]))
	n := int(binary.LittleEndian.Uint32(bz[0x24c:]))
	if n < 8 || off+n > len(bz) {
		return nil, "", fmt.Errorf("payload %d bytes at %#x lies outside the %d-byte file", n, off, len(bz))
	}
	payload := bz[off : off+n]
	size := int(binary.LittleEndian.Uint32(payload[n-4:]))
	stream := payload[:n-4]

	var method string
	var out []byte
	var err error
	switch {
	case bytes.HasPrefix(stream, []byte("\xfd7zXZ\x00")):
		method = "xz"
		out, err = filter(stream, "xz", "--decompress", "--stdout", "--single-stream")
	case bytes.HasPrefix(stream, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		method = "zstd"
		out, err = filter(stream, "zstd", "--decompress", "--stdout", "--quiet")
	case bytes.HasPrefix(stream, []byte{0x1f, 0x8b}):
		method = "gzip"
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(stream)); err == nil {
			out, err = io.ReadAll(zr)
		}
	default:
		return nil, "", fmt.Errorf("unknown compression (payload starts % x); the kernel must be XZ, ZSTD or GZIP", stream[:min(6, len(stream))])
	}
	if err != nil {
		return nil, method, fmt.Errorf("decompressing the %s payload: %v", method, err)
	}
	if len(out) != size {
		return nil, method, fmt.Errorf("decompressed %d bytes, header says %d", len(out), size)
	}
	if !bytes.HasPrefix(out, []byte(elf.ELFMAG)) {
		return nil, method, errors.New("the decompressed payload is not an ELF file")
	}
	return out, method, nil
}

// filter runs a decompressor from the host (xz-utils, zstd), which the
// Go standard library does not have.
func filter(in []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("%v (on Debian: apt-get install xz-utils zstd)", err)
		}
		return nil, fmt.Errorf("%s: %v: %s", name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// checkPVH makes sure the kernel has a PVH entry point (the Xen ELF
// note XEN_ELFNOTE_PHYS32_ENTRY, type 18, CONFIG_PVH), without which
// QEMU refuses to boot an ELF kernel on microvm.
func checkPVH(kernel []byte) error {
	f, err := elf.NewFile(bytes.NewReader(kernel))
	if err != nil {
		return err
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		notes, err := io.ReadAll(p.Open())
		if err != nil {
			return err
		}
		for len(notes) >= 12 {
			nameSz := int(binary.LittleEndian.Uint32(notes[0:]))
			descSz := int(binary.LittleEndian.Uint32(notes[4:]))
			typ := binary.LittleEndian.Uint32(notes[8:])
			nameEnd := 12 + align4(nameSz)
			if nameEnd > len(notes) {
				break
			}
			name := strings.TrimRight(string(notes[12:12+nameSz]), "\x00")
			if name == "Xen" && typ == 18 {
				return nil
			}
			next := nameEnd + align4(descSz)
			if next > len(notes) {
				break
			}
			notes = notes[next:]
		}
	}
	return errors.New("vmlinux has no PVH entry note (kernel built without CONFIG_PVH)")
}

func align4(n int) int { return (n + 3) &^ 3 }

type module struct {
	name string // as the kernel knows it: underscores, no suffix
	path string
	deps []string
}

// moduleOrder returns want and the modules they depend on, each after
// its dependencies, leaving out those built into the kernel.
func moduleOrder(moddir string, want []string) ([]*module, error) {
	builtin := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(moddir, "modules.builtin")); err == nil {
		for _, line := range strings.Fields(string(data)) {
			builtin[modName(line)] = true
		}
	}
	files := map[string]string{}
	err := filepath.WalkDir(filepath.Join(moddir, "kernel"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(d.Name(), ".ko") {
			files[modName(d.Name())] = path
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	var order []*module
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, from string) error
	visit = func(name, from string) error {
		switch {
		case state[name] == 2:
			return nil
		case state[name] == 1:
			return fmt.Errorf("module dependency cycle at %s", name)
		case builtin[name]:
			state[name] = 2
			return nil
		}
		path, ok := files[name]
		if !ok {
			if from != "" {
				return fmt.Errorf("module %s (needed by %s) is neither in %s nor built in", name, from, moddir)
			}
			return fmt.Errorf("module %s is neither in %s nor built in", name, moddir)
		}
		state[name] = 1
		data, err := readModule(path)
		if err != nil {
			return err
		}
		deps, err := modDepends(data)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		for _, d := range deps {
			if err := visit(d, name); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, &module{name: name, path: path, deps: deps})
		return nil
	}
	for _, w := range want {
		if w = strings.TrimSpace(w); w != "" {
			if err := visit(modName(w), ""); err != nil {
				return nil, err
			}
		}
	}
	return order, nil
}

// modName turns a module file name or path into the module's name:
// kernel/drivers/net/virtio_net.ko.xz -> virtio_net. The kernel treats
// '-' and '_' alike in module names; the .modinfo uses '_'.
func modName(s string) string {
	s = filepath.Base(s)
	if i := strings.Index(s, ".ko"); i >= 0 {
		s = s[:i]
	}
	return strings.ReplaceAll(s, "-", "_")
}

// readModule returns a module's ELF image, decompressing .ko.xz,
// .ko.zst and .ko.gz (CONFIG_MODULE_COMPRESS_*): finit_module takes
// compressed modules only when the kernel has
// CONFIG_MODULE_DECOMPRESS, so /init gets them uncompressed.
func readModule(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(path, ".ko"):
		return data, nil
	case strings.HasSuffix(path, ".ko.xz"):
		return filter(data, "xz", "--decompress", "--stdout")
	case strings.HasSuffix(path, ".ko.zst"):
		return filter(data, "zstd", "--decompress", "--stdout", "--quiet")
	case strings.HasSuffix(path, ".ko.gz"):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("%s: unknown module compression", path)
}

// modDepends returns the "depends=" list of a module's .modinfo
// section: NUL-separated key=value strings that modpost writes.
func modDepends(ko []byte) ([]string, error) {
	f, err := elf.NewFile(bytes.NewReader(ko))
	if err != nil {
		return nil, err
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, errors.New("no .modinfo section")
	}
	info, err := sec.Data()
	if err != nil {
		return nil, err
	}
	var deps []string
	for _, kv := range bytes.Split(info, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			for _, d := range strings.Split(string(v), ",") {
				if d != "" {
					deps = append(deps, modName(d))
				}
			}
		}
	}
	return deps, nil
}

// devNum packs a device number the way cpio's rdevmajor/rdevminor
// fields want it split again.
func devNum(major, minor uint32) uint64 { return uint64(major)<<32 | uint64(minor) }

// cpioWriter writes a newc ("070701") archive, the format the kernel
// unpacks into its initial root file system. Errors stick to the
// underlying buffer, which cannot fail.
type cpioWriter struct {
	w   *bytes.Buffer
	ino uint32
}

func (c *cpioWriter) add(name string, mode uint32, rdev uint64, data []byte) {
	c.ino++
	nlink := 1
	if mode&0o170000 == 0o040000 {
		nlink = 2
	}
	// Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize,
	// devmajor, devminor, rdevmajor, rdevminor, namesize, check. A
	// zero mtime keeps the archive the same from run to run.
	fmt.Fprintf(c.w, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, uint32(rdev>>32), uint32(rdev), len(name)+1, 0)
	c.w.WriteString(name)
	c.w.WriteByte(0)
	c.pad()
	c.w.Write(data)
	c.pad()
}

func (c *cpioWriter) pad() {
	for c.w.Len()%4 != 0 {
		c.w.WriteByte(0)
	}
}

func (c *cpioWriter) trailer() {
	c.ino = 0
	c.add("TRAILER!!!", 0, 0, nil)
}
