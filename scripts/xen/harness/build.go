// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// debPackages are the Debian 12 (bookworm) packages the harness is made
// of, pinned: Xen, its tools and their libraries, bash for xl's hotplug
// scripts, busybox for everything else, and the dom0 kernel. A pin that
// has left the mirror makes the build fail with apt-get's message;
// update it here (apt-cache policy NAME shows the candidate) and the
// cache key changes with it.
var debPackages = []string{
	"xen-hypervisor-4.17-amd64=4.17.7+13-g2445b30a44-0+deb12u1",
	"xen-utils-4.17=4.17.7+13-g2445b30a44-0+deb12u1",
	"xen-utils-common=4.17.7+13-g2445b30a44-0+deb12u1",
	"xenstore-utils=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxencall1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxendevicemodel1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxenevtchn1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxenforeignmemory1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxengnttab1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxenhypfs1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxenmisc4.17=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxenstore4=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxentoolcore1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libxentoollog1=4.17.7+13-g2445b30a44-0+deb12u1",
	"libc6=2.36-9+deb12u14",
	"libgcc-s1=12.2.0-14+deb12u1",
	"libtinfo6=6.4-4",
	"libncurses6=6.4-4",
	"libncursesw6=6.4-4",
	"libyajl2=2.1.0-3+deb12u2",
	"libext2fs2=1.47.0-2+b2",
	"libcom-err2=1.47.0-2+b2",
	"libuuid1=2.38.1-5+deb12u3",
	"libblkid1=2.38.1-5+deb12u3",
	"zlib1g=1:1.2.13.dfsg-1+deb12u1",
	"liblzma5=5.4.1-1+deb12u2",
	"libzstd1=1.5.4+dfsg2-5+deb12u1",
	"libbz2-1.0=1.0.8-5+b1",
	"libnl-3-200=3.7.0-0.2+b1",
	"libnl-route-3-200=3.7.0-0.2+b1",
	"bash=5.2.15-2+b13",
	"busybox-static=1:1.35.0-4+deb12u1+b1",
	kernelPackage + "=6.1.192-3",
}

const (
	kernelRelease = "6.1.0-57-amd64"
	kernelPackage = "linux-image-" + kernelRelease
)

// An arch is what the harness's builds differ in: Xen on amd64 (a PV
// dom0, guests as PVH domains) or Xen on Arm (guests as Arm domains,
// from arm64 Images).
type arch struct {
	name          string // GOARCH of Xen, dom0 and the guests
	packages      []string
	kernelRelease string
	multiarch     string // Debian's directory for the libraries
	qemu, qemuPkg string
	kvmModules    []string // what the KVM host kit loads (RunKVMHost)
}

var archAMD64 = &arch{
	name:          "amd64",
	packages:      debPackages,
	kernelRelease: kernelRelease,
	multiarch:     "x86_64-linux-gnu",
	qemu:          "qemu-system-x86_64",
	qemuPkg:       "qemu-system-x86",
	// KVM on AMD's SVM, which QEMU emulates under TCG, and tap
	// devices for its guests.
	kvmModules: []string{"kvm-amd", "tun"},
}

// archARM64's packages are amd64's for arm64 (Debian builds them at
// the same versions), with Arm's hypervisor and kernel, and libfdt,
// which xl uses on Arm to write the domain's device tree.
var archARM64 = &arch{
	name: "arm64",
	packages: append(slices.DeleteFunc(slices.Clone(debPackages), func(p string) bool {
		return strings.HasPrefix(p, "xen-hypervisor-") || strings.HasPrefix(p, "linux-image-")
	}),
		"xen-hypervisor-4.17-arm64=4.17.7+13-g2445b30a44-0+deb12u1",
		"libfdt1=1.6.1-4+b1",
		"linux-image-6.1.0-57-arm64=6.1.192-3",
	),
	kernelRelease: "6.1.0-57-arm64",
	multiarch:     "aarch64-linux-gnu",
	qemu:          "qemu-system-aarch64",
	qemuPkg:       "qemu-system-arm",
	// Debian's arm64 kernel has KVM built in; it needs EL2, which
	// QEMU's virt machine gives with virtualization=on.
	kvmModules: []string{"tun"},
}

func archOf(goarch string) (*arch, error) {
	switch goarch {
	case "", "amd64":
		return archAMD64, nil
	case "arm64":
		return archARM64, nil
	}
	return nil, fmt.Errorf("no Xen harness for GOARCH=%s (amd64 or arm64)", goarch)
}

// dir is the artefacts' directory in the cache: amd64's keeps the
// name it had before there were two.
func (ar *arch) dir() string {
	if ar.name == "amd64" {
		return filepath.Join(CacheDir(), "xen-"+ar.key())
	}
	return filepath.Join(CacheDir(), "xen-"+ar.name+"-"+ar.key())
}

// dom0Modules are the kernel modules dom0 loads, besides what they
// depend on: the Xen devices xl and the daemons open, the backends of
// guests' vifs and disks, the bridge, virtio-blk for the disks the host
// passes in and virtio-console for the agent's channel to the host.
var dom0Modules = []string{
	"xenfs", "xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd",
	"xen-netback", "xen-blkback", "bridge", "virtio_pci", "virtio_blk", "virtio_console",
}

// dom0Execs are the dom0 programs whose shared libraries must all be in
// the initramfs; Build checks, so that a missing library is a build
// error rather than a dom0 that cannot run xl.
var dom0Execs = []string{
	"usr/lib/xen-4.17/bin/xl", "usr/lib/xen-4.17/bin/xenstored",
	"usr/lib/xen-4.17/bin/xenconsoled", "usr/lib/xen-4.17/bin/xen-init-dom0",
	"usr/bin/xenstore-read", "usr/bin/xenstore-write", "bin/bash",
}

// buildInputs is what the artefacts are made from besides the packages:
// the code that makes them (this file), dom0's /init and the agent's
// source. Key hashes them, so that a change to any rebuilds.
//
//go:embed build.go cpio.go dom0init.sh dom0/main.go domuinit.sh kvminit.sh udhcpc.sh block.sh vif.sh
var buildInputs embed.FS

// Key returns the cache key of the artefacts this harness builds for
// amd64.
func Key() string { return archAMD64.key() }

func (ar *arch) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "arch %s\n", ar.name)
	for _, p := range ar.packages {
		fmt.Fprintf(h, "pkg %s\n", p)
	}
	fs.WalkDir(buildInputs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := buildInputs.ReadFile(path)
		fmt.Fprintf(h, "file %s %d\n", path, len(data))
		h.Write(data)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CacheDir is Mirago's cache: $MIRAGO_CACHE, or mirago in the user's
// cache directory, as scripts/lib.sh has it.
func CacheDir() string {
	if d := os.Getenv("MIRAGO_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "mirago")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "mirago-cache")
	}
	return filepath.Join(home, ".cache", "mirago")
}

// Artifacts are the built harness: Xen, dom0's kernel and its
// initramfs, in Dir.
type Artifacts struct {
	Arch   string // amd64 or arm64
	Dir    string
	Xen    string // the hypervisor: on amd64 an ELF for QEMU's multiboot loader, on arm64 Debian's EFI-stub image
	Kernel string // dom0's Linux: on amd64 the ELF vmlinux, on arm64 Debian's vmlinuz
	Initrd string // dom0's initramfs, an uncompressed newc archive
	DomU   string // the Linux domU kit's initramfs (LinuxGuest); amd64 only
	KVM    string // the KVM host kit's initramfs (RunKVMHost)
	Info   BuildInfo
}

// BuildInfo is what Build records in info.json.
type BuildInfo struct {
	Key           string   `json:"key"`
	Packages      []string `json:"packages"`
	KernelRelease string   `json:"kernel_release"`
	Built         string   `json:"built"`
	BuildSeconds  float64  `json:"build_seconds"`
	InitrdBytes   int64    `json:"initrd_bytes"`
}

// ErrNotBuilt means the artefacts for this Key are not in the cache.
var ErrNotBuilt = errors.New("not built")

// Find returns the amd64 artefacts for Key if they are built.
func Find() (*Artifacts, error) { return FindArch("amd64") }

// FindArch returns the artefacts for goarch if they are built.
func FindArch(goarch string) (*Artifacts, error) {
	ar, err := archOf(goarch)
	if err != nil {
		return nil, err
	}
	dir := ar.dir()
	a := &Artifacts{
		Arch:   ar.name,
		Dir:    dir,
		Xen:    filepath.Join(dir, "xen"),
		Kernel: filepath.Join(dir, "vmlinux"),
		Initrd: filepath.Join(dir, "dom0.cpio"),
	}
	a.KVM = filepath.Join(dir, "kvm.cpio")
	if ar.name == "amd64" {
		a.DomU = filepath.Join(dir, "domu.cpio")
	}
	data, err := os.ReadFile(filepath.Join(dir, "info.json"))
	if err != nil {
		cmd := "go run ./scripts/xen build"
		if ar.name != "amd64" {
			cmd += " -arch " + ar.name
		}
		return a, fmt.Errorf("no Xen harness for %s in %s (%w): build it with `%s` in the Mirago checkout, or `make xen`", ar.name, dir, ErrNotBuilt, cmd)
	}
	if err := json.Unmarshal(data, &a.Info); err != nil {
		return a, fmt.Errorf("%s: %v", filepath.Join(dir, "info.json"), err)
	}
	return a, nil
}

// Build makes the artefacts unless they are in the cache, logging
// progress to log. It needs apt-get and dpkg-deb (Debian) and, for the
// dom0 agent, a go command on PATH.
func Build(log io.Writer) (*Artifacts, error) { return BuildArch(log, "amd64") }

// BuildArch is Build for goarch's Xen: amd64 or arm64.
func BuildArch(log io.Writer, goarch string) (*Artifacts, error) {
	ar, err := archOf(goarch)
	if err != nil {
		return nil, err
	}
	if a, err := FindArch(ar.name); err == nil {
		return a, nil
	}
	cache := CacheDir()
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	// Another build of the same key may be running (two test runs):
	// wait for it instead of racing it.
	lock, err := os.OpenFile(ar.dir()+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	if a, err := FindArch(ar.name); err == nil {
		return a, nil
	}
	start := time.Now()
	a, _ := FindArch(ar.name)
	tmp, err := os.MkdirTemp(cache, "xen-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	debs := filepath.Join(cache, "xen-debs")
	if ar.name != "amd64" {
		debs += "-" + ar.name
	}
	b := &builder{arch: ar, log: log, tmp: tmp, out: filepath.Join(tmp, "out"), debs: debs}
	if err := b.build(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(filepath.Join(b.out, "dom0.cpio"))
	if err != nil {
		return nil, err
	}
	info := BuildInfo{
		Key:           ar.key(),
		Packages:      ar.packages,
		KernelRelease: ar.kernelRelease,
		Built:         time.Now().UTC().Format(time.RFC3339),
		BuildSeconds:  time.Since(start).Seconds(),
		InitrdBytes:   fi.Size(),
	}
	data, _ := json.MarshalIndent(info, "", "\t")
	if err := os.WriteFile(filepath.Join(b.out, "info.json"), append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	os.RemoveAll(a.Dir) // a partial directory from an interrupted rename
	if err := os.Rename(b.out, a.Dir); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "xen harness: built %s in %.1fs\n", a.Dir, info.BuildSeconds)
	return FindArch(ar.name)
}

type builder struct {
	arch *arch
	log  io.Writer
	tmp  string // scratch
	out  string // becomes the artefact directory
	debs string // downloaded packages, shared by all keys
}

func (b *builder) build() error {
	debs, err := b.download()
	if err != nil {
		return err
	}
	root := filepath.Join(b.tmp, "root")
	kern := filepath.Join(b.tmp, "kern")
	for _, d := range debs {
		dest := root
		if strings.HasPrefix(filepath.Base(d), "linux-image-"+b.arch.kernelRelease+"_") {
			dest = kern
		}
		if out, err := exec.Command("dpkg-deb", "-x", d, dest).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %v\n%s", d, err, out)
		}
	}
	if err := os.MkdirAll(b.out, 0o755); err != nil {
		return err
	}
	release := b.arch.kernelRelease
	if b.arch.name == "amd64" {
		// Debian ships Xen gzipped; QEMU's multiboot loader wants the ELF.
		if err := gunzip(filepath.Join(root, "boot", "xen-4.17-amd64.gz"), filepath.Join(b.out, "xen")); err != nil {
			return err
		}
		if err := extractVmlinux(filepath.Join(kern, "boot", "vmlinuz-"+release), filepath.Join(b.out, "vmlinux")); err != nil {
			return err
		}
	} else {
		// On Arm, QEMU loads Xen as a Linux Image and dom0's kernel
		// with its guest-loader; Xen unpacks the gzipped kernel.
		if err := concat(filepath.Join(b.out, "xen"), filepath.Join(root, "boot", "xen-4.17-"+b.arch.name)); err != nil {
			return err
		}
		if err := concat(filepath.Join(b.out, "vmlinux"), filepath.Join(kern, "boot", "vmlinuz-"+release)); err != nil {
			return err
		}
	}
	if err := checkLibs(root, b.arch.multiarch, dom0Execs); err != nil {
		return err
	}
	mods, err := moduleOrder(filepath.Join(kern, "lib", "modules", release), dom0Modules)
	if err != nil {
		return err
	}
	agent, err := b.buildAgent()
	if err != nil {
		return err
	}
	if err := b.writeInitrd(root, mods, agent); err != nil {
		return err
	}
	kvmMods, err := moduleOrder(filepath.Join(kern, "lib", "modules", release), b.arch.kvmModules)
	if err != nil {
		return err
	}
	if err := b.writeKit("kvm.cpio", "kvminit.sh", root, kvmMods); err != nil {
		return err
	}
	if b.arch.name != "amd64" {
		return nil // the Linux domU kit is amd64's
	}
	domuMods, err := moduleOrder(filepath.Join(kern, "lib", "modules", release), domUModules)
	if err != nil {
		return err
	}
	return b.writeKit("domu.cpio", "domuinit.sh", root, domuMods)
}

// domUModules are what the Linux domU kit loads: the Xen frontends.
var domUModules = []string{"xen-netfront", "xen-blkfront"}

// writeKit writes the initramfs of a busybox kit (the Linux domU kit,
// LinuxGuest, or the KVM host kit, RunKVMHost): busybox, the modules
// mods, which init loads in order, and init.
func (b *builder) writeKit(name, init, root string, mods []string) error {
	f, err := os.Create(filepath.Join(b.out, name))
	if err != nil {
		return err
	}
	defer f.Close()
	w := newCpioWriter(f)
	if err := w.addPath("bin/busybox", filepath.Join(root, "bin", "busybox")); err != nil {
		return err
	}
	var names []string
	for _, m := range mods {
		if err := w.addPath("lib/modules/mirago/"+filepath.Base(m), m); err != nil {
			return err
		}
		names = append(names, strings.TrimSuffix(filepath.Base(m), ".ko"))
	}
	initData, _ := buildInputs.ReadFile(init)
	hook, _ := buildInputs.ReadFile("udhcpc.sh")
	for _, e := range []struct {
		name string
		perm uint32
		data []byte
	}{
		{"etc/mirago/modules", 0o644, []byte(strings.Join(names, "\n") + "\n")},
		{"init", 0o755, initData},
		// Where Debian's busybox looks for it (upstream: /usr/share/udhcpc).
		{"etc/udhcpc/default.script", 0o755, hook},
		{"usr/share/udhcpc/default.script", 0o755, hook},
	} {
		if err := w.addFile(e.name, e.perm, e.data); err != nil {
			return err
		}
	}
	for _, d := range []string{"proc", "sys", "dev", "etc"} {
		if err := w.addDir(d); err != nil {
			return err
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	return f.Close()
}

// debFile returns the name apt-get download gives a pinned package.
func debFile(pin, goarch string) string {
	name, ver, _ := strings.Cut(pin, "=")
	return name + "_" + strings.ReplaceAll(ver, ":", "%3a") + "_" + goarch + ".deb"
}

// download fetches the pinned packages that are not in b.debs yet and
// returns all their files.
func (b *builder) download() ([]string, error) {
	if err := os.MkdirAll(b.debs, 0o755); err != nil {
		return nil, err
	}
	var missing, files []string
	for _, p := range b.arch.packages {
		f := filepath.Join(b.debs, debFile(p, b.arch.name))
		files = append(files, f)
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return files, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return nil, errors.New("apt-get not found: the Xen harness is built from Debian 12 packages")
	}
	fmt.Fprintf(b.log, "xen harness: downloading %d Debian packages into %s\n", len(missing), b.debs)
	var env []string
	if b.arch.name != "amd64" {
		// Another architecture's packages come through an APT
		// configuration of the harness's own, which leaves the
		// host's alone.
		conf, err := b.foreignAPT()
		if err != nil {
			return nil, err
		}
		env = append(os.Environ(), "APT_CONFIG="+conf)
		cmd := exec.Command("apt-get", "update", "-q")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("apt-get update (%s): %v\n%s", b.arch.name, err, out)
		}
	} else if os.Geteuid() == 0 {
		cmd := exec.Command("apt-get", "update", "-q")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("apt-get update: %v\n%s", err, out)
		}
	}
	cmd := exec.Command("apt-get", append([]string{"download", "-q"}, missing...)...)
	cmd.Dir = b.debs
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("apt-get download: %v (a pinned version may have left the mirror: see debPackages in scripts/xen/harness/build.go)\n%s", err, out)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("apt-get download left no %s", f)
		}
	}
	return files, nil
}

// foreignAPT writes an APT configuration for Debian 12's packages of
// b.arch, with its own state and cache under b.debs, and returns its
// path.
func (b *builder) foreignAPT() (string, error) {
	dir := filepath.Join(b.debs, "apt")
	for _, d := range []string{"state/lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "state", "status"), nil, 0o644); err != nil {
		return "", err
	}
	sources := fmt.Sprintf(`Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Architectures: %[1]s
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Architectures: %[1]s
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`, b.arch.name)
	if err := os.WriteFile(filepath.Join(dir, "sources.list.d", "debian.sources"), []byte(sources), 0o644); err != nil {
		return "", err
	}
	conf := fmt.Sprintf(`Dir::State "%[1]s/state";
Dir::State::status "%[1]s/state/status";
Dir::Cache "%[1]s/cache";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "%[1]s/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "%[1]s/preferences.d";
APT::Architecture "%[2]s";
APT::Architectures { "%[2]s"; };
Acquire::Languages "none";
`, dir, b.arch.name)
	path := filepath.Join(dir, "apt.conf")
	return path, os.WriteFile(path, []byte(conf), 0o644)
}

// checkLibs checks that every library execs need, directly or through
// other libraries, is in root's library directories.
func checkLibs(root, multiarch string, execs []string) error {
	dirs := []string{"lib/" + multiarch, "usr/lib/" + multiarch, "lib64", "lib"}
	find := func(lib string) string {
		for _, d := range dirs {
			if p := filepath.Join(root, d, lib); exists(p) {
				return p
			}
		}
		return ""
	}
	seen := map[string]bool{}
	var check func(path, from string) error
	check = func(path, from string) error {
		f, err := elf.Open(path)
		if err != nil {
			return fmt.Errorf("%s: %v", from, err)
		}
		defer f.Close()
		libs, err := f.ImportedLibraries()
		if err != nil {
			return fmt.Errorf("%s: %v", from, err)
		}
		for _, l := range libs {
			if seen[l] {
				continue
			}
			seen[l] = true
			p := find(l)
			if p == "" {
				return fmt.Errorf("%s needs %s, which no package in debPackages provides", from, l)
			}
			if err := check(p, l); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range execs {
		if err := check(filepath.Join(root, e), e); err != nil {
			return err
		}
	}
	return nil
}

// moduleOrder returns the paths of the named modules and of the modules
// they depend on, each after its dependencies. Debian's package has no
// modules.dep (depmod makes it on install), so the dependencies come
// from each module's .modinfo section.
func moduleOrder(dir string, names []string) ([]string, error) {
	norm := func(s string) string { return strings.ReplaceAll(s, "-", "_") }
	paths := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".ko") {
			paths[norm(strings.TrimSuffix(d.Name(), ".ko"))] = p
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var order []string
	state := map[string]int{} // 1: visiting, 2: done
	var visit func(string) error
	visit = func(name string) error {
		name = norm(name)
		switch state[name] {
		case 1:
			return fmt.Errorf("module %s depends on itself", name)
		case 2:
			return nil
		}
		p, ok := paths[name]
		if !ok {
			return fmt.Errorf("kernel %s has no module %s", filepath.Base(dir), name)
		}
		state[name] = 1
		deps, err := moduleDepends(p)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, p)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// moduleDepends reads the depends= entry of a module's .modinfo.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		return nil, fmt.Errorf("%s has no .modinfo", path)
	}
	data, err := s.Data()
	if err != nil {
		return nil, err
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}

// buildAgent builds dom0/main.go, embedded in this package, as a static
// Linux program for dom0's architecture with the go command on PATH.
func (b *builder) buildAgent() (string, error) {
	src := filepath.Join(b.tmp, "agent")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	main, _ := buildInputs.ReadFile("dom0/main.go")
	if err := os.WriteFile(filepath.Join(src, "main.go"), main, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module mirago.dev/dom0agent\n\ngo 1.24\n"), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(b.tmp, "mirago-dom0")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(cleanGoEnv(os.Environ()), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+b.arch.name, "GOTOOLCHAIN=local", "GOFLAGS=")
	if o, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the dom0 agent with the host's go: %v\n%s", err, o)
	}
	return out, nil
}

// cleanGoEnv drops what would point the go command at another
// toolchain or target.
func cleanGoEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOROOT", "GOOS", "GOARCH", "GOFLAGS", "GOEXPERIMENT", "GOTOOLCHAIN":
			return true
		}
		return false
	})
}

// initrdSkip are the parts of the packages dom0 does without; the
// initramfs is unpacked into dom0's memory at every boot.
var initrdSkip = []string{
	"usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/lintian",
	"usr/share/info", "usr/share/bash-completion", "usr/share/doc-base", "usr/share/menu",
	"usr/lib/python3", "usr/lib/x86_64-linux-gnu/gconv", "usr/lib/aarch64-linux-gnu/gconv", "usr/share/i18n", "usr/lib/xen-4.17/boot", "usr/lib/xen-4.17/lib/python",
	"usr/lib/xen-4.17/bin/oxenstored", "usr/sbin/oxenstored", "usr/lib/debug",
	"boot", "var/run",
}

func (b *builder) writeInitrd(root string, mods []string, agent string) error {
	f, err := os.Create(filepath.Join(b.out, "dom0.cpio"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := newCpioWriter(f)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		if slices.Contains(initrdSkip, filepath.ToSlash(rel)) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		return w.addPath(rel, p)
	})
	if err != nil {
		return err
	}
	var names []string
	for _, m := range mods {
		name := filepath.Base(m)
		data, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		if err := w.addFile("lib/modules/mirago/"+name, 0o644, data); err != nil {
			return err
		}
		names = append(names, strings.TrimSuffix(name, ".ko"))
	}
	if err := w.addFile("etc/mirago/modules", 0o644, []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return err
	}
	init, _ := buildInputs.ReadFile("dom0init.sh")
	if err := w.addFile("init", 0o755, init); err != nil {
		return err
	}
	for script, name := range map[string]string{"block.sh": "mirago-block", "vif.sh": "mirago-vif"} {
		data, _ := buildInputs.ReadFile(script)
		if err := w.addFile("etc/xen/scripts/"+name, 0o755, data); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(agent)
	if err != nil {
		return err
	}
	if err := w.addFile("bin/mirago-dom0", 0o755, data); err != nil {
		return err
	}
	for _, d := range []string{"proc", "sys", "dev", "run", "tmp", "var/lib/xen", "var/log/xen/console", "var/lib/xenstored"} {
		if err := w.addDir(d); err != nil {
			return err
		}
	}
	if err := w.addSymlink("var/run", "/run"); err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	return f.Close()
}

func gunzip(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %v", src, err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("%s: %v", src, err)
	}
	return out.Close()
}

// extractVmlinux writes the ELF kernel inside a bzImage. Xen's dom0
// builder takes either, but decompressing the bzImage's xz payload
// costs Xen about 6 s under TCG at every boot; xz on the host does it
// once.
func extractVmlinux(bzImage, dst string) error {
	data, err := os.ReadFile(bzImage)
	if err != nil {
		return err
	}
	i := bytes.Index(data, []byte("\xfd7zXZ\x00"))
	if i < 0 {
		return fmt.Errorf("%s: no xz payload (CONFIG_KERNEL_XZ)", bzImage)
	}
	if _, err := exec.LookPath("xz"); err != nil {
		return errors.New("xz not found: install xz-utils (apt-get install xz-utils)")
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	cmd := exec.Command("xz", "-dc", "--single-stream")
	cmd.Stdin = bytes.NewReader(data[i:])
	cmd.Stdout = out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("xz -d of %s: %v %s", bzImage, err, stderr.String())
	}
	if f, err := elf.Open(dst); err != nil {
		return fmt.Errorf("%s: the kernel in %s is not an ELF: %v", dst, bzImage, err)
	} else {
		f.Close()
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// sortedKeys is for deterministic output of maps.
func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
