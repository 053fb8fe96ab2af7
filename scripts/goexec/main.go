// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Mirago-exec runs a Mirago image under QEMU as if it were a host
// program, so that go run and go test work for GOOS=xen and GOOS=solo5.
//
// The go command runs a binary for another GOOS/GOARCH through
// go_$GOOS_$GOARCH_exec from $PATH, as
//
//	go_xen_amd64_exec IMAGE [ARGS...]
//
// scripts/goroot.sh installs this program as $GOROOT/bin/mirago-exec
// with go_xen_amd64_exec and the other three names linked to it; the
// name it is called by selects the target. Called as mirago-exec, it
// takes the target from -goos and -goarch or from $GOOS and $GOARCH.
//
// For xen/amd64 it boots IMAGE with qemu-system-x86_64 (microvm, PVH
// entry), passes ARGS and some environment variables on the kernel
// command line, copies the guest's serial console to standard output as
// it arrives and exits with the program's exit status.
//
// For xen/arm64 it boots IMAGE, an arm64 Linux Image, with
// qemu-system-aarch64 (virt) in the same way, without devices (see
// xenarm64.go).
//
// For solo5/amd64 it runs IMAGE under the Solo5 spt tender, solo5-spt
// (see solo5.go).
//
// Exit statuses: the program's own status (0-127; xen/arm64 0-255), or
//
//	124	the timeout ($MIRAGO_TIMEOUT) expired and QEMU was killed
//	125	the guest stopped without reporting a status (for example a
//		triple fault), QEMU failed, the image is not one for the
//		target, or the wrapper was misused
//	126	the target cannot run on this host (solo5/arm64 on amd64)
//	127	QEMU is not installed (solo5/amd64: solo5-spt is not found)
//
// On xen/amd64 the guest reports its status through QEMU's
// isa-debug-exit device, which makes QEMU exit with (status<<1)|1. Only
// 8 bits of that reach the wrapper, so statuses from 128 up arrive
// modulo 128: os.Exit(200) looks like os.Exit(72). (On xen/arm64,
// semihosting passes all 8 bits.) Go programs exit with 0, 1 or 2
// unless they choose otherwise.
//
// Environment:
//
//	MIRAGO_MEM		guest memory (QEMU -m), default 1G
//	MIRAGO_SMP		virtual CPUs (QEMU -smp), 1 to 16, default the host's CPUs up to 4
//				(xen/arm64: 1, the only count it takes); under TCG, more than one
//				runs multi-threaded (-accel tcg,thread=multi), a host thread per CPU
//	MIRAGO_TIMEOUT		Go duration after which QEMU is killed, default 30m; 0 means none
//	MIRAGO_QEMU_FLAGS	extra QEMU arguments, split on spaces
//	MIRAGO_NET		a network device: a QEMU -netdev backend without the id, such as
//				user,hostfwd=tcp:127.0.0.1:8080-:80 or tap,ifname=tap0,script=no,downscript=no;
//				the guest gets it as a virtio-net device (eth0). Unset: no network device.
//	MIRAGO_ENV		comma-separated names of more variables to pass to the guest
//	MIRAGO_ACCEL		kvm, tcg or auto (default): KVM if /dev/kvm works, else TCG;
//				xen/arm64 always uses TCG
//	MIRAGO_TIMING		if set, print the time to the first console line and to exit on stderr
//	MIRAGO_NOMOUNT		if 1, do not mount the working directory in the guest
//	MIRAGO_VMM		qemu (default) or xen: real Xen, in this dom0 or nested in QEMU (see xen.go);
//				xen is for xen/amd64 only
//	MIRAGO_TAP		solo5/amd64: the tap device for the image's network device (see solo5.go)
//	MIRAGO_MAC		solo5/amd64: the MAC address of the image's network device
//
// The working directory's tree (directories, regular files, symbolic
// links) is passed to the guest read-only at the same absolute path, as
// a newc cpio archive given to QEMU with -initrd, and PWD on the command
// line makes it the guest's working directory: go test runs a test in
// its package directory, and the test can open testdata/... A tree of
// more than 64 MiB or 10000 entries, or one that cannot be read, is not
// mounted; the wrapper says so on stderr and runs the program anyway.
//
// GODEBUG, GOGC, GOMEMLIMIT, GOMAXPROCS, GOTRACEBACK, TZ, and the network
// settings MIRAGO_IP and MIRAGO_DNS (see internal/netstack) are passed to
// the guest when set.
//
// Called as mirago-exec, it also writes what other engines need to run
// an image, without running it:
//
//	mirago-exec deploy KIND [flags] IMAGE [ARGS...]
//
// where KIND is qemu (a shell script), xl (a Xen domain configuration),
// firecracker (a VM configuration) or oci (a container image holding the
// image, for KubeVirt's kernel boot); see deploy.go and docs/deploy.md.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit statuses of the wrapper itself; see the package comment.
const (
	exitTimeout     = 124
	exitFailed      = 125
	exitUnsupported = 126
	exitNoQEMU      = 127
)

const (
	// defaultMem is what go test needs: standard-library tests that
	// pass on a Linux machine peak at about 260 MB (regexp/syntax).
	// QEMU allocates guest memory on first touch, and the runtime
	// touches only what it uses, so a larger -m costs nothing at boot.
	defaultMem     = "1G"
	maxSMP         = 16 // the runtime's maxCPUs
	defaultTimeout = 30 * time.Minute

	// maxDefaultSMP caps the CPUs a guest gets when MIRAGO_SMP is
	// unset. Under TCG each CPU is a host thread, and go test runs
	// several guests at once, so more than 4 would only compete for
	// the host's cores.
	maxDefaultSMP = 4

	// debugExitPort is where the guest writes its exit status. 0xf4 is
	// the port QEMU's own tests and most unikernels use for
	// isa-debug-exit; the runtime writes the status there as a 32-bit
	// OUT.
	debugExitPort = 0xf4
)

func main() {
	os.Exit(run(os.Args, os.LookupEnv, os.Stdout, os.Stderr))
}

// wrapper holds one invocation's settings.
type wrapper struct {
	name   string // how we were called, for messages
	goos   string
	goarch string
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)
}

func (w *wrapper) errorf(format string, args ...any) {
	fmt.Fprintf(w.stderr, "%s: %s\n", w.name, fmt.Sprintf(format, args...))
}

// run is main without the process around it, for tests.
func run(argv []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	w := &wrapper{name: filepath.Base(argv[0]), stdout: stdout, stderr: stderr, lookup: lookup}
	args := argv[1:]
	if goos, goarch, ok := parseExecName(w.name); ok {
		w.goos, w.goarch = goos, goarch
	} else {
		fs := flag.NewFlagSet(w.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		env := func(k string) string { v, _ := lookup(k); return v }
		fs.StringVar(&w.goos, "goos", env("GOOS"), "target `GOOS` (default $GOOS)")
		fs.StringVar(&w.goarch, "goarch", env("GOARCH"), "target `GOARCH` (default $GOARCH)")
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: %s [-goos GOOS] [-goarch GOARCH] IMAGE [ARGS...]\n", w.name)
			fmt.Fprintf(stderr, "       %s deploy KIND [flags] IMAGE [ARGS...]\n", w.name)
			fs.PrintDefaults()
		}
		if err := fs.Parse(args); err != nil {
			return exitFailed
		}
		args = fs.Args()
		// Only under its own name: for the go command, the first
		// argument is always the image.
		if len(args) > 0 && args[0] == "deploy" {
			return w.deploy(args[1:])
		}
	}
	if len(args) < 1 {
		fmt.Fprintf(stderr, "usage: %s IMAGE [ARGS...]\n", w.name)
		return exitFailed
	}
	switch w.goos + "/" + w.goarch {
	case "xen/amd64":
		switch vmm, _ := lookup("MIRAGO_VMM"); vmm {
		case "", "qemu":
			return w.runQEMUx86(args[0], args)
		case "xen":
			return w.runXen(args[0], args)
		default:
			w.errorf("MIRAGO_VMM=%q: want qemu or xen", vmm)
			return exitFailed
		}
	case "xen/arm64":
		switch vmm, _ := lookup("MIRAGO_VMM"); vmm {
		case "", "qemu":
			return w.runQEMUArm64(args[0], args)
		case "xen":
			return w.runXen(args[0], args)
		default:
			w.errorf("MIRAGO_VMM=%q: want qemu or xen", vmm)
			return exitFailed
		}
	case "solo5/amd64":
		return w.runSPT(args[0], args)
	case "solo5/arm64":
		// The Solo5 tenders run an image of their own machine only:
		// spt loads it into its process, hvt into a KVM guest.
		if runtime.GOARCH != "arm64" {
			w.errorf("GOOS=solo5 GOARCH=arm64 images run only under an arm64 Solo5 tender (solo5-spt or solo5-hvt on an arm64 Linux host), and this host is %s", runtime.GOARCH)
			return exitUnsupported
		}
		return w.runSPT(args[0], args)
	default:
		w.errorf("unknown target GOOS=%q GOARCH=%q (want xen or solo5, amd64 or arm64)", w.goos, w.goarch)
		return exitFailed
	}
}

// parseExecName returns the target in a name of the form
// go_GOOS_GOARCH_exec, the name the go command looks for.
func parseExecName(name string) (goos, goarch string, ok bool) {
	rest, ok := strings.CutPrefix(name, "go_")
	if !ok {
		return "", "", false
	}
	rest, ok = strings.CutSuffix(rest, "_exec")
	if !ok {
		return "", "", false
	}
	goos, goarch, ok = strings.Cut(rest, "_")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "_") {
		return "", "", false
	}
	return goos, goarch, true
}

// qemuArgs returns the arguments for qemu-system-x86_64 to boot image
// with cmdline on smp CPUs, with QEMU's monitor on the Unix socket mon
// if it is not empty.
func qemuArgs(image, cmdline, mem string, smp int, kvm bool, mon string, extra []string) []string {
	args := []string{
		// microvm boots a PVH ELF directly and has an ISA bus for
		// the serial port and isa-debug-exit. auto-kernel-cmdline=off
		// keeps QEMU from appending virtio-mmio device descriptions
		// for Linux to the command line, where the runtime would
		// take them for arguments.
		"-M", "microvm,auto-kernel-cmdline=off",
	}
	switch {
	case kvm:
		args = append(args, "-accel", "kvm", "-cpu", "host")
	case smp > 1:
		// A host thread per CPU: single-threaded TCG would run the
		// CPUs in turn.
		args = append(args, "-accel", "tcg,thread=multi", "-cpu", "max")
	default:
		args = append(args, "-accel", "tcg", "-cpu", "max")
	}
	if smp > 1 {
		args = append(args, "-smp", strconv.Itoa(smp))
	}
	args = append(args,
		"-m", mem,
		"-nodefaults", "-no-user-config", "-nographic",
		// A triple fault resets the machine; without -no-reboot the
		// guest would boot again and again.
		"-no-reboot",
		"-kernel", image,
		"-append", cmdline,
		"-chardev", "stdio,id=mirago-con,mux=on",
		"-serial", "chardev:mirago-con",
		"-device", fmt.Sprintf("isa-debug-exit,iobase=%#x,iosize=0x04", debugExitPort),
		// microvm's virtio-mmio transports are legacy (version 1)
		// by default; the guest's drivers speak version 2, which
		// virtio 1.0 and later define.
		"-global", "virtio-mmio.force-legacy=false",
	)
	if mon != "" {
		args = append(args, "-monitor", "unix:"+mon+",server=on,wait=off")
	}
	args = append(args, extra...)
	// The console: COM1 while the runtime boots, then a virtio
	// console, which takes a write in one exit rather than one per
	// byte (virtiocons_xen.go in the runtime). Both write to
	// standard output, through the one multiplexed character device.
	// QEMU gives each -device the free virtio-mmio transport with the
	// highest address, so these come last and leave the user's
	// devices where they would be without them.
	return append(args,
		"-device", "virtio-serial-device",
		"-device", "virtconsole,chardev=mirago-con")
}

// config is what the environment says about running QEMU.
type config struct {
	mem     string        // -m
	smp     int           // -smp
	timeout time.Duration // 0: none
	extra   []string      // more QEMU arguments
	kvm     bool          // KVM rather than TCG
	timing  bool          // report boot timing
}

// readTimeout reads MIRAGO_TIMEOUT, defaultTimeout if unset.
func readTimeout(lookup func(string) (string, bool)) (time.Duration, error) {
	v, _ := lookup("MIRAGO_TIMEOUT")
	if v == "" {
		return defaultTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("MIRAGO_TIMEOUT=%q is not a duration like 90s or 10m", v)
	}
	return d, nil
}

// hostCPUs is the number of CPUs this process may use; a variable so
// that tests can pretend to run on other hosts.
var hostCPUs = runtime.NumCPU

// readSMP reads MIRAGO_SMP, the guest's CPUs. Unset, it is the host's
// CPUs up to maxDefaultSMP: a Go program's GOMAXPROCS follows the CPUs
// it sees, so a guest sized like the host behaves as the same program
// would there.
func readSMP(lookup func(string) (string, bool)) (int, error) {
	v, _ := lookup("MIRAGO_SMP")
	if v == "" {
		return max(1, min(hostCPUs(), maxDefaultSMP)), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxSMP {
		return 0, fmt.Errorf("MIRAGO_SMP=%q: want a number of CPUs from 1 to %d", v, maxSMP)
	}
	return n, nil
}

// readConfig reads the MIRAGO_* variables; see the package comment.
func readConfig(lookup func(string) (string, bool)) (config, error) {
	cfg := config{mem: defaultMem, timeout: defaultTimeout}
	if v, _ := lookup("MIRAGO_MEM"); v != "" {
		cfg.mem = v
	}
	smp, err := readSMP(lookup)
	if err != nil {
		return cfg, err
	}
	cfg.smp = smp
	timeout, err := readTimeout(lookup)
	if err != nil {
		return cfg, err
	}
	cfg.timeout = timeout
	if v, _ := lookup("MIRAGO_NET"); v != "" {
		net, err := netArgs(v)
		if err != nil {
			return cfg, fmt.Errorf("MIRAGO_NET=%q: %v", v, err)
		}
		cfg.extra = append(cfg.extra, net...)
	}
	if v, _ := lookup("MIRAGO_QEMU_FLAGS"); v != "" {
		cfg.extra = append(cfg.extra, strings.Fields(v)...)
	}
	_, cfg.timing = lookup("MIRAGO_TIMING")
	accel, _ := lookup("MIRAGO_ACCEL")
	cfg.kvm, err = useKVM(accel)
	return cfg, err
}

// netArgs returns the QEMU arguments for a virtio-net device on the
// -netdev backend, such as user,hostfwd=tcp::8080-:80.
func netArgs(backend string) ([]string, error) {
	if strings.HasPrefix(backend, "id=") || strings.Contains(backend, ",id=") {
		return nil, errors.New("leave out the id; the wrapper names the backend")
	}
	return []string{
		"-netdev", backend + ",id=mirago-net0",
		"-device", "virtio-net-device,netdev=mirago-net0",
	}, nil
}

// useKVM decides between KVM and TCG. $MIRAGO_ACCEL may say "kvm" or
// "tcg"; by default ("auto") KVM is used when /dev/kvm opens and the CPU
// flags in cpuinfo offer hardware virtualization. Both are needed: some
// sandboxes expose a /dev/kvm that opens but on which QEMU aborts
// ("failed to set MSR"), and there the flags are missing.
func useKVM(accel string) (bool, error) {
	switch accel {
	case "kvm":
		return true, nil
	case "tcg":
		return false, nil
	case "", "auto":
	default:
		return false, fmt.Errorf("MIRAGO_ACCEL=%q: want kvm, tcg or auto", accel)
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false, nil
	}
	f.Close()
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false, nil
	}
	return hasVirtFlag(cpuinfo), nil
}

// hasVirtFlag reports whether a "flags" line of cpuinfo lists vmx
// (Intel VT-x) or svm (AMD-V).
func hasVirtFlag(cpuinfo []byte) bool {
	for _, line := range strings.Split(string(cpuinfo), "\n") {
		name, flags, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) != "flags" {
			continue
		}
		for _, f := range strings.Fields(flags) {
			if f == "vmx" || f == "svm" {
				return true
			}
		}
	}
	return false
}

// quitWait is how long the guest has to print its goroutines and exit
// after the NMI that passes on SIGQUIT: within the 5 s that go test
// leaves a test binary between SIGQUIT and SIGKILL.
const quitWait = 4 * time.Second

// xenTimeoutQuitWait is how long a Xen domain has after the NMI sent
// at MIRAGO_TIMEOUT, when no go test is waiting to kill the wrapper:
// longer, because on a loaded host Xen has been seen to take more than
// quitWait to tear down a domain that had already stopped.
const xenTimeoutQuitWait = 20 * time.Second

// maxSocketPath keeps a Unix socket's path within sun_path (108 bytes
// on Linux).
const maxSocketPath = 100

// quitGuest sends the guest an NMI through QEMU's monitor socket mon
// and waits up to wait for QEMU to end, which done reports. It returns
// whether QEMU ended, and if so, what done said.
func quitGuest(mon string, done <-chan error, wait time.Duration) (ended bool, waitErr error) {
	if mon == "" {
		return false, nil
	}
	c, err := net.DialTimeout("unix", mon, time.Second)
	if err != nil {
		return false, nil
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, "nmi\n"); err != nil {
		return false, nil
	}
	return awaitEnd(done, wait)
}

// afterNMI says what became of a guest that ended after an NMI, by
// whether it reported a status.
func afterNMI(reported bool) string {
	if reported {
		return "sent it an NMI: its goroutines are above"
	}
	return "sent it an NMI, and it ended without reporting a status"
}

// awaitEnd waits up to wait, after an NMI, for the VM to end, which
// done reports. It returns whether it ended, and if so, what done said.
func awaitEnd(done <-chan error, wait time.Duration) (ended bool, waitErr error) {
	select {
	case err := <-done:
		return true, err
	case <-time.After(wait):
		return false, nil
	}
}

func (w *wrapper) runQEMUx86(image string, args []string) int {
	const qemu = "qemu-system-x86_64"
	qemuPath, err := exec.LookPath(qemu)
	if err != nil {
		w.errorf("%s not found in $PATH (on Debian: apt-get install qemu-system-x86)", qemu)
		return exitNoQEMU
	}
	// QEMU's own message for a missing kernel is less clear, and its
	// exit status (1) is that of a guest exiting with 0.
	f, err := os.Open(image)
	if err != nil {
		w.errorf("cannot read image: %v", err)
		return exitFailed
	}
	f.Close()
	if err := checkNotArm64Image(image); err != nil {
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
	khz, err := tscKHz(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	if khz > 0 {
		env = append(env, "tsc_khz="+strconv.FormatUint(khz, 10))
	}
	cmdline, err := encodeCmdline(env, args)
	if err != nil {
		w.errorf("cannot pass to the guest: %v", err)
		return exitFailed
	}
	cfg, err := readConfig(w.lookup)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}

	// QEMU's monitor, on a socket of our own, is how the wrapper sends
	// the guest an NMI, which the runtime takes as SIGQUIT.
	mon := ""
	if dir, err := os.MkdirTemp("", "mirago-"); err == nil {
		defer os.RemoveAll(dir)
		if p := filepath.Join(dir, "monitor"); len(p) < maxSocketPath {
			mon = p
		}
	}

	return w.superviseQEMU(image, qemuPath, qemuArgs(image, cmdline, cfg.mem, cfg.smp, cfg.kvm, mon, append(initrd, cfg.extra...)), mon, cfg, guestStatus)
}

// mountCwd archives the working directory for the guest unless
// MIRAGO_NOMOUNT=1, and returns the QEMU arguments that pass it
// (-initrd FILE), env with PWD added, and a function that removes the
// archive. A directory that cannot be archived is reported on stderr
// and not mounted.
func (w *wrapper) mountCwd(env []string) (initrd, newEnv []string, cleanup func()) {
	cleanup = func() {}
	if v, _ := w.lookup("MIRAGO_NOMOUNT"); v == "1" {
		return nil, env, cleanup
	}
	file, dir, warning := cwdArchive()
	if warning != "" {
		w.errorf("%s", warning)
	}
	if file == "" {
		return nil, env, cleanup
	}
	return []string{"-initrd", file}, append(env, "PWD="+dir), func() { os.Remove(file) }
}

// superviseQEMU runs qemuPath with args for the image, copies the
// guest's console to standard output, enforces cfg.timeout, passes on
// signals, and returns the wrapper's exit status: status maps QEMU's
// exit status and what QEMU wrote on its standard error to the
// program's. mon is QEMU's monitor socket, through which the guest is
// sent an NMI, or "" if the guest takes none; then the timeout and
// SIGQUIT kill QEMU at once.
func (w *wrapper) superviseQEMU(image, qemuPath string, args []string, mon string, cfg config, status func(qemuStatus int, qemuStderr []byte) (int, string)) int {
	qemu := filepath.Base(qemuPath)
	cmd := exec.Command(qemuPath, args...)
	cmd.Stdin = nil // /dev/null: QEMU must not touch the terminal
	// A regular file gets QEMU's writes directly. Anything else (go
	// test's pipe, a terminal, which QEMU's stdio character device
	// would put into raw mode) gets the console through a file that
	// the wrapper follows (consoleFile): QEMU would drop the virtio
	// console's output that a full pipe refuses.
	console := &firstLine{w: w.stdout}
	var cons *consoleFile
	if f, ok := w.stdout.(*os.File); ok && !cfg.timing && isRegularFile(f) {
		cmd.Stdout = f
	} else {
		var err error
		if cons, err = newConsoleFile(); err != nil {
			w.errorf("a file for the console: %v", err)
			return exitFailed
		}
		cmd.Stdout = cons.w
	}
	// finishConsole waits until the console is copied, once QEMU has
	// exited, so that the wrapper's own messages come after it.
	finishConsole := func() {
		if cons != nil {
			cons.finish()
		}
	}
	qemuErr := &headBuffer{w: w.stderr, max: 4096}
	cmd.Stderr = qemuErr
	setKillOnParentDeath(cmd)

	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigc)

	start := time.Now()
	console.start = start
	err := cmd.Start()
	if cons != nil {
		cons.w.Close() // QEMU has its own
		if err != nil {
			cons.r.Close()
		}
	}
	if err != nil {
		w.errorf("starting %s: %v", qemu, err)
		return exitFailed
	}
	if cons != nil {
		go cons.follow(console)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var expired <-chan time.Time
	if cfg.timeout > 0 {
		t := time.NewTimer(cfg.timeout)
		defer t.Stop()
		expired = t.C
	}
	var waitErr error
	select {
	case waitErr = <-done:
	case <-expired:
		// First ask for the goroutines' stacks, as go test's own
		// timeout does for a test binary on Linux.
		how := "killed QEMU"
		if ended, err := quitGuest(mon, done, quitWait); ended {
			var ee *exec.ExitError
			reported := false
			if errors.As(err, &ee) {
				_, msg := status(ee.ExitCode(), qemuErr.Bytes())
				reported = msg == ""
			}
			how = afterNMI(reported)
		} else {
			cmd.Process.Kill()
			<-done
		}
		finishConsole()
		w.errorf("%s did not finish within %v (MIRAGO_TIMEOUT); %s", image, cfg.timeout, how)
		return exitTimeout
	case sig := <-sigc:
		// SIGQUIT is passed on, as an NMI, to a guest that takes
		// one (mon is set): the guest prints its goroutines and
		// exits with status 2, as a Go program does on Linux. go
		// test sends it to a test binary that overruns -timeout by
		// a minute.
		ended := false
		if sig == syscall.SIGQUIT {
			ended, waitErr = quitGuest(mon, done, quitWait)
		}
		if ended {
			break
		}
		cmd.Process.Kill()
		<-done
		finishConsole()
		w.errorf("%v; killed QEMU", sig)
		if s, ok := sig.(syscall.Signal); ok {
			return 128 + int(s)
		}
		return exitFailed
	}
	finishConsole()
	if cfg.timing {
		fmt.Fprintf(w.stderr, "%s: timing: first-line=%s exit=%s\n", w.name, fmtMillis(console.firstLineAfter()), fmtMillis(time.Since(start)))
	}

	qemuStatus := 0
	if waitErr != nil {
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			w.errorf("waiting for QEMU: %v", waitErr)
			return exitFailed
		}
		ws, ok := ee.Sys().(syscall.WaitStatus)
		if ok && ws.Signaled() {
			w.errorf("QEMU died of signal %d (%v)", int(ws.Signal()), ws.Signal())
			return exitFailed
		}
		qemuStatus = ee.ExitCode()
	}
	st, msg := status(qemuStatus, qemuErr.Bytes())
	if msg != "" {
		w.errorf("%s", msg)
	}
	return st
}

// guestStatus maps QEMU's exit status to the program's. qemuStderr is
// what QEMU printed on its standard error, to tell QEMU's own failures
// (status 1) from a guest that exited with status 0 (also 1).
func guestStatus(qemuStatus int, qemuStderr []byte) (status int, msg string) {
	switch {
	case qemuStatus&1 == 1 && !(qemuStatus == 1 && qemuFailed(qemuStderr, "qemu-system-x86_64")):
		return qemuStatus >> 1, ""
	case qemuStatus == 0:
		return exitFailed, "the guest stopped without reporting an exit status (crash, triple fault or shutdown); QEMU exited with status 0"
	default:
		return exitFailed, fmt.Sprintf("QEMU failed with exit status %d", qemuStatus)
	}
}

// qemuFailed reports whether QEMU's standard error holds an error
// message: a line "qemu-system-x86_64: ..." (qemu is the program's
// name) that is not a warning.
func qemuFailed(stderr []byte, qemu string) bool {
	for _, line := range strings.Split(string(stderr), "\n") {
		_, msg, ok := strings.Cut(line, qemu+": ")
		if ok && !strings.HasPrefix(msg, "warning:") {
			return true
		}
	}
	return false
}

// isRegularFile reports whether f is a regular file.
func isRegularFile(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// firstLine copies the console to w and notes when its first newline
// arrived.
type firstLine struct {
	w     io.Writer
	start time.Time

	mu    sync.Mutex
	first time.Duration // 0 until the first newline
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	if f.first == 0 && bytes.IndexByte(p, '\n') >= 0 {
		f.first = time.Since(f.start)
	}
	f.mu.Unlock()
	return f.w.Write(p)
}

func (f *firstLine) firstLineAfter() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

func fmtMillis(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// headBuffer copies to w and keeps the first max bytes written, enough
// for QEMU's error messages.
type headBuffer struct {
	w   io.Writer
	max int

	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *headBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	if room := t.max - t.buf.Len(); room > 0 {
		t.buf.Write(p[:min(room, len(p))])
	}
	t.mu.Unlock()
	return t.w.Write(p)
}

func (t *headBuffer) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf.Bytes())
}
