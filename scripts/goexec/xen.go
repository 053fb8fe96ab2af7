// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

// With MIRAGO_VMM=xen the wrapper runs xen/amd64 images on real Xen
// instead of QEMU's microvm: in a Xen dom0 (xl on PATH and
// /proc/xen/capabilities saying control_d) with xl create, elsewhere in
// the nested Xen of scripts/xen (package harness), which must be built
// first (go run ./scripts/xen build, or make xen). The guest is a PVH
// domain; its console is copied to standard output, and the exit status
// is N from its last console line "mirago: exit status N" (0-255, not
// modulo 128 as under QEMU), 124 at MIRAGO_TIMEOUT, or 125 if the
// domain ended without that line. The boot archive of the working
// directory becomes the domain's ramdisk, which Xen hands to a PVH
// guest as its first module, as QEMU's -initrd does.
//
// Settings besides the common ones:
//
//	MIRAGO_MEM		guest memory, as for QEMU (1G, 512M, 300 = MiB); default 1G
//	MIRAGO_SMP		the domain's vCPUs (default 1); nested, Xen itself has 2 CPUs
//	MIRAGO_XEN_VIF		if 1, a vif on the bridge (xenbr0; MIRAGO_XEN_BRIDGE in a real dom0)
//	MIRAGO_XEN_DISK		a raw disk image file for the guest's xvda
//	MIRAGO_XEN_VERBOSE	if 1, show xl's messages, and nested also Xen's and dom0's output

// xenConfig is what the environment says about running on Xen.
type xenConfig struct {
	memMiB  int
	vcpus   int
	timeout time.Duration // 0: none
	vif     bool
	bridge  string
	disk    string
	verbose bool
	arm     bool // the image is an arm64 Image, for Xen on Arm
}

// readXenConfig reads the settings for a guest on Xen, an arm64 one if
// arm is set.
func readXenConfig(lookup func(string) (string, bool), arm bool) (xenConfig, error) {
	cfg := xenConfig{memMiB: 1024, timeout: defaultTimeout, bridge: "xenbr0", arm: arm}
	if v, _ := lookup("MIRAGO_MEM"); v != "" {
		n, err := parseMiB(v)
		if err != nil {
			return cfg, fmt.Errorf("MIRAGO_MEM=%q: %v", v, err)
		}
		cfg.memMiB = n
	}
	// The vCPUs, as MIRAGO_SMP gives QEMU's guests CPUs, but one
	// unless it says otherwise: in the nested Xen of the tests, 2-vCPU
	// amd64 domains running std's tests rebooted (a triple fault) in 2
	// of 3 runs of a six-package sample, a failure not yet found.
	n, err := readSMP(lookup)
	if err != nil {
		return cfg, err
	}
	v, _ := lookup("MIRAGO_SMP")
	if v == "" {
		n = 1
	}
	cfg.vcpus = n
	timeout, err := readTimeout(lookup)
	if err != nil {
		return cfg, err
	}
	cfg.timeout = timeout
	for _, name := range []string{"MIRAGO_NET", "MIRAGO_QEMU_FLAGS"} {
		if v, _ := lookup(name); v != "" {
			return cfg, fmt.Errorf("%s is for QEMU; with MIRAGO_VMM=xen use MIRAGO_XEN_VIF=1 for a network", name)
		}
	}
	switch v, _ := lookup("MIRAGO_XEN_VIF"); v {
	case "", "0":
	case "1":
		cfg.vif = true
	default:
		return cfg, fmt.Errorf("MIRAGO_XEN_VIF=%q: want 1 or 0", v)
	}
	if v, _ := lookup("MIRAGO_XEN_BRIDGE"); v != "" {
		cfg.bridge = v
	}
	if v, _ := lookup("MIRAGO_XEN_DISK"); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			return cfg, err
		}
		cfg.disk = abs
	}
	v, _ = lookup("MIRAGO_XEN_VERBOSE")
	cfg.verbose = v == "1"
	return cfg, nil
}

// parseMiB reads a memory size as QEMU's -m does: a number of MiB, or
// with a suffix M or G.
func parseMiB(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1024, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		s = strings.TrimSuffix(s, "M")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<20/mult {
		return 0, errors.New("want a size like 512M, 1G or 300 (MiB)")
	}
	return n * mult, nil
}

// inDom0 reports whether this is a Xen control domain with xl.
func inDom0() bool {
	caps, err := os.ReadFile("/proc/xen/capabilities")
	if err != nil || !strings.Contains(string(caps), "control_d") {
		return false
	}
	_, err = exec.LookPath("xl")
	return err == nil
}

// guestInputs are what the wrapper passes to a guest however it runs:
// the command line and, unless MIRAGO_NOMOUNT=1, the archive of the
// working directory. cleanup removes the archive.
func (w *wrapper) guestInputs(args []string) (cmdline, archive string, cleanup func(), err error) {
	cleanup = func() {}
	env, err := guestEnv(w.lookup)
	if err != nil {
		return "", "", cleanup, err
	}
	if v, _ := w.lookup("MIRAGO_NOMOUNT"); v != "1" {
		file, dir, warning := cwdArchive()
		if warning != "" {
			w.errorf("%s", warning)
		}
		if file != "" {
			cleanup = func() { os.Remove(file) }
			archive = file
			env = append(env, "PWD="+dir)
		}
	}
	cmdline, err = encodeCmdline(env, args)
	if err != nil {
		cleanup()
		return "", "", func() {}, fmt.Errorf("cannot pass to the guest: %v", err)
	}
	return cmdline, archive, cleanup, nil
}

func (w *wrapper) runXen(image string, args []string) int {
	if _, err := os.Stat(image); err != nil {
		w.errorf("cannot read image: %v", err)
		return exitFailed
	}
	check := checkNotArm64Image
	if w.goarch == "arm64" {
		check = checkArm64Image
	}
	if err := check(image); err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	cfg, err := readXenConfig(w.lookup, w.goarch == "arm64")
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	dom0 := inDom0()
	var a *harness.Artifacts
	if !dom0 {
		if _, err := harness.LookQEMU(w.goarch); err != nil {
			w.errorf("MIRAGO_VMM=xen: %v", err)
			return exitNoQEMU
		}
		if a, err = harness.FindArch(w.goarch); err != nil {
			w.errorf("MIRAGO_VMM=xen: %v", err)
			return exitFailed
		}
	}
	cmdline, archive, cleanup, err := w.guestInputs(args)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	defer cleanup()
	if dom0 {
		// SIGQUIT is for the guest (runXL).
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		return w.runXL(ctx, image, cmdline, archive, cfg)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer stop()

	timeout := cfg.timeout
	if timeout == 0 {
		timeout = 365 * 24 * time.Hour
	}
	res, err := harness.Run(ctx, a, harness.Options{
		Guests: []harness.Guest{{
			Name: "mirago", Image: image, Extra: cmdline, Memory: cfg.memMiB, VCPUs: cfg.vcpus,
			Ramdisk: archive, Vif: cfg.vif, Disk: cfg.disk, Timeout: timeout,
		}},
		Stdout: w.stdout, Stderr: w.stderr, Verbose: cfg.verbose,
	})
	switch {
	case errors.Is(err, harness.QEMUMissing):
		w.errorf("%v", err)
		return exitNoQEMU
	case ctx.Err() != nil:
		w.errorf("interrupted; stopped Xen")
		return exitFailed
	case err != nil:
		w.errorf("%v", err)
		return exitFailed
	}
	g := res.Guests[0]
	w.reportXen(g.HasLine, g.Status, g.Reason, cfg.timeout)
	if !g.HasLine && (g.Reason == "reboot" || g.Reason == "crash") && len(g.Xen) > 0 && !cfg.verbose {
		// Xen ended the domain (a triple fault is a reboot) and says
		// why, with the vCPU's registers.
		fmt.Fprintf(w.stderr, "the last of Xen's console:\n%s\n", strings.Join(g.Xen, "\n"))
	}
	return g.Status
}

// reportXen explains a status that is not the program's.
func (w *wrapper) reportXen(hasLine bool, status int, reason string, timeout time.Duration) {
	switch {
	case hasLine:
	case status == exitTimeout:
		w.errorf("the guest did not finish within %v (MIRAGO_TIMEOUT); destroyed it", timeout)
	default:
		w.errorf("the guest ended without reporting an exit status (domain shut down: %s)", reason)
	}
}

// xlConfig returns the domain configuration for the image at kernel
// with these settings. runXL creates domains from it, and deploy xl
// writes it, so that what the tests run in a dom0 is what users deploy.
func (cfg xenConfig) xlConfig(name, kernel, cmdline, ramdisk string) harness.XLConfig {
	xc := harness.XLConfig{Name: name, Kernel: kernel, Ramdisk: ramdisk, Extra: cmdline, Memory: cfg.memMiB, VCPUs: max(cfg.vcpus, 1), Disk: cfg.disk, Arm: cfg.arm}
	if cfg.vif {
		xc.Bridge = cfg.bridge
	}
	return xc
}

// runXL runs the image with xl create in this dom0, its console through
// xl's console client, and waits for the domain's end.
func (w *wrapper) runXL(ctx context.Context, image, cmdline, archive string, cfg xenConfig) int {
	img, err := filepath.Abs(image)
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	name := fmt.Sprintf("mirago-%d", os.Getpid())
	xc := cfg.xlConfig(name, img, cmdline, archive)
	f, err := os.CreateTemp("", "mirago-*.cfg")
	if err != nil {
		w.errorf("%v", err)
		return exitFailed
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(xc.String()); err != nil {
		f.Close()
		w.errorf("%v", err)
		return exitFailed
	}
	f.Close()

	// -F keeps xl in the foreground until the domain is gone; -c
	// attaches the console from the start.
	cmd := exec.Command("xl", "create", "-F", "-c", f.Name())
	console := &statusWriter{w: w.stdout}
	cmd.Stdout = console
	// xl's own messages are for when something goes wrong; the
	// shutdown reason among them is for the status message.
	xlMsgs := &xlMessages{verbose: cfg.verbose, w: w.stderr}
	cmd.Stderr = xlMsgs
	// The console client, xl's child, may hold the output after xl
	// has exited.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		w.errorf("xl create: %v", err)
		return exitFailed
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// stop destroys the domain and waits a bounded time for xl. xl
	// itself has been seen to abort now and then (an assertion in
	// libxentoolcore), so a failed destroy is tried again while the
	// domain is still there.
	stop := func() {
		for try := 0; try < 3; try++ {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := exec.CommandContext(ctx, "xl", "destroy", name).Run()
			cancel()
			if err == nil || exec.Command("xl", "domid", name).Run() != nil {
				break
			}
			time.Sleep(time.Second)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	// quit sends the domain an NMI, which a Mirago guest takes as
	// SIGQUIT (it prints its goroutines and shuts down), and reports
	// whether xl then ends within wait, and how.
	// A failed trigger is tried again, as a failed destroy is in stop;
	// nmiErr keeps the last failure for the message.
	var nmiErr error
	quit := func(wait time.Duration) (ended bool, err error) {
		for try := 0; try < 3; try++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := exec.CommandContext(ctx, "xl", "trigger", name, "nmi").CombinedOutput()
			cancel()
			if err == nil {
				nmiErr = nil
				break
			}
			nmiErr = fmt.Errorf("xl trigger nmi: %v: %s", err, bytes.TrimSpace(out))
			if exec.Command("xl", "domid", name).Run() != nil {
				break
			}
			time.Sleep(time.Second)
		}
		return awaitEnd(done, wait)
	}
	sigquit := make(chan os.Signal, 1)
	signal.Notify(sigquit, syscall.SIGQUIT)
	defer signal.Stop(sigquit)
	var expired <-chan time.Time
	if cfg.timeout > 0 {
		t := time.NewTimer(cfg.timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case err = <-done:
	case <-expired:
		if ended, _ := quit(xenTimeoutQuitWait); ended {
			_, hasLine := console.result()
			w.errorf("the guest did not finish within %v (MIRAGO_TIMEOUT); %s", cfg.timeout, afterNMI(hasLine))
			return exitTimeout
		}
		stop()
		if nmiErr != nil {
			w.errorf("the guest did not finish within %v (MIRAGO_TIMEOUT) and could not be sent an NMI (%v); destroyed it", cfg.timeout, nmiErr)
			return exitTimeout
		}
		w.reportXen(false, exitTimeout, "", cfg.timeout)
		return exitTimeout
	case <-sigquit:
		// As for QEMU (runQEMUx86): the guest's status follows.
		var ended bool
		if ended, err = quit(quitWait); !ended {
			stop()
			if nmiErr != nil {
				w.errorf("%v, and the NMI that passes it on failed (%v); destroyed domain %s", syscall.SIGQUIT, nmiErr, name)
				return 128 + int(syscall.SIGQUIT)
			}
			w.errorf("%v; destroyed domain %s", syscall.SIGQUIT, name)
			return 128 + int(syscall.SIGQUIT)
		}
	case <-ctx.Done():
		stop()
		w.errorf("interrupted; destroyed domain %s", name)
		return exitFailed
	}
	status, hasLine := console.result()
	if !hasLine && err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		w.errorf("xl create: %v\n%s", err, strings.TrimSpace(xlMsgs.String()))
		return exitFailed
	}
	w.reportXen(hasLine, status, xlMsgs.reason(), cfg.timeout)
	return status
}

// statusWriter copies the console to w and notes the last status line.
type statusWriter struct {
	w io.Writer

	mu      sync.Mutex
	part    []byte
	status  int
	hasLine bool
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.part = append(s.part, p...)
	for {
		i := bytes.IndexByte(s.part, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(s.part[:i]), "\r")
		s.part = s.part[i+1:]
		if m := harness.StatusLine.FindStringSubmatch(line); m != nil {
			if n, _ := strconv.Atoi(m[1]); n <= 255 {
				s.status, s.hasLine = n, true
			}
		}
	}
	s.mu.Unlock()
	return s.w.Write(p)
}

func (s *statusWriter) result() (status int, hasLine bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasLine {
		return exitFailed, false
	}
	return s.status, true
}

// xlMessages keeps what xl create -F writes on its standard error,
// copying it to w as well if verbose.
type xlMessages struct {
	verbose bool
	w       io.Writer

	mu  sync.Mutex
	buf strings.Builder
}

func (x *xlMessages) Write(p []byte) (int, error) {
	x.mu.Lock()
	if x.buf.Len() < 64<<10 {
		x.buf.Write(p)
	}
	x.mu.Unlock()
	if x.verbose {
		return x.w.Write(p)
	}
	return len(p), nil
}

func (x *xlMessages) String() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.buf.String()
}

// xlShutdownRe matches xl create -F's report of the domain's shutdown
// (tools/xl/xl_vmcontrol.c); the codes are Xen's SHUTDOWN_* values.
var xlShutdownRe = regexp.MustCompile(`has shut down, reason code (\d+)`)

// reason names the domain's shutdown reason from xl's messages.
func (x *xlMessages) reason() string {
	m := xlShutdownRe.FindStringSubmatch(x.String())
	if m == nil {
		return "unknown; MIRAGO_XEN_VERBOSE=1 shows xl's messages"
	}
	names := []string{"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"}
	if n, err := strconv.Atoi(m[1]); err == nil && n < len(names) {
		return names[n]
	}
	return "reason code " + m[1]
}
