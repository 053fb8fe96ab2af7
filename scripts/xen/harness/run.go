// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Guest is one domain of a run.
type Guest struct {
	Name    string // xl's domain name; by default g0, g1, ...
	Image   string // host path of the PVH ELF
	Extra   string // kernel command line
	Memory  int    // MiB; default 256
	VCPUs   int    // default 1; Xen's host has 2 CPUs, dom0 shares one
	Ramdisk string // host path of a boot module; optional

	// Vif gives the guest a network interface on dom0's bridge xenbr0
	// (10.99.0.1/24), where udhcpd leases it the address IP() reports.
	Vif bool

	// Disk is the host path of a raw disk image, the guest's xvda. It
	// reaches dom0 as a virtio disk of QEMU's, which blkback serves, so
	// the guest's writes land in the host file. Guests of one run may
	// share a disk, one after another.
	Disk string

	// Side is a busybox sh script run in dom0 while the guest runs,
	// with GUEST_NAME, GUEST_DOMID, GUEST_IP, DOM0_IP and
	// GUEST_CREATED (xl create's start, Unix nanoseconds) set; its
	// output and status are in the result. With SideEndsGuest the
	// guest is destroyed when the script ends.
	Side          string
	SideEndsGuest bool

	// CPUID is xl's cpuid setting for the guest; "" for Xen's default.
	CPUID string

	// Timeout bounds the guest from its creation; default 5m. The
	// guest is destroyed then, and its status is 124.
	Timeout time.Duration
}

// Options are a run's settings.
type Options struct {
	Guests []Guest

	// Files are more files for dom0, by dom0 path: host path. Side
	// scripts find them there, e.g. a static linux/amd64 program.
	Files map[string]string

	Stdout  io.Writer // guests' consoles; "NAME: " before each line if there are several guests
	Stderr  io.Writer // side scripts' output, the harness's messages, with Verbose Xen's and dom0's
	Verbose bool

	// BootTimeout bounds Xen's and dom0's start, up to the agent's
	// first report; default 3m.
	BootTimeout time.Duration

	// GICVersion is the interrupt controller of QEMU's virt machine
	// for Xen on Arm, 2 or 3 (the default), which Xen emulates for
	// the guests as the same version. Not for amd64.
	GICVersion int
}

// Exit statuses that are not a program's own.
const (
	StatusTimeout  = 124 // the guest was destroyed at its timeout
	StatusNoStatus = 125 // the domain ended without "mirago: exit status N"
)

// GuestResult is how a guest ran.
type GuestResult struct {
	Name     string
	DomID    int
	Console  []string // console lines: 0xE9 lines from Xen's serial and the PV console, in arrival order
	Side     []string // the side script's output lines
	SideExit int      // its exit status; -1 if it did not run
	Reason   string   // how the domain ended: poweroff, crash, reboot, timeout, destroyed, xl-failed
	Status   int      // N from the last "mirago: exit status N", else StatusTimeout or StatusNoStatus
	HasLine  bool     // whether the status line was seen
	Seconds  float64  // from xl create to the domain's end
	Xen      []string // the last of Xen's own console lines while the domain ran, which say why one ended abnormally
}

// maxXenLines is how many of Xen's lines a GuestResult keeps: enough
// for a triple fault's register dump.
const maxXenLines = 40

// Result is a run's outcome.
type Result struct {
	Guests    []GuestResult
	BootTime  time.Duration // QEMU's start to dom0's agent's first report
	TotalTime time.Duration
}

// StatusLine matches the guest runtime's last console line.
var StatusLine = regexp.MustCompile(`^mirago: exit status (\d{1,3})$`)

// GuestIP is the address dom0's udhcpd leases guest number i of a run.
func GuestIP(i int) string { return fmt.Sprintf("10.99.0.%d", 10+i) }

// GuestMAC is the MAC address guest i's vif gets.
func GuestMAC(i int) string { return fmt.Sprintf("00:16:3e:00:99:%02x", 10+i) }

// agentJob is dom0/main.go's job.
type agentJob struct {
	Guests []agentGuest `json:"guests"`
}

type agentGuest struct {
	Name          string `json:"name"`
	Config        string `json:"config"`
	IP            string `json:"ip,omitempty"`
	Side          string `json:"side,omitempty"`
	SideEndsGuest bool   `json:"side_ends_guest,omitempty"`
	Timeout       string `json:"timeout"`
}

const (
	dom0BaseMem = 384 // MiB, besides twice the initramfs
	maxGuests   = 90  // static leases in dom0init.sh
	defaultMem  = 256
	defaultWait = 5 * time.Minute
)

// QEMUMissing is the error Run returns when qemu-system-x86_64 is not
// installed; errors.Is matches it for qemu-system-aarch64 too.
var QEMUMissing = errors.New("qemu-system-x86_64 not found in $PATH (on Debian: apt-get install qemu-system-x86)")

// qemuMissing says which QEMU is missing, as QEMUMissing.
type qemuMissing struct{ ar *arch }

func (e qemuMissing) Error() string {
	return e.ar.qemu + " not found in $PATH (on Debian: apt-get install " + e.ar.qemuPkg + ")"
}

func (e qemuMissing) Is(target error) bool { return target == QEMUMissing }

// LookQEMU returns the path of the QEMU that runs the harness for
// goarch, or an error that says which package installs it (errors.Is
// matches QEMUMissing).
func LookQEMU(goarch string) (string, error) {
	ar, err := archOf(goarch)
	if err != nil {
		return "", err
	}
	return ar.lookQEMU()
}

func (ar *arch) lookQEMU() (string, error) {
	qemu, err := exec.LookPath(ar.qemu)
	if err != nil {
		if ar == archAMD64 {
			return "", QEMUMissing
		}
		return "", qemuMissing{ar}
	}
	return qemu, nil
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$`)

// Run boots Xen with dom0 under QEMU and runs the guests one after
// another. The error is for the harness's own failures (QEMU missing,
// Xen or dom0 not coming up, bad options); how each guest ended is in
// the result.
func Run(ctx context.Context, a *Artifacts, opts Options) (*Result, error) {
	if len(opts.Guests) == 0 {
		return nil, errors.New("no guests to run")
	}
	if len(opts.Guests) > maxGuests {
		return nil, fmt.Errorf("%d guests: at most %d in one run", len(opts.Guests), maxGuests)
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.BootTimeout <= 0 {
		opts.BootTimeout = 3 * time.Minute
	}
	ar, err := archOf(a.Arch)
	if err != nil {
		return nil, err
	}
	qemu, err := ar.lookQEMU()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mirago-xen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	guests := make([]Guest, len(opts.Guests))
	copy(guests, opts.Guests)
	job := agentJob{}
	jw, jf, err := newJobArchive(filepath.Join(tmp, "job.cpio"))
	if err != nil {
		return nil, err
	}
	defer jf.Close()
	disks := map[string]string{} // host path: serial
	var diskOrder []string
	seen := map[string]bool{}
	total := opts.BootTimeout
	maxMem := 0
	for i := range guests {
		g := &guests[i]
		if g.Name == "" {
			g.Name = "g" + strconv.Itoa(i)
		}
		if !nameRe.MatchString(g.Name) || seen[g.Name] {
			return nil, fmt.Errorf("guest name %q: want a unique name of letters, digits, '_', '.' and '-'", g.Name)
		}
		seen[g.Name] = true
		if g.Memory <= 0 {
			g.Memory = defaultMem
		}
		if g.Timeout <= 0 {
			g.Timeout = defaultWait
		}
		maxMem = max(maxMem, g.Memory)
		total += g.Timeout + 45*time.Second
		dir := "job/" + g.Name
		kernel, err := jw.addShared(g.Image, "image")
		if err != nil {
			return nil, err
		}
		cfg := XLConfig{Name: g.Name, Kernel: kernel, Extra: g.Extra, Memory: g.Memory, VCPUs: max(g.VCPUs, 1), CPUID: g.CPUID, Arm: ar.name == "arm64"}
		if g.Ramdisk != "" {
			if cfg.Ramdisk, err = jw.addShared(g.Ramdisk, "ramdisk"); err != nil {
				return nil, err
			}
		}
		ag := agentGuest{Name: g.Name, Config: "/" + dir + "/xl.cfg", SideEndsGuest: g.SideEndsGuest, Timeout: g.Timeout.String()}
		if g.Vif {
			cfg.Bridge, cfg.MAC = "xenbr0", GuestMAC(i)
			cfg.VifScript = "/etc/xen/scripts/mirago-vif"
			ag.IP = GuestIP(i)
		}
		if g.Disk != "" {
			abs, err := filepath.Abs(g.Disk)
			if err != nil {
				return nil, err
			}
			if fi, err := os.Stat(abs); err != nil || !fi.Mode().IsRegular() || fi.Size()%512 != 0 {
				return nil, fmt.Errorf("disk %s: want a regular file whose size is a multiple of 512 bytes", g.Disk)
			}
			if strings.Contains(abs, ",") {
				return nil, fmt.Errorf("disk %s: QEMU cannot take a path with a comma", g.Disk)
			}
			if _, ok := disks[abs]; !ok {
				disks[abs] = "disk" + strconv.Itoa(len(disks))
				diskOrder = append(diskOrder, abs)
			}
			cfg.Disk = "/dev/mirago/" + disks[abs]
			cfg.DiskScript = "/etc/xen/scripts/mirago-block"
		}
		if g.Side != "" {
			if err := jw.cw.addFile(dir+"/side.sh", 0o755, []byte(g.Side)); err != nil {
				return nil, err
			}
			ag.Side = "/" + dir + "/side.sh"
		}
		if err := jw.cw.addFile(dir+"/xl.cfg", 0o644, []byte(cfg.String())); err != nil {
			return nil, err
		}
		job.Guests = append(job.Guests, ag)
	}
	for _, dst := range sortedKeys(opts.Files) {
		if !strings.HasPrefix(dst, "/") || strings.Contains(dst, "..") {
			return nil, fmt.Errorf("dom0 path %q: want an absolute path", dst)
		}
		if err := jw.addHostFile(strings.TrimPrefix(dst, "/"), opts.Files[dst], "file"); err != nil {
			return nil, err
		}
	}
	data, _ := json.MarshalIndent(job, "", "\t")
	if err := jw.cw.addFile("job/job.json", 0o644, data); err != nil {
		return nil, err
	}
	if err := jw.cw.close(); err != nil {
		return nil, err
	}
	if err := jf.Close(); err != nil {
		return nil, err
	}
	// dom0 holds its initramfs twice while unpacking it into a tmpfs
	// that may fill half its memory, and xl needs room besides.
	fi, err := os.Stat(a.Initrd)
	if err != nil {
		return nil, err
	}
	dom0Mem := dom0BaseMem + int(2*(fi.Size()+jw.cw.off)>>20)

	// dom0's initramfs is the cached archive with the job's appended:
	// Linux unpacks concatenated archives as one.
	initrd := filepath.Join(tmp, "dom0.cpio")
	if err := concat(initrd, a.Initrd, filepath.Join(tmp, "job.cpio")); err != nil {
		return nil, err
	}
	for _, p := range []string{a.Xen, a.Kernel, initrd} {
		if strings.Contains(p, ",") {
			return nil, fmt.Errorf("%s: QEMU's multiboot loader cannot take a path with a comma", p)
		}
	}

	gic := opts.GICVersion
	switch {
	case gic == 0:
		gic = 3
	case ar.name != "arm64" || gic != 2 && gic != 3:
		return nil, fmt.Errorf("GICVersion %d: want 2 or 3, for Xen on Arm", gic)
	}
	args := qemuArgs(ar, a, dom0Mem, maxMem, initrd, gic)
	for i, d := range diskOrder {
		id := "d" + strconv.Itoa(i)
		args = append(args,
			"-drive", "file="+d+",format=raw,if=none,id="+id,
			"-device", "virtio-blk-pci,drive="+id+",serial="+disks[d])
	}

	runCtx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	cmd := exec.CommandContext(runCtx, qemu, args...)
	cmd.WaitDelay = 5 * time.Second
	serial, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	agentR, agentW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{agentW}
	var qemuErr bytes.Buffer
	cmd.Stderr = &qemuErr
	setPdeathsig(cmd)
	if opts.Verbose {
		fmt.Fprintf(opts.Stderr, "xen harness: %s %s\n", qemu, strings.Join(quoteArgs(args), " "))
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		agentR.Close()
		agentW.Close()
		return nil, fmt.Errorf("starting QEMU: %v", err)
	}
	agentW.Close()

	d := &demux{opts: opts, start: start, byName: map[string]*GuestResult{}, byDom: map[int]*GuestResult{}, events: make(chan string, 16)}
	d.multi = len(guests) > 1
	for _, g := range guests {
		d.res.Guests = append(d.res.Guests, GuestResult{Name: g.Name, SideExit: -1, DomID: -1})
	}
	for i := range d.res.Guests {
		d.byName[d.res.Guests[i].Name] = &d.res.Guests[i]
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.read(serial, false) }()
	go func() { defer wg.Done(); d.read(agentR, true) }()
	qemuDone := make(chan error, 1)
	go func() {
		wg.Wait()
		qemuDone <- cmd.Wait()
		agentR.Close()
	}()

	bootTimer := time.NewTimer(opts.BootTimeout)
	defer bootTimer.Stop()
	var runErr error
loop:
	for {
		select {
		case ev := <-d.events:
			switch ev {
			case "ready":
				bootTimer.Stop()
			case "done":
				break loop
			case "panic":
				runErr = fmt.Errorf("Xen or dom0 failed:\n%s", d.tail())
				break loop
			}
		case <-bootTimer.C:
			runErr = fmt.Errorf("dom0 did not come up within %v; the last of Xen's console:\n%s", opts.BootTimeout, d.tail())
			break loop
		case err := <-qemuDone:
			qemuDone <- err
			runErr = fmt.Errorf("QEMU exited (%v) before the job was done: %s\nthe last of Xen's console:\n%s", err, strings.TrimSpace(qemuErr.String()), d.tail())
			break loop
		case <-runCtx.Done():
			runErr = fmt.Errorf("the run did not finish within %v; the last of Xen's console:\n%s", total, d.tail())
			if ctx.Err() != nil {
				runErr = ctx.Err()
			}
			break loop
		}
	}
	// dom0 has powered off (or failed); Xen stays down with noreboot,
	// so QEMU is ended here. Its last output is read first.
	if cmd.Process != nil {
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Kill()
	}
	<-qemuDone
	d.mu.Lock()
	defer d.mu.Unlock()
	d.res.TotalTime = time.Since(start)
	// Statuses are settled only now: a guest's port 0xE9 lines travel
	// on the other serial line than the agent's report of its end and
	// may arrive after it.
	for i := range d.res.Guests {
		g := &d.res.Guests[i]
		switch {
		case g.HasLine:
		case g.Reason == "timeout":
			g.Status = StatusTimeout
		default:
			g.Status = StatusNoStatus
		}
	}
	return &d.res, runErr
}

// demux splits QEMU's two serial lines into the guests' results.
type demux struct {
	opts  Options
	start time.Time
	multi bool

	mu      sync.Mutex
	res     Result
	byName  map[string]*GuestResult
	byDom   map[int]*GuestResult
	cur     *GuestResult // the guest running now
	xenTo   *GuestResult // the guest last created, which Xen's lines are kept for (they may come after its end)
	ends    map[string]time.Time
	last    []string         // Xen's and dom0's recent lines, for errors
	pending map[int][]string // port 0xE9 lines of domains not reported yet
	events  chan string
}

var (
	guestE9Re = regexp.MustCompile(`^\(d(\d+)\) ?(.*)$`)
	// xenBuildRe matches the lines Xen writes as xl builds an HVM
	// domain, which say nothing of how it ends.
	xenBuildRe = regexp.MustCompile(`^\(XEN\) HVM\d* (restore|d\d+(v\d+)? save):`)
	panicRe    = regexp.MustCompile(`Panic on CPU|Hardware Dom0 (crashed|halted|shutdown)|Domain 0 crashed|Kernel panic - not syncing`)
)

func (d *demux) read(r io.Reader, agent bool) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			d.line(strings.TrimRight(line, "\r\n"), agent)
		}
		if err != nil {
			return
		}
	}
}

func (d *demux) line(line string, agent bool) {
	line = strings.TrimLeft(line, "\r")
	if i := strings.Index(line, "@mirago "); i >= 0 {
		d.report(line[i+len("@mirago "):])
		return
	}
	if agent {
		return
	}
	if m := guestE9Re.FindStringSubmatch(line); m != nil {
		id, _ := strconv.Atoi(m[1])
		d.mu.Lock()
		g := d.byDom[id]
		if g == nil {
			// The agent's report of the domain's ID travels on the
			// other serial line and may come later.
			if d.pending == nil {
				d.pending = map[int][]string{}
			}
			d.pending[id] = append(d.pending[id], m[2])
		}
		d.mu.Unlock()
		if g != nil {
			d.console(g, m[2])
		}
		return
	}
	d.mu.Lock()
	d.last = append(d.last, line)
	if len(d.last) > 80 {
		d.last = d.last[len(d.last)-80:]
	}
	if g := d.xenTo; g != nil && strings.HasPrefix(line, "(XEN) ") && !xenBuildRe.MatchString(line) {
		g.Xen = append(g.Xen, line)
		if len(g.Xen) > maxXenLines {
			g.Xen = g.Xen[len(g.Xen)-maxXenLines:]
		}
	}
	d.mu.Unlock()
	if d.opts.Verbose {
		fmt.Fprintf(d.opts.Stderr, "|%6.1f| %s\n", time.Since(d.start).Seconds(), line)
	}
	if panicRe.MatchString(line) {
		d.event("panic")
	}
}

func (d *demux) event(ev string) {
	select {
	case d.events <- ev:
	default:
		go func() { d.events <- ev }()
	}
}

func (d *demux) tail() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.last, "\n")
}

// console records and shows one line of g's console.
func (d *demux) console(g *GuestResult, text string) {
	d.mu.Lock()
	g.Console = append(g.Console, text)
	if m := StatusLine.FindStringSubmatch(text); m != nil {
		if n, _ := strconv.Atoi(m[1]); n <= 255 {
			g.Status, g.HasLine = n, true
		}
	}
	d.mu.Unlock()
	if d.multi {
		fmt.Fprintf(d.opts.Stdout, "%s: %s\n", g.Name, text)
	} else {
		fmt.Fprintf(d.opts.Stdout, "%s\n", text)
	}
}

// report handles one agent line: KIND NAME [TEXT].
func (d *demux) report(s string) {
	kind, rest, _ := strings.Cut(s, " ")
	name, text, _ := strings.Cut(rest, " ")
	if kind == "ready" || kind == "done" {
		d.mu.Lock()
		if kind == "ready" {
			d.res.BootTime = time.Since(d.start)
		}
		d.mu.Unlock()
		if d.opts.Verbose {
			fmt.Fprintf(d.opts.Stderr, "xen harness: dom0 %s after %.1fs (%s)\n", kind, time.Since(d.start).Seconds(), text)
		}
		d.event(kind)
		return
	}
	d.mu.Lock()
	g := d.byName[name]
	d.mu.Unlock()
	if g == nil {
		return
	}
	switch kind {
	case "create":
		d.mu.Lock()
		d.cur = g
		d.xenTo = g
		if d.ends == nil {
			d.ends = map[string]time.Time{}
		}
		d.ends[g.Name] = time.Now()
		d.mu.Unlock()
	case "domid":
		id, err := strconv.Atoi(strings.TrimSpace(text))
		d.mu.Lock()
		var early []string
		if err == nil {
			g.DomID = id
			d.byDom[id] = g
			early = d.pending[id]
			delete(d.pending, id)
		}
		d.mu.Unlock()
		for _, text := range early {
			d.console(g, text)
		}
	case "console":
		d.console(g, text)
	case "xl":
		if d.opts.Verbose {
			fmt.Fprintf(d.opts.Stderr, "xen harness: %s: xl: %s\n", g.Name, text)
		}
	case "side":
		d.mu.Lock()
		g.Side = append(g.Side, text)
		d.mu.Unlock()
		fmt.Fprintf(d.opts.Stderr, "%s (dom0): %s\n", g.Name, text)
	case "side-exit":
		n, _, _ := strings.Cut(text, " ")
		code, err := strconv.Atoi(n)
		if err != nil {
			code = -1
		}
		d.mu.Lock()
		g.SideExit = code
		d.mu.Unlock()
	case "end":
		d.mu.Lock()
		g.Reason = "destroyed"
		for _, f := range strings.Fields(text) {
			if v, ok := strings.CutPrefix(f, "reason="); ok {
				g.Reason = v
			}
		}
		g.Seconds = time.Since(d.ends[g.Name]).Seconds()
		d.cur = nil
		d.mu.Unlock()
	}
}

// jobArchive is the archive of the job's files for dom0.
type jobArchive struct {
	cw     *cpioWriter
	shared map[string]string // host path: dom0 path
}

func newJobArchive(path string) (*jobArchive, *os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return &jobArchive{cw: newCpioWriter(f)}, f, nil
}

// addShared adds a guest's image or ramdisk once however many guests
// use it and returns its dom0 path.
func (j *jobArchive) addShared(host, what string) (string, error) {
	abs, err := filepath.Abs(host)
	if err != nil {
		return "", err
	}
	if p, ok := j.shared[abs]; ok {
		return p, nil
	}
	name := "job/files/" + strconv.Itoa(len(j.shared)) + "-" + filepath.Base(abs)
	if err := j.addHostFile(name, abs, what); err != nil {
		return "", err
	}
	if j.shared == nil {
		j.shared = map[string]string{}
	}
	j.shared[abs] = "/" + name
	return "/" + name, nil
}

func (j *jobArchive) addHostFile(name, host, what string) error {
	data, err := os.ReadFile(host)
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", what, err)
	}
	return j.cw.addFile(name, 0o755, data)
}

func concat(dst string, srcs ...string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		in, err := os.Open(s)
		if err != nil {
			out.Close()
			return err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if err != nil {
			out.Close()
			return err
		}
	}
	return out.Close()
}

func quoteArgs(args []string) []string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \"'\\$") {
			a = strconv.Quote(a)
		}
		q[i] = a
	}
	return q
}

// qemuArgs boots Xen with dom0 on QEMU: amd64 Xen on a PC by the
// multiboot loader, with dom0's kernel and initramfs as its modules;
// Xen on Arm on the virt machine with EL2, dom0's kernel and initramfs
// put in memory by guest-loader devices, which list them in the device
// tree's /chosen as Xen's modules.
func qemuArgs(ar *arch, a *Artifacts, dom0Mem, maxMem int, initrd string, gic int) []string {
	xenCmd := []string{
		fmt.Sprintf("dom0_mem=%dM,max:%dM", dom0Mem, dom0Mem), "dom0_max_vcpus=1",
		// Guests' port 0xE9 writes are XENLOG_G_DEBUG messages: all
		// of them, never rate-limited.
		"guest_loglvl=all",
		// Stay down when dom0 powers off; the host ends QEMU.
		"noreboot",
		// Scrubbing would touch all of QEMU's memory at boot.
		"bootscrub=0",
	}
	dom0Cmd := "console=hvc0 rdinit=/init quiet"
	qemuMem := dom0Mem + maxMem + 256
	var machine []string
	if ar.name == "arm64" {
		xenCmd = append(xenCmd, "console=dtuart")
		// Xen on Arm gives dom0 its memory 1:1, in few large banks,
		// from RAM that the loaded modules split: leave it plenty.
		qemuMem = 2*dom0Mem + maxMem + 512
		machine = []string{"-M", "virt,virtualization=on,gic-version=" + strconv.Itoa(gic), "-cpu", "max"}
	} else {
		xenCmd = append(xenCmd, "console=com1", "com1=115200,8n1")
		machine = []string{
			"-M", "pc",
			// TCG's SMAP makes the PV dom0 fault on its first return
			// to user mode (DESIGN.md §9). Without AVX: under QEMU
			// 7.2's emulated SVM, a PVH guest now and then takes #UD
			// on an AVX2 instruction it had run before
			// (internal/bytealg's IndexByte in rtprobe, 2 boots in 6);
			// with AVX hidden, Go code takes its SSE paths and 7 boots
			// in 7 ran clean.
			"-cpu", "max,-smap,-avx,-avx2",
		}
	}
	args := append(machine,
		"-smp", "2",
		"-m", strconv.Itoa(qemuMem),
		"-accel", "tcg,thread=multi",
		"-display", "none", "-monitor", "none", "-nodefaults", "-no-user-config", "-no-reboot",
		"-serial", "stdio", // Xen's console: Xen, dom0's console, guests' port 0xE9
		// The agent's reports: a virtio serial port is a channel of
		// its own and, unlike a second 16550, fast under TCG.
		"-device", "virtio-serial-pci",
		"-chardev", "file,id=agent,path=/dev/fd/3",
		"-device", "virtserialport,chardev=agent,name=mirago.agent",
		"-kernel", a.Xen,
		"-append", strings.Join(xenCmd, " "),
	)
	if ar.name == "arm64" {
		return append(args,
			"-device", "guest-loader,addr=0x42000000,kernel="+a.Kernel+",bootargs="+dom0Cmd,
			"-device", "guest-loader,addr=0x50000000,initrd="+initrd)
	}
	return append(args, "-initrd", a.Kernel+" "+dom0Cmd+","+initrd)
}
