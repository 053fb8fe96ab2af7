// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mirago.dev/sys/pvh"
)

// Deploy writes what another engine needs to run an image, where the
// wrapper would run it itself:
//
//	mirago-exec deploy KIND [flags] IMAGE [ARGS...]
//
//	qemu		a shell script that boots the image under QEMU as the
//			wrapper does (qemuArgs), without the wrapper
//	xl		a Xen domain configuration, the one runXL creates
//	firecracker	a Firecracker VM configuration (--config-file)
//	oci		a container image (deployoci.go) holding the image at
//			/boot/kernel, for KubeVirt's kernel boot
//
// ARGS are the program's arguments and -env its environment, written
// into the kernel command line as the wrapper writes them (cmdline.go),
// with NAME as argv[0]. Nothing of the caller's environment goes in: the
// output is for another machine, and its words should be the ones on
// deploy's command line. The working directory is not archived either;
// the program gets only what its engine gives it.
//
// The output goes to standard output, or with -o DIR to DIR/NAME.sh,
// .cfg, .json or .tar. It names the image by its absolute path here
// (qemu, xl, firecracker); -kernel names it where the engine will find
// it instead.

// defaultDeployMem is what a deployed guest gets without -mem. It is
// less than the wrapper's defaultMem, which is sized for go test's
// largest packages: Xen and Firecracker reserve all of a guest's memory
// when it starts, not as the guest touches it as QEMU does.
const defaultDeployMem = "256M"

// A deployment is an image and the settings deploy writes for it.
type deployment struct {
	name    string // the guest's name, file name and argv[0]
	image   string // the image on this machine
	kernel  string // the image's path where the engine runs (not for oci)
	memMiB  int
	cpus    int
	cmdline string // the program's environment and arguments

	accel        string // qemu: kvm, tcg or auto
	net          string // qemu: a -netdev backend
	bridge, disk string // xl: a vif's bridge, xvda's file or device
	tap, mac     string // firecracker: the interface's tap device and MAC
	tag          string // oci: the container image's reference
	arch         string // the image's: amd64 (a PVH ELF) or arm64 (an Image)
}

// deployKinds are the kinds deploy writes, with the extension of the
// file -o writes.
var deployKinds = []struct{ kind, ext string }{
	{"qemu", ".sh"},
	{"xl", ".cfg"},
	{"firecracker", ".json"},
	{"oci", ".tar"},
}

// envFlag collects repeated -env NAME=VALUE flags.
type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, " ") }

func (e *envFlag) Set(kv string) error {
	if i := strings.IndexByte(kv, '='); i <= 0 {
		return errors.New("want NAME=VALUE")
	}
	*e = append(*e, kv)
	return nil
}

// deploy runs mirago-exec deploy with args, those after "deploy".
func (w *wrapper) deploy(args []string) int {
	usage := func() {
		fmt.Fprintf(w.stderr, "usage: %s deploy KIND [flags] IMAGE [ARGS...]\n", w.name)
		fmt.Fprintf(w.stderr, "KIND is qemu, xl, firecracker or oci; %s deploy KIND -h lists its flags.\n", w.name)
	}
	if len(args) < 1 {
		usage()
		return exitFailed
	}
	kind, ext := args[0], ""
	for _, k := range deployKinds {
		if k.kind == kind {
			ext = k.ext
		}
	}
	if ext == "" {
		usage()
		return exitFailed
	}

	var (
		d   deployment
		dir string
		mem string
		env envFlag
	)
	fs := flag.NewFlagSet(w.name+" deploy "+kind, flag.ContinueOnError)
	fs.SetOutput(w.stderr)
	fs.Usage = func() {
		fmt.Fprintf(w.stderr, "usage: %s deploy %s [flags] IMAGE [ARGS...]\n", w.name, kind)
		fs.PrintDefaults()
	}
	fs.StringVar(&dir, "o", "", "write the output to `DIR`/NAME"+ext+" rather than standard output")
	fs.StringVar(&d.name, "name", "", "the guest's `NAME` and argv[0] (default: IMAGE's file name)")
	fs.StringVar(&mem, "mem", defaultDeployMem, "guest memory: `SIZE` in MiB, or with a suffix M or G")
	fs.Var(&env, "env", "a `NAME=VALUE` of the program's environment (repeatable)")
	if kind != "oci" {
		fs.IntVar(&d.cpus, "cpus", 1, fmt.Sprintf("the guest's virtual CPUs, `N` from 1 to %d", maxSMP))
		fs.StringVar(&d.kernel, "kernel", "", "the image's `path` where the engine runs (default: IMAGE's absolute path)")
	}
	switch kind {
	case "qemu":
		fs.StringVar(&d.accel, "accel", "auto", "kvm, tcg, or auto: KVM if /dev/kvm is usable where the script runs")
		fs.StringVar(&d.net, "net", "", "a QEMU -netdev `backend` for a virtio-net device, as MIRAGO_NET (such as user,hostfwd=tcp::8080-:80)")
	case "xl":
		fs.StringVar(&d.bridge, "bridge", "", "give the domain a vif on this `bridge` (such as xenbr0)")
		fs.StringVar(&d.disk, "disk", "", "a raw disk image or block device `path` for the domain's xvda")
	case "firecracker":
		fs.StringVar(&d.tap, "tap", "", "give the VM a network interface on this tap `device`")
		fs.StringVar(&d.mac, "mac", "", "the interface's MAC `address` (default: the guest picks one)")
	case "oci":
		fs.StringVar(&d.tag, "tag", "", "the container image's `reference` (default: NAME:latest)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitFailed
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return exitFailed
	}
	d.image = fs.Arg(0)
	if err := d.complete(kind, mem, env, fs.Args()[1:]); err != nil {
		w.errorf("deploy %s: %v", kind, err)
		return exitFailed
	}

	out := w.stdout
	var f *os.File
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			w.errorf("deploy %s: %v", kind, err)
			return exitFailed
		}
		perm := os.FileMode(0o644)
		if kind == "qemu" {
			perm = 0o755
		}
		var err error
		f, err = os.OpenFile(filepath.Join(dir, d.name+ext), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
		if err != nil {
			w.errorf("deploy %s: %v", kind, err)
			return exitFailed
		}
		out = f
	}
	err := d.write(kind, out)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}
	if err != nil {
		w.errorf("deploy %s: %v", kind, err)
		return exitFailed
	}
	return 0
}

// complete checks d.image and fills in the rest of d from the flags
// that need parsing, the defaults and the program's args.
func (d *deployment) complete(kind, mem string, env, args []string) error {
	var err error
	if d.arch, err = deployArch(d.image); err != nil {
		return err
	}
	if d.arch == "arm64" {
		switch kind {
		case "firecracker":
			return fmt.Errorf("%s: a GOOS=xen GOARCH=arm64 image; Firecracker's arm64 VMs have a 16550 UART, which the arm64 runtime does not drive yet, so deploy firecracker is for GOOS=xen GOARCH=amd64 images", d.image)
		}
		if d.accel == "kvm" {
			return errors.New("-accel kvm: xen/arm64 images run under TCG only; they exit through Arm semihosting, which QEMU provides only there")
		}
	}
	if kind != "oci" && (d.cpus < 1 || d.cpus > maxSMP) {
		return fmt.Errorf("-cpus %d: want a number of CPUs from 1 to %d", d.cpus, maxSMP)
	}
	if d.name == "" {
		d.name = filepath.Base(d.image)
	}
	// The name becomes a file name with -o.
	if d.name == "." || d.name == ".." || strings.ContainsAny(d.name, "/\x00") {
		return fmt.Errorf("-name %q: want a name without slashes", d.name)
	}
	if kind != "oci" && d.kernel == "" {
		abs, err := filepath.Abs(d.image)
		if err != nil {
			return err
		}
		d.kernel = abs
	}
	if d.memMiB, err = parseMiB(mem); err != nil {
		return fmt.Errorf("-mem %q: %v", mem, err)
	}
	if d.cmdline, err = encodeCmdline(env, append([]string{d.name}, args...)); err != nil {
		return err
	}
	switch d.accel {
	case "", "auto", "kvm", "tcg":
	default:
		return fmt.Errorf("-accel %q: want kvm, tcg or auto", d.accel)
	}
	if kind == "oci" {
		if d.tag == "" {
			d.tag = strings.ToLower(d.name) + ":latest"
		}
		if _, err := parseReference(d.tag); err != nil {
			return fmt.Errorf("-tag %q: %v", d.tag, err)
		}
	}
	return nil
}

// deployArch returns the architecture of the image at path: arm64 for
// an arm64 Image, amd64 for an ELF that checkImage accepts.
func deployArch(path string) (string, error) {
	head, err := readHead(path, arm64HeaderSize)
	if err != nil {
		return "", fmt.Errorf("cannot read image: %v", err)
	}
	if isArm64Image(head) {
		return "arm64", nil
	}
	return "amd64", checkImage(path)
}

// checkImage reports whether path looks like an image the deployed
// engines boot: an x86-64 ELF with a PVH entry note, which is what
// QEMU's -kernel, Xen and Firecracker load. Saying so here is kinder
// than a VM that does not start on another machine.
func checkImage(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not an ELF image: %v", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: an ELF for %v; deploy is for GOOS=xen GOARCH=amd64 images", path, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		notes, err := pvh.ParseNotes(b)
		if err != nil {
			continue
		}
		if _, ok, _ := pvh.Phys32Entry(notes); ok {
			return nil
		}
	}
	return fmt.Errorf("%s: no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); build it with GOOS=xen GOARCH=amd64", path)
}

// write writes the output for kind to out.
func (d *deployment) write(kind string, out io.Writer) error {
	switch kind {
	case "qemu":
		s, err := d.qemuScript()
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, s)
		return err
	case "xl":
		_, err := io.WriteString(out, d.xlConfig())
		return err
	case "firecracker":
		b, err := d.firecrackerConfig()
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	case "oci":
		return d.writeOCI(out)
	}
	return fmt.Errorf("unknown kind %q", kind)
}

// qemuScript returns a shell script that execs QEMU with the wrapper's
// arguments (qemuArgs) and then its own, so that QEMU's exit status is
// the script's, and QEMU gets the signals sent to it. With -accel auto
// it holds both command lines and chooses when it runs, by the test
// the wrapper makes (useKVM).
func (d *deployment) qemuScript() (string, error) {
	var extra []string
	if d.net != "" {
		net, err := netArgs(d.net)
		if err != nil {
			return "", fmt.Errorf("-net %q: %v", d.net, err)
		}
		extra = net
	}
	mem := fmt.Sprintf("%dM", d.memMiB)
	command := func(kvm bool, indent string) string {
		var b strings.Builder
		qemu, args := "qemu-system-x86_64", qemuArgs(d.kernel, d.cmdline, mem, d.cpus, kvm, "", extra)
		if d.arch == "arm64" {
			qemu, args = arm64QEMU, qemuArm64Args(d.kernel, d.cmdline, mem, d.cpus, extra)
		}
		b.WriteString(indent + "exec " + qemu)
		value := false // the next argument is an option's value
		for _, a := range args {
			// An option and its value to a line.
			if !value {
				b.WriteString(" \\\n\t" + indent)
			} else {
				b.WriteString(" ")
			}
			b.WriteString(shellQuote(a))
			value = !value && !qemuFlagOptions[a]
		}
		b.WriteString(" \\\n\t" + indent + "\"$@\"\n")
		return b.String()
	}

	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n")
	if d.arch == "arm64" {
		fmt.Fprintf(&b, "# Boots %s, a GOOS=xen GOARCH=arm64 image, under QEMU's virt machine;\n", d.name)
		fmt.Fprintf(&b, "# written by mirago-exec deploy qemu. The console is on standard output.\n")
		fmt.Fprintf(&b, "# QEMU exits with the program's exit status (Arm semihosting), which\n")
		fmt.Fprintf(&b, "# needs TCG. Arguments are more QEMU options.\n")
		b.WriteString(command(false, ""))
		return b.String(), nil
	}
	fmt.Fprintf(&b, "# Boots %s, a GOOS=xen image, under QEMU; written by mirago-exec deploy qemu.\n", d.name)
	fmt.Fprintf(&b, "# The console is on standard output. QEMU exits with 2N+1 when the\n")
	fmt.Fprintf(&b, "# program exits with status N (isa-debug-exit), with 0 if the guest\n")
	fmt.Fprintf(&b, "# stopped without reporting one. Arguments are more QEMU options.\n")
	switch d.accel {
	case "kvm":
		b.WriteString(command(true, ""))
	case "tcg":
		b.WriteString(command(false, ""))
	default:
		b.WriteString("if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw -e vmx -e svm /proc/cpuinfo; then\n")
		b.WriteString(command(true, "\t"))
		b.WriteString("fi\n")
		b.WriteString(command(false, ""))
	}
	return b.String(), nil
}

// qemuFlagOptions are the options of qemuArgs that take no value.
var qemuFlagOptions = map[string]bool{
	"-nodefaults":     true,
	"-no-user-config": true,
	"-nographic":      true,
	"-no-reboot":      true,
}

// shellQuote returns s as one word for sh: as it is if only characters
// that sh never treats specially are in it, else in single quotes.
func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// xlConfig returns the xl configuration, as runXL writes it but for a
// domain without the wrapper's archive of the working directory.
func (d *deployment) xlConfig() string {
	cfg := xenConfig{memMiB: d.memMiB, vcpus: d.cpus, vif: d.bridge != "", bridge: d.bridge, disk: d.disk, arm: d.arch == "arm64"}
	return cfg.xlConfig(d.name, d.kernel, d.cmdline, "").String()
}

// Firecracker's configuration file, as its --config-file takes it: the
// body of each API request (PUT /boot-source, /machine-config,
// /drives/ID, /network-interfaces/ID) under the name of its resource.
type (
	fcConfig struct {
		BootSource        fcBootSource  `json:"boot-source"`
		Drives            []struct{}    `json:"drives"` // none, but Firecracker wants the list
		MachineConfig     fcMachine     `json:"machine-config"`
		NetworkInterfaces []fcInterface `json:"network-interfaces,omitempty"`
	}
	fcBootSource struct {
		KernelImagePath string `json:"kernel_image_path"`
		BootArgs        string `json:"boot_args"`
	}
	fcMachine struct {
		VCPUCount  int `json:"vcpu_count"`
		MemSizeMiB int `json:"mem_size_mib"`
	}
	fcInterface struct {
		IfaceID     string `json:"iface_id"`
		HostDevName string `json:"host_dev_name"`
		GuestMAC    string `json:"guest_mac,omitempty"`
	}
)

// firecrackerConfig returns the VM's configuration. boot_args is the
// program's command line alone: Firecracker adds the virtio_mmio.device
// words for its devices, which the runtime takes out (goenvs). The
// runtime finds the vCPUs in the ACPI MADT, which Firecracker gives
// x86 guests from version 1.8 (not tested here); before that it sees
// one.
func (d *deployment) firecrackerConfig() ([]byte, error) {
	c := fcConfig{
		BootSource:    fcBootSource{KernelImagePath: d.kernel, BootArgs: d.cmdline},
		Drives:        []struct{}{},
		MachineConfig: fcMachine{VCPUCount: d.cpus, MemSizeMiB: d.memMiB},
	}
	if d.mac != "" && d.tap == "" {
		return nil, errors.New("-mac is for the interface -tap makes")
	}
	if d.tap != "" {
		c.NetworkInterfaces = []fcInterface{{IfaceID: "eth0", HostDevName: d.tap, GuestMAC: d.mac}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
