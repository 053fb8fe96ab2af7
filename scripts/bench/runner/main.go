// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build linux

// Runner measures the benchmark's HTTP server in its three forms, one
// after the other, and prints the comparison table. scripts/bench/run.sh
// builds everything and calls it; see there.
//
// For each form ("target") it starts the process (the server itself, or
// QEMU booting the Linux VM or the Mirago image), polls GET / (every
// millisecond for a process, every 10 ms for a VM: see processPoll) until
// the first good answer (boot to first response), runs the
// load generator (scripts/bench/load) against it, reads the process's
// memory use from /proc and stops it. A target that does not answer in
// time is reported as such and the others still run.
//
// Both VMs run under the same QEMU flags (vmArgs): the machine, CPU,
// memory, one vCPU and the network, QEMU's user-mode networking with a
// host forward to the guest's port 80 on a virtio-net device on
// virtio-mmio. They are the exec wrapper's (scripts/goexec) plus the
// network.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	serverBin   = flag.String("server", "", "host build of scripts/bench/server")
	loadBin     = flag.String("load", "", "build of scripts/bench/load")
	kernel      = flag.String("kernel", "", "Linux VM: the uncompressed kernel (vmlinux) from mklinux")
	initrd      = flag.String("initrd", "", "Linux VM: initramfs.cpio from mklinux")
	linuxAppend = flag.String("linux-append", "", "more Linux kernel command-line `words`")
	miragoImage = flag.String("mirago", "", "Mirago image (GOOS=xen build of scripts/bench/server)")
	vmTap       = flag.String("vm-tap", "", "run the VMs on this tap `device` (the host at 10.0.2.2/24, the guests at 10.0.2.15) rather than on user-mode networking")
	miragoAddr  = flag.String("mirago-addr", "10.0.2.15/24,10.0.2.2", "Mirago: the guest's `address` and gateway (its MIRAGO_IP; dhcp for DHCP)")
	miragoSkip  = flag.String("mirago-skip", "", "if set, why the Mirago image could not be built; the target is reported as not run")
	port        = flag.Int("port", 0, "host TCP `port` for the server and the VMs' host forward (0: a free one)")
	mem         = flag.String("mem", "256M", "VM memory (QEMU -m)")
	accel       = flag.String("accel", "tcg", "QEMU accelerator: tcg or kvm")
	smp         = flag.Int("smp", 1, "vCPUs of each VM (QEMU -smp); under TCG, more than one runs a host thread per vCPU")
	tscKHz      = flag.Int("tsc-khz", 0, "host TSC frequency in kHz for Linux's tsc_early_khz= (0: from /proc/cpuinfo)")
	dur         = flag.Duration("d", 10*time.Second, "measured load `duration` per concurrency")
	warmup      = flag.Duration("warmup", time.Second, "load warm-up `duration` per concurrency")
	boots       = flag.Int("boots", 3, "boots per target for boot to first response (the median is reported; the last boot takes the load)")
	hostTimeout = flag.Duration("host-timeout", 10*time.Second, "host process: time allowed to the first response")
	linuxTimout = flag.Duration("linux-timeout", 60*time.Second, "Linux VM: time allowed to the first response")
	miraTimeout = flag.Duration("mirago-timeout", 20*time.Second, "Mirago: time allowed to the first response")
	sptBin      = flag.String("spt", "", "spt: Solo5's `solo5-spt` tender")
	sptImage    = flag.String("spt-image", "", "spt: GOOS=solo5 build of scripts/bench/server")
	sptTap      = flag.String("spt-tap", "", "spt: the tap `device` for the guest, with the host's address on it")
	sptAddr     = flag.String("spt-addr", "10.78.0.2/24", "spt: the guest's `address` on the tap (its MIRAGO_IP)")
	sptSkip     = flag.String("spt-skip", "", "if set, why the spt target cannot run; it is reported as not run")
	sptTimeout  = flag.Duration("spt-timeout", 10*time.Second, "spt: time allowed to the first response")
	rounds      = flag.Int("rounds", 3, "rounds: each round measures every target once, in turn, and the summary reports the median of each figure and of each ratio over the rounds")
	only        = flag.String("only", "host,linux-vm,mirago,spt", "comma-separated targets to run")
	logDir      = flag.String("logdir", "", "`dir` for each target's console log (default: a temporary directory)")
)

// concurrencies are the load levels, fixed so that tables compare.
var concurrencies = []int{1, 16}

func main() {
	flag.Parse()
	if *serverBin == "" || *loadBin == "" {
		fmt.Fprintln(os.Stderr, "runner: -server and -load are required")
		os.Exit(2)
	}
	if *logDir == "" {
		d, err := os.MkdirTemp("", "mirago-bench-")
		if err != nil {
			fatalf("%v", err)
		}
		*logDir = d
	}
	if err := os.MkdirAll(*logDir, 0o755); err != nil {
		fatalf("%v", err)
	}
	if *port == 0 {
		p, err := freePort()
		if err != nil {
			fatalf("finding a free port: %v", err)
		}
		*port = p
	}
	khz := *tscKHz
	if khz == 0 {
		var err error
		if khz, err = hostTSCkHz(); err != nil {
			fatalf("%v (pass -tsc-khz)", err)
		}
	}

	want := strings.Split(*only, ",")
	fmt.Printf("# load average at the start: %s\n", loadAverage())
	fmt.Printf("# VMs: qemu-system-x86_64 %s [-initrd ... -append ...]\n", strings.Join(vmArgs("KERNEL", *port), " "))
	if *vmTap != "" {
		fmt.Printf("# VMs on the tap %s, the host at 10.0.2.2/24, the guests at %s\n", *vmTap, vmTapGuest)
	}
	fmt.Printf("# mirago: -append \"tsc_khz=%d MIRAGO_IP=%s -- server\"\n", khz, *miragoAddr)
	if *insnsMode {
		runInsns(khz, want)
		fmt.Printf("\n# load average at the end: %s\n", loadAverage())
		return
	}
	fmt.Printf("# load: %s each of c=%s, after %s warm-up; boot = median of %d boots, QEMU/process start to first good GET (polled every %s for a process, %s for a VM); %d rounds, the targets in turn in each; logs in %s\n",
		*dur, joinInts(concurrencies, ","), *warmup, *boots, processPoll, vmPoll, *rounds, *logDir)
	// Each round measures every target once, one after the other, so
	// that a change in the machine's load during the run (another
	// process, thermal limits) falls on all of them rather than on the
	// one measured at that moment; the summary's ratios are each
	// round's, then their median.
	var all [][]*target
	for round := range max(*rounds, 1) {
		targets := []*target{hostTarget(), linuxTarget(khz), miragoTarget(khz), sptTarget()}
		if round == 0 {
			if st := targets[3]; st.skip == "" && slices.Contains(want, st.name) {
				fmt.Printf("# spt: %s, the guest at %s\n", strings.Join(st.argv, " "), st.addr)
			}
		}
		fmt.Printf("\n## round %d of %d, load average %s\n", round+1, *rounds, loadAverage())
		for _, t := range targets {
			t.round = round
			if !slices.Contains(want, t.name) {
				t.skip = "not selected (-only)"
				continue
			}
			if t.skip != "" {
				fmt.Printf("%s: not run: %s\n", t.name, t.skip)
				continue
			}
			t.measure()
		}
		printTable(targets)
		all = append(all, targets)
	}
	if len(all) > 1 {
		printSummary(os.Stdout, all)
	}
	fmt.Printf("\n# load average at the end: %s\n", loadAverage())
}

// loadAverage returns the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "runner: "+format+"\n", args...)
	os.Exit(1)
}

// target is one form of the server and what was measured of it.
type target struct {
	name    string
	argv    []string // the command; "PORT" is replaced by the port
	addr    string   // where the server answers; "" for 127.0.0.1:PORT
	tap     string   // the tap device the guest is on, if it is on one
	timeout time.Duration
	poll    time.Duration // between first-response attempts: see processPoll
	size    int64         // bytes of the image(s) that boot
	sizeOf  string        // what size counts
	meminfo bool          // the guest answers a console newline with a meminfo line
	skip    string        // why it cannot run, if it cannot
	round   int           // which round of -rounds, from 0

	// Results.
	boots    []time.Duration
	listen   time.Duration // to the "listening on" console line, last boot
	load     []loadResult
	rssKB    int64
	hwmKB    int64
	anonKB   int64 // RssAnon: mostly guest RAM touched, and TCG's code
	fileKB   int64 // RssFile: mapped files, the -kernel/-initrd files among them
	guestKB  int64 // guest's own used memory, 0 if unknown
	gc       gcResult
	failure  string
	logPaths []string
}

// gcResult is the GC pauses of one load: the difference between the
// server's GET /gc answers (httpd.GCPauses) before and after it.
type gcResult struct {
	GCs    int64
	Pauses int64
	P50us  float64 // each the upper bound of the histogram bucket
	P99us  float64 // the percentile falls in
	MaxUs  float64
}

// gcHistogram is the server's GET /gc answer: GC cycles since it
// started, and the count of GC pauses in each histogram bucket, by the
// bucket's upper bound in seconds.
type gcHistogram struct {
	GCs    int64        `json:"gcs"`
	Pauses [][2]float64 `json:"pauses"`
}

// gcHistogramOf asks the server at url for its GC pauses so far.
func gcHistogramOf(url string) (gcHistogram, error) {
	var h gcHistogram
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return h, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return h, errors.New(resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&h)
	return h, err
}

// gcBetween returns the GC pauses that after has and before has not.
func gcBetween(before, after gcHistogram) gcResult {
	counts := map[float64]float64{}
	for _, p := range after.Pauses {
		counts[p[0]] += p[1]
	}
	for _, p := range before.Pauses {
		counts[p[0]] -= p[1]
	}
	var bounds []float64
	var n float64
	for b, c := range counts {
		if c > 0 {
			bounds = append(bounds, b)
			n += c
		}
	}
	slices.Sort(bounds)
	r := gcResult{GCs: after.GCs - before.GCs, Pauses: int64(n)}
	quantile := func(q float64) float64 {
		want, sum := math.Ceil(q*n), 0.0
		for _, b := range bounds {
			if sum += counts[b]; sum >= want {
				return b * 1e6
			}
		}
		return 0
	}
	if n > 0 {
		r.P50us, r.P99us, r.MaxUs = quantile(0.5), quantile(0.99), quantile(1)
	}
	return r
}

// loadResult is scripts/bench/load's JSON output.
type loadResult struct {
	Concurrency int     `json:"concurrency"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	OtherErrors int64   `json:"other_errors"`
	Connections int64   `json:"connections"`
	RPS         float64 `json:"rps"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	MaxUs       float64 `json:"max_us"`
	FirstError  string  `json:"first_error"`
}

func hostTarget() *target {
	t := &target{name: "host", timeout: *hostTimeout, poll: processPoll, sizeOf: "server binary"}
	t.argv = []string{*serverBin, "-addr", "127.0.0.1:PORT"}
	t.size, t.skip = sizes(*serverBin)
	return t
}

func linuxTarget(khz int) *target {
	t := &target{name: "linux-vm", timeout: *linuxTimout, poll: vmPoll, meminfo: true, sizeOf: "vmlinux + initramfs"}
	if *kernel == "" || *initrd == "" {
		t.skip = "no -kernel and -initrd"
		return t
	}
	t.size, t.skip = sizes(*kernel, *initrd)
	// quiet: the console is a byte-at-a-time emulated UART, and the
	// boot messages would cost a good part of a second under TCG.
	// tsc_early_khz: on microvm the kernel finds no PIT/HPET-calibrated
	// TSC frequency it trusts and would hang calibrating; TCG's TSC runs
	// at the host's rate. panic=-1 with QEMU's -no-reboot makes a
	// failing /init stop QEMU rather than hang.
	cmdline := fmt.Sprintf("console=ttyS0 quiet tsc_early_khz=%d panic=-1", khz)
	if *linuxAppend != "" {
		cmdline += " " + *linuxAppend
	}
	t.argv = append([]string{"qemu-system-x86_64"}, vmArgs(*kernel, 0)...)
	t.argv = append(t.argv, "-initrd", *initrd, "-append", cmdline)
	t.addr, t.tap = vmAddr(), *vmTap
	return t
}

// miragoTarget is the GOOS=xen image on QEMU, told what the Linux VM
// is told: the host's TSC frequency (tsc_khz=, as the exec wrapper
// passes it, for Linux's tsc_early_khz=) and the address QEMU's
// user-mode network expects (MIRAGO_IP, where Linux's /init sets the
// same address), rather than measuring the one against the PIT and
// asking DHCP for the other.
func miragoTarget(khz int) *target {
	t := &target{name: "mirago", timeout: *miraTimeout, poll: vmPoll, sizeOf: "image"}
	switch {
	case *miragoSkip != "":
		t.skip = *miragoSkip
	case *miragoImage == "":
		t.skip = "no -mirago image"
	default:
		t.size, t.skip = sizes(*miragoImage)
		t.argv = append([]string{"qemu-system-x86_64"}, vmArgs(*miragoImage, 0)...)
		t.argv = append(t.argv, "-append", fmt.Sprintf("tsc_khz=%d MIRAGO_IP=%s -- server", khz, *miragoAddr))
		t.addr, t.tap = vmAddr(), *vmTap
	}
	return t
}

// sptTarget is the GOOS=solo5 image under the genuine solo5-spt tender:
// a host process, like the host target, but with the guest's own
// network stack behind a tap device, which the runner reaches at the
// guest's address (no port forward). The tender's --mem is -mem in MB.
func sptTarget() *target {
	t := &target{name: "spt", timeout: *sptTimeout, poll: processPoll, sizeOf: "image"}
	mb, err := strconv.Atoi(strings.TrimSuffix(strings.ToUpper(*mem), "M"))
	switch {
	case *sptSkip != "":
		t.skip = *sptSkip
	case *sptBin == "" || *sptImage == "" || *sptTap == "":
		t.skip = "no -spt, -spt-image and -spt-tap"
	case err != nil:
		t.skip = fmt.Sprintf("-mem %s is not a number of megabytes", *mem)
	default:
		ip, _, err := net.ParseCIDR(*sptAddr)
		if err != nil {
			t.skip = fmt.Sprintf("-spt-addr: %v", err)
			return t
		}
		t.size, t.skip = sizes(*sptImage)
		t.argv = []string{*sptBin, "--mem=" + strconv.Itoa(mb), "--net:service0=" + *sptTap, *sptImage, "MIRAGO_IP=" + *sptAddr, "--", "server"}
		t.addr = net.JoinHostPort(ip.String(), "80")
		t.tap = *sptTap
	}
	return t
}

// url is where the target's server answers.
func (t *target) url() string {
	if t.addr != "" {
		return "http://" + t.addr + "/"
	}
	return fmt.Sprintf("http://127.0.0.1:%d/", *port)
}

// sizes returns the total size of files, or why one cannot be read.
func sizes(files ...string) (int64, string) {
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return 0, err.Error()
		}
		n += fi.Size()
	}
	return n, ""
}

// netdev returns the VMs' QEMU network backend: user-mode networking
// with a host forward from port p, or the tap device -vm-tap.
func netdev(p string) string {
	if *vmTap != "" {
		return "tap,id=n0,ifname=" + *vmTap + ",script=no,downscript=no"
	}
	return "user,id=n0,hostfwd=tcp:127.0.0.1:" + p + "-:80"
}

// vmAddr is where a VM's server answers: "" for the host forward, or
// its address on -vm-tap.
func vmAddr() string {
	if *vmTap == "" {
		return ""
	}
	return vmTapGuest + ":80"
}

// vmTapGuest is both VMs' address on -vm-tap: the one QEMU's user-mode
// network gives a guest, which the Linux VM's /init and the Mirago
// image's MIRAGO_IP set, so that the guests are the same on either
// network. The host's end of the tap is 10.0.2.2/24, their gateway.
const vmTapGuest = "10.0.2.15"

// vmArgs returns the QEMU arguments both VMs share; port 0 leaves the
// placeholder PORT for measure to fill in.
func vmArgs(kernel string, port int) []string {
	p := "PORT"
	if port != 0 {
		p = strconv.Itoa(port)
	}
	cpu := "max"
	if *accel == "kvm" {
		cpu = "host"
	}
	acc := *accel
	if acc == "tcg" && *smp > 1 {
		acc = "tcg,thread=multi" // as scripts/goexec for MIRAGO_SMP
	}
	return []string{
		// As scripts/goexec: microvm boots an ELF kernel by PVH;
		// auto-kernel-cmdline=off keeps QEMU from appending
		// virtio-mmio descriptions to the command line (Linux finds
		// the devices in the ACPI tables microvm provides; Debian's
		// kernel lacks VIRTIO_MMIO_CMDLINE_DEVICES anyway).
		"-M", "microvm,auto-kernel-cmdline=off",
		"-accel", acc, "-cpu", cpu, "-smp", strconv.Itoa(*smp), "-m", *mem,
		"-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
		"-kernel", kernel,
		"-serial", "stdio",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-global", "virtio-mmio.force-legacy=false",
		"-netdev", netdev(p),
		"-device", "virtio-net-device,netdev=n0",
	}
}

// proc is a running target process with its console.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	start   time.Time
	done    chan struct{} // closed when the process has exited
	waitErr error
	stderr  *tailBuffer

	mu        sync.Mutex
	listening time.Duration
	lines     chan string // meminfo lines
	log       *os.File
}

func (t *target) start(boot int) (*proc, error) {
	argv := slices.Clone(t.argv)
	for i, a := range argv {
		argv[i] = strings.ReplaceAll(a, "PORT", strconv.Itoa(*port))
	}
	if t.tap != "" {
		// The host's neighbour entry for the guest's address holds
		// the last boot's MAC address (Mirago picks a new one at each
		// boot), and would send the new guest's replies astray for
		// seconds.
		if out, err := exec.Command("ip", "neigh", "flush", "dev", t.tap).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ip neigh flush dev %s: %v: %s", t.tap, err, out)
		}
	}
	logPath := filepath.Join(*logDir, fmt.Sprintf("%s.round%d.boot%d.log", t.name, t.round+1, boot))
	t.logPaths = append(t.logPaths, logPath)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logf, "# %s\n", strings.Join(argv, " "))
	r, w, err := os.Pipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{}), lines: make(chan string, 16), log: logf, stderr: &tailBuffer{max: 2048}}
	p.cmd.Stdout = w
	p.cmd.Stderr = io.MultiWriter(w, p.stderr)
	// The guest reads its console from QEMU's standard input; a pipe
	// keeps QEMU off the terminal and lets us talk to /init.
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	// If the runner dies, its QEMU must not live on holding the port.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		logf.Close()
		return nil, err
	}
	w.Close()
	go p.readConsole(r)
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) readConsole(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		at := time.Since(p.start)
		fmt.Fprintf(p.log, "%8.3fs %s\n", at.Seconds(), line)
		switch {
		case strings.Contains(line, "listening on "):
			p.mu.Lock()
			if p.listening == 0 {
				p.listening = at
			}
			p.mu.Unlock()
		case strings.HasPrefix(strings.TrimSpace(line), "meminfo:"):
			select {
			case p.lines <- line:
			default:
			}
		}
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitDesc describes how the process ended.
func (p *proc) exitDesc() string {
	var ee *exec.ExitError
	s := "exited"
	if errors.As(p.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Exited() {
			s = fmt.Sprintf("exited with status %d", ws.ExitStatus())
			if st := ws.ExitStatus(); st&1 == 1 && filepath.Base(p.cmd.Path) == "qemu-system-x86_64" {
				s += fmt.Sprintf(" (guest status %d via isa-debug-exit)", st>>1)
			}
		} else {
			s = p.waitErr.Error()
		}
	} else if p.waitErr != nil {
		s = p.waitErr.Error()
	}
	if msg := strings.TrimSpace(p.stderr.String()); msg != "" {
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		s += ": " + msg
	}
	return s
}

// stop ends the process: SIGTERM, then SIGKILL if it lingers.
func (p *proc) stop() {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	p.stdin.Close()
	p.log.Close()
}

func (t *target) measure() {
	fmt.Fprintf(os.Stderr, "runner: round %d: %s: ", t.round+1, t.name)
	defer fmt.Fprintln(os.Stderr)
	for i := range *boots {
		last := i == *boots-1
		p, err := t.start(i)
		if err != nil {
			t.failure = fmt.Sprintf("cannot start: %v", err)
			return
		}
		d, err := firstResponse(p, t.url(), t.poll, t.timeout)
		if err != nil {
			p.stop()
			t.failure = err.Error()
			fmt.Fprintf(os.Stderr, "%s", t.failure)
			return
		}
		t.boots = append(t.boots, d)
		fmt.Fprintf(os.Stderr, "boot %s, ", fmtDur(d))
		if !last {
			p.stop()
			continue
		}
		p.mu.Lock()
		t.listen = p.listening
		p.mu.Unlock()
		// The server's GC pauses before the load and after it: the
		// boot's, with the cold code TCG translates the first time,
		// are left out.
		gcBefore, gcErr := gcHistogramOf(t.url() + "gc")
		t.load, err = runLoad(t.url())
		if err != nil {
			t.failure = err.Error()
		}
		for _, r := range t.load {
			fmt.Fprintf(os.Stderr, "c=%d %.0f req/s, ", r.Concurrency, r.RPS)
		}
		if err == nil && gcErr == nil {
			var gcAfter gcHistogram
			if gcAfter, gcErr = gcHistogramOf(t.url() + "gc"); gcErr == nil {
				t.gc = gcBetween(gcBefore, gcAfter)
			}
		}
		if gcErr != nil && t.failure == "" {
			t.failure = "GET /gc: " + gcErr.Error()
		}
		m := procMem(p.cmd.Process.Pid)
		t.rssKB, t.hwmKB, t.anonKB, t.fileKB = m["VmRSS"], m["VmHWM"], m["RssAnon"], m["RssFile"]
		if t.meminfo && !p.exited() {
			t.guestKB = guestUsed(p)
		}
		if p.exited() && t.failure == "" {
			t.failure = "process " + p.exitDesc() + " during the load"
		}
		p.stop()
	}
}

// Poll periods for firstResponse, by kind of target.
//
// An attempt finds a server ready only when it starts after the server
// listens, so a boot is measured up to one period late. For a process
// (host, spt) that is most of the error: spt's server listened at 36 to
// 42 ms and was measured at 42 to 54 ms with 10 ms, since an attempt
// made before it listens is refused at once and the next one is a period
// later. Polling a process every millisecond costs it little: the host
// server's port refuses in microseconds, and spt's tap holds the
// attempts' packets until the guest reads them.
//
// A VM keeps 10 ms: QEMU's user-mode networking holds every attempt
// until it times out (see firstResponse), so a shorter period would
// only add connections for the booting guest to refuse, and 10 ms is
// under 5% of its boot.
const (
	processPoll = time.Millisecond
	vmPoll      = 10 * time.Millisecond
)

// firstResponse polls GET / until a good answer, the timeout or the
// process's exit, and returns the time since the process started.
//
// A new attempt starts every period, each on a fresh connection, and
// they overlap: before the guest's network is up, QEMU's user-mode
// networking accepts the connection on the host and then holds it while
// it cannot reach the guest, and such an attempt hangs even after the
// server is ready (slirp's SYN retransmission). Each attempt gives up
// after 100 ms and up to 128 are in flight, so a new one starts every
// period whatever the earlier ones do: with 500 ms and 8 (the first
// version), a guest ready at time T was found only when one of the
// stuck attempts timed out, up to 500 ms later, which added 300 to 400
// ms to Mirago's figure and about 200 ms to the Linux VM's.
func firstResponse(p *proc, url string, period, timeout time.Duration) (time.Duration, error) {
	const (
		attemptTimeout = 100 * time.Millisecond
		maxInFlight    = 128
	)
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: attemptTimeout}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ok := make(chan time.Duration, 1)
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	attempt := func() {
		defer wg.Done()
		defer func() { <-sem }()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			return
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK && string(body) == "hello, world\n" {
			select {
			case ok <- time.Since(p.start):
			default:
			}
		}
	}
	deadline := time.NewTimer(time.Until(p.start.Add(timeout)))
	defer deadline.Stop()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case sem <- struct{}{}:
			wg.Add(1)
			go attempt()
		default: // maxInFlight attempts hang already
		}
		select {
		case d := <-ok:
			return d, nil
		case <-p.done:
			return 0, fmt.Errorf("no HTTP response: process %s after %s", p.exitDesc(), fmtDur(time.Since(p.start)))
		case <-deadline.C:
			return 0, fmt.Errorf("no HTTP response within %s", timeout)
		case <-tick.C:
		}
	}
}

// runLoad runs the load generator against url at each concurrency.
func runLoad(url string) ([]loadResult, error) {
	budget := time.Duration(len(concurrencies))*(*dur+*warmup+10*time.Second) + 10*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	cmd := exec.CommandContext(ctx, *loadBin, "-json", "-c", joinInts(concurrencies, ","),
		"-d", dur.String(), "-warmup", warmup.String(), url)
	cmd.Stderr = os.Stderr
	out, runErr := cmd.Output()
	var rs []loadResult
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r loadResult
		if json.Unmarshal([]byte(line), &r) == nil && r.Concurrency > 0 {
			rs = append(rs, r)
		}
	}
	if len(rs) != len(concurrencies) {
		return rs, fmt.Errorf("load generator: %v", runErr)
	}
	return rs, nil
}

// procMem returns the memory figures of /proc/PID/status, in KiB:
// VmRSS (resident now), VmHWM (peak resident), RssAnon, RssFile. For
// QEMU, RSS counts the guest memory it touched plus QEMU's own, TCG's
// translated code included.
func procMem(pid int) map[string]int64 {
	m := map[string]int64{}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			m[k], _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	return m
}

// guestUsed asks the Linux guest's /init for its memory use (a newline
// on the console) and returns used KiB, 0 if no answer comes.
func guestUsed(p *proc) int64 {
	if _, err := io.WriteString(p.stdin, "\n"); err != nil {
		return 0
	}
	select {
	case line := <-p.lines:
		_, v, _ := strings.Cut(line, "used=")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	case <-time.After(3 * time.Second):
		return 0
	}
}

// hostTSCkHz reads the TSC's rate from /proc/cpuinfo's "cpu MHz", which
// on a host with a constant TSC (the constant_tsc flag) is the TSC's
// rate, the rate TCG's guest TSC runs at.
func hostTSCkHz() (int, error) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "cpu MHz" {
			mhz, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || mhz <= 0 {
				break
			}
			return int(math.Round(mhz * 1000)), nil
		}
	}
	return 0, errors.New("no \"cpu MHz\" in /proc/cpuinfo")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	t.mu.Unlock()
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}
